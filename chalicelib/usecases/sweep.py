"""Re-send the claim check of everything that rests too long in the sweeper's index.

Covers each way a message can go missing: the API died between storing a ticket and sending
it on, a worker's send failed, a message was dead-lettered, a desk notification was never
confirmed. Re-sending is safe because every worker treats a duplicate as a no-op.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib import aws_resource_names
from chalicelib.domain.messages import MESSAGE_ADDED, RETRANSLATE, ClaimCheck
from chalicelib.domain.ports import Clock, OutgoingMessage, Publisher
from chalicelib.domain.projections import SWEEP_MESSAGE, SWEEP_RETRANSLATE, SWEEP_ROUTED
from chalicelib.domain.repositories import StaleTicket, StuckTicket, SweepIndex, TicketRepository
from chalicelib.domain.ticket import PIPELINE_STATUSES, Ticket, parse_iso
from chalicelib.observability import logger
from chalicelib.usecases.pipeline_stage import ClaimCheckAddresser

SWEEP_LIMIT = 200  # per kind and run; a larger backlog drains over the next runs
TRANSLATION_KINDS = frozenset({SWEEP_RETRANSLATE, SWEEP_MESSAGE})
MAX_BACKOFF_FACTOR = 24  # with SWEEP_AFTER_SECONDS=300, a pending translation is retried at least every 2 h


@dataclass(frozen=True)
class Sweep:
    tickets: TicketRepository
    sweep_index: SweepIndex
    publisher: Publisher
    address: ClaimCheckAddresser
    clock: Clock
    after_seconds: float
    max_attempts: int
    # Without a provider a retry could only fail again: pending translations wait for one.
    translation_configured: bool
    # What a ticket's arrival at its desk sets off besides the desk message (the acknowledgement).
    on_arrival: Callable[[Ticket], None] | None = None

    def __call__(self) -> dict[str, int]:
        now = self.clock()
        counts = {"resent": 0, "given_up": 0, "skipped": 0}
        kinds = [status.value for status in PIPELINE_STATUSES] + [SWEEP_ROUTED]
        if self.translation_configured:
            kinds += [SWEEP_RETRANSLATE, SWEEP_MESSAGE]
        resend: list[StuckTicket] = []
        for kind in kinds:
            for stuck in self.sweep_index.stuck(kind, now - timedelta(seconds=self.after_seconds), SWEEP_LIMIT):
                if kind in TRANSLATION_KINDS and not self._retry_due(stuck, now):
                    continue
                # A provider outage can last hours: translations are retried and never given up.
                give_up = kind not in TRANSLATION_KINDS and stuck.sweep_attempts >= self.max_attempts
                try:
                    self.sweep_index.record_sweep(stuck, now, give_up)
                except StaleTicket:
                    counts["skipped"] += 1  # a worker moved it on meanwhile
                    continue
                if give_up:
                    counts["given_up"] += 1
                    logger.error("left for an operator", extra={"ticket_id": stuck.ticket_id, "kind": stuck.kind})
                else:
                    resend.append(stuck)
        counts["resent"] = self._resend(resend, now)
        return counts

    def _retry_due(self, stuck: StuckTicket, now: datetime) -> bool:
        """Pending translations are retried with growing pauses."""
        pause = self.after_seconds * min(2**stuck.sweep_attempts, MAX_BACKOFF_FACTOR)
        return parse_iso(stuck.resting_since) <= now - timedelta(seconds=pause)

    def _resend(self, resend: list[StuckTicket], now: datetime) -> int:
        unsent = self.publisher.send([self._claim_check(item) for item in resend]) if resend else set()
        sent = 0
        for item in resend:
            if (item.message_id or item.ticket_id) in unsent:
                continue
            sent += 1
            logger.warning("re-sent", extra={"ticket_id": item.ticket_id, "kind": item.kind})
            if item.kind == SWEEP_ROUTED:
                # The desk message is out now; a pending translation keeps it in the index.
                ticket = self.tickets.get(item.ticket_id)
                if ticket is not None and self.on_arrival is not None:
                    try:
                        self.on_arrival(ticket)
                    except Exception:
                        logger.exception("arrival not announced; next sweep", extra={"ticket_id": item.ticket_id})
                        continue
                try:
                    with contextlib.suppress(StaleTicket):
                        pending = bool(ticket and ticket.awaiting_translation)
                        self.sweep_index.mark_notified(item.ticket_id, item.version, now, then_retranslate=pending)
                except Exception:  # this ticket only: the others sent in this run are still confirmed
                    logger.exception("desk message not confirmed; next sweep", extra={"ticket_id": item.ticket_id})
        return sent

    def _claim_check(self, item: StuckTicket) -> OutgoingMessage:
        translate_queue = self.address.queue_name(aws_resource_names.TRANSLATE)
        if item.kind == SWEEP_RETRANSLATE:
            check = ClaimCheck(RETRANSLATE, item.ticket_id, item.correlation_id)
            return OutgoingMessage(translate_queue, check.to_body(), item.ticket_id)
        if item.kind == SWEEP_MESSAGE and item.message_id is not None:
            check = ClaimCheck(MESSAGE_ADDED, item.ticket_id, item.correlation_id, item.message_id)
            return OutgoingMessage(translate_queue, check.to_body(), item.message_id)
        return self.address(item.status, item.ticket_id, item.correlation_id, item.routed_region)
