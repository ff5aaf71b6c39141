"""The scheduled sweeper: re-sends the claim check of every ticket that rests too long.

Covers each way a message can go missing: the API died between storing a ticket and sending
it on, a worker's send failed, a message was dead-lettered, a desk notification was never
confirmed. Re-sending is safe because every worker treats a duplicate as a no-op.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger
from chalice import Blueprint, Rate

from chalicelib import resources
from chalicelib.domain.messages import MESSAGE_ADDED, RETRANSLATE, ClaimCheck
from chalicelib.domain.ports import (
    SWEEP_MESSAGE,
    SWEEP_RETRANSLATE,
    SWEEP_ROUTED,
    OutgoingMessage,
    StaleTicket,
    StuckTicket,
)
from chalicelib.domain.ticket import PIPELINE_STATUSES, parse_iso
from chalicelib.services import Services, get_services
from chalicelib.workers.stage_runner import outgoing_message

logger = Logger(service="polyglot-desk")
sweeper = Blueprint(__name__)

SWEEP_LIMIT = 200  # per kind and run; a larger backlog drains over the next runs
TRANSLATION_KINDS = frozenset({SWEEP_RETRANSLATE, SWEEP_MESSAGE})
MAX_BACKOFF_FACTOR = 24  # with SWEEP_AFTER_SECONDS=300, a pending translation is retried at least every 2 h


@sweeper.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_stuck_tickets(event: Any) -> dict[str, int]:
    return sweep(get_services())


def sweep(services: Services) -> dict[str, int]:
    now = services.clock()
    cutoff = now - timedelta(seconds=services.settings.sweep_after_seconds)
    counts = {"resent": 0, "given_up": 0, "skipped": 0}
    kinds = [status.value for status in PIPELINE_STATUSES] + [SWEEP_ROUTED]
    if services.translators:
        # Without a provider a retry could only fail again: pending translations wait for one.
        kinds += [SWEEP_RETRANSLATE, SWEEP_MESSAGE]
    resend: list[StuckTicket] = []
    for kind in kinds:
        for stuck in services.store.stuck(kind, cutoff, SWEEP_LIMIT):
            if kind in TRANSLATION_KINDS:
                # A provider outage can last hours: retry with growing pauses and never give up.
                pause = services.settings.sweep_after_seconds * min(2**stuck.sweep_attempts, MAX_BACKOFF_FACTOR)
                if parse_iso(stuck.resting_since) > now - timedelta(seconds=pause):
                    continue
                give_up = False
            else:
                give_up = stuck.sweep_attempts >= services.settings.sweep_max_attempts
            try:
                services.store.record_sweep(stuck, now, give_up)
            except StaleTicket:
                counts["skipped"] += 1  # a worker moved it on meanwhile
                continue
            if give_up:
                counts["given_up"] += 1
                logger.error("left for an operator", extra={"ticket_id": stuck.ticket_id, "kind": stuck.kind})
            else:
                resend.append(stuck)
    unsent = services.publisher.send([_claim_check(item, services) for item in resend]) if resend else set()
    for item in resend:
        if (item.message_id or item.ticket_id) in unsent:
            continue
        counts["resent"] += 1
        logger.warning("re-sent", extra={"ticket_id": item.ticket_id, "kind": item.kind})
        if item.kind == SWEEP_ROUTED:
            # The desk message is out now; a pending translation keeps it in the index.
            ticket = services.store.get(item.ticket_id)
            with contextlib.suppress(StaleTicket):
                services.store.mark_notified(
                    item.ticket_id, item.version, then_retranslate=bool(ticket and ticket.awaiting_translation)
                )
    return counts


def _claim_check(item: StuckTicket, services: Services) -> OutgoingMessage:
    translate_queue = services.settings.queue_name(resources.TRANSLATE)
    if item.kind == SWEEP_RETRANSLATE:
        check = ClaimCheck(RETRANSLATE, item.ticket_id, item.correlation_id)
        return OutgoingMessage(translate_queue, check.to_body(), item.ticket_id)
    if item.kind == SWEEP_MESSAGE and item.message_id is not None:
        check = ClaimCheck(MESSAGE_ADDED, item.ticket_id, item.correlation_id, item.message_id)
        return OutgoingMessage(translate_queue, check.to_body(), item.message_id)
    return outgoing_message(item.status, item.ticket_id, item.correlation_id, item.routed_region, services)
