"""Translations the translate worker does after the fact, outside the ticket's status machine:
a ticket routed while every provider was down, and each conversation message.

Both are idempotent: work already done is a no-op, and a translation that is still pending
writes nothing, so the sweeper's attempt count keeps growing and its retries keep spacing out.

With the desks' languages on, a requester's message the ticket's desk reads is stored `on_demand`
with no provider call (`conversation.read_by_desk`): translated only when an agent who does not
read it opens the ticket (`usecases/on_demand_translation.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.domain import conversation, stages
from chalicelib.domain.conversation import Message
from chalicelib.domain.messages import ClaimCheck
from chalicelib.domain.ports import Clock, Detector
from chalicelib.domain.repositories import MessageRepository, StaleTicket, TicketRepository
from chalicelib.domain.ticket import Ticket, TranslationStatus
from chalicelib.domain.translation import TextTranslator
from chalicelib.observability import logger

# (provider, characters sent, what was translated): the characters-per-provider metric.
CountTranslation = Callable[[str | None, int, str], None]


@dataclass(frozen=True)
class RetranslateTicket:
    tickets: TicketRepository
    translator: TextTranslator
    pivot_language: str
    clock: Clock
    count_translation: CountTranslation

    def __call__(self, check: ClaimCheck) -> None:
        ticket = self.tickets.get(check.ticket_id)
        if ticket is None or not ticket.awaiting_translation:
            return  # translated meanwhile, or a duplicate
        translation = stages.translate_fields(ticket, self.translator, self.pivot_language)
        if translation.status is TranslationStatus.PENDING:
            logger.info("still no provider; the sweeper will retry", extra={"reason": translation.reason})
            return
        self.count_translation(translation.provider, translation.characters, "ticket")
        after = ticket.revise(self.clock(), "translate_ticket", translation=translation)
        try:
            self.tickets.save_transition(ticket, after, awaiting_notification=False)
        except StaleTicket:
            return  # another delivery saved it first
        logger.info(
            f"translated later translation={translation.status.value} provider={translation.provider}",
            extra={"stage": "translate_ticket"},
        )


@dataclass(frozen=True)
class TranslateMessage:
    tickets: TicketRepository
    messages: MessageRepository
    detector: Detector
    translator: TextTranslator
    count_translation: CountTranslation
    # A message's translation is settled (done, skipped, failed or on_demand): an agent's reply goes out.
    on_translated: Callable[[Ticket, Message], None] | None = None
    # DESK_LANGUAGES: a requester's message its ticket's desk reads waits for a reader who does not.
    desks_read: bool = False

    def __call__(self, check: ClaimCheck) -> None:
        assert check.message_id is not None, "parse_claim_check guarantees a message id"
        ticket = self.tickets.get(check.ticket_id)
        message = self.messages.get(check.ticket_id, check.message_id)
        if ticket is None or message is None:
            return  # nothing to do
        if not message.awaiting_translation:
            # Done already: announce again (a no-op if it went out), in case that failed before.
            if self.on_translated is not None:
                self.on_translated(ticket, message)
            return
        after = conversation.translate_message(
            message, ticket, self.detector, self.translator, desks_read=self.desks_read
        )
        if after.translation.status is TranslationStatus.PENDING:
            logger.info(
                "message translation pending; the sweeper will retry", extra={"reason": after.translation.reason}
            )
            if not self.translator.providers and self.on_translated is not None:
                self.on_translated(ticket, message)  # no provider will ever translate it: send the original
            return
        if after.translation.status is not TranslationStatus.ON_DEMAND:
            self.count_translation(after.translation.provider, after.translation.characters, after.author.value)
        try:
            self.messages.save(message, after)
        except StaleTicket:
            return
        if self.on_translated is not None:
            # Raises to have the record retried; the retry finds the translation done and
            # announces again (idempotent).
            self.on_translated(ticket, after)
        language = after.language.code if after.language else "und"
        logger.info(
            f"message {after.author.value} language={language} translation={after.translation.status.value}"
            f" target={after.translation.target}",
            extra={"stage": "translate_ticket", "message_id": after.message_id},
        )
