"""Translations the translate worker does after the fact, outside the ticket's status machine:
a ticket routed while every provider was down, and each conversation message.

Both are idempotent: work already done is a no-op, and a translation that is still pending
writes nothing, so the sweeper's attempt count keeps growing and its retries keep spacing out.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

from chalicelib.adapters.metrics import count_translation
from chalicelib.domain import conversation, stages
from chalicelib.domain.messages import ClaimCheck
from chalicelib.domain.ports import StaleTicket
from chalicelib.domain.ticket import TranslationStatus
from chalicelib.services import Services

logger = Logger(service="polyglot-desk")


def retranslate_ticket(check: ClaimCheck, services: Services) -> None:
    ticket = services.store.get(check.ticket_id)
    if ticket is None or not ticket.awaiting_translation:
        return  # translated meanwhile, or a duplicate
    translation = stages.translate_fields(ticket, services.text_translator, services.settings.pivot_language)
    if translation.status is TranslationStatus.PENDING:
        logger.info("still no provider; the sweeper will retry", extra={"reason": translation.reason})
        return
    count_translation(translation.provider, translation.characters, "ticket")
    after = ticket.revise(services.clock(), "translate_ticket", translation=translation)
    try:
        services.store.save_transition(ticket, after, awaiting_notification=False)
    except StaleTicket:
        return  # another delivery saved it first
    logger.info(
        f"translated later translation={translation.status.value} provider={translation.provider}",
        extra={"stage": "translate_ticket"},
    )


def translate_message(check: ClaimCheck, services: Services) -> None:
    assert check.message_id is not None, "parse_claim_check guarantees a message id"
    ticket = services.store.get(check.ticket_id)
    message = services.store.get_message(check.ticket_id, check.message_id)
    if ticket is None or message is None or not message.awaiting_translation:
        return  # done already, or nothing to do
    after = conversation.translate_message(message, ticket, services.detector, services.text_translator)
    if after.translation.status is TranslationStatus.PENDING:
        logger.info("message translation pending; the sweeper will retry", extra={"reason": after.translation.reason})
        return
    count_translation(after.translation.provider, after.translation.characters, after.author.value)
    try:
        services.store.save_message(message, after)
    except StaleTicket:
        return
    language = after.language.code if after.language else "und"
    logger.info(
        f"message {after.author.value} language={language} translation={after.translation.status.value}"
        f" target={after.translation.target}",
        extra={"stage": "translate_ticket", "message_id": after.message_id},
    )
