"""Run one pipeline stage over a batch of claim checks: the loop every pipeline worker shares.

Per batch: one consistent BatchGetItem, one conditional write per ticket, one SendMessageBatch
per next queue. Per record: a ticket already past this stage is a duplicate delivery and a
no-op; a lost conditional write means another delivery won, also a no-op; anything else that
goes wrong fails that record only, so SQS retries it and, after maxReceiveCount, dead-letters it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from chalicelib import aws_resource_names
from chalicelib.domain.dead_letters import failure_reason
from chalicelib.domain.messages import ClaimCheck, MalformedMessage, claim_check, parse_claim_check
from chalicelib.domain.ports import Clock, OutgoingMessage, Publisher
from chalicelib.domain.repositories import StaleTicket, SweepIndex, TicketRepository
from chalicelib.domain.stages import Hop, NextHop, next_hop, region_of
from chalicelib.domain.ticket import Status, Ticket
from chalicelib.observability import logger, record_context


@dataclass(frozen=True)
class Stage:
    """One row of the pipeline's stage table (the composition root builds them)."""

    name: str
    consumes: Status
    # Given the ticket as read and the time, returns it advanced (pure domain work).
    work: Callable[[Ticket, datetime], Ticket]
    # Other claim-check types this worker handles one by one, outside the status machine
    # (the translate worker's later translations); a handler raises to have the record retried.
    followups: Mapping[str, Callable[[ClaimCheck], None]] = field(default_factory=dict)
    # What else a ticket's arrival at its desk sets off (the requester's acknowledgement). Runs
    # before the desk message is confirmed: if it raises, the sweeper tries both again.
    on_arrival: Callable[[Ticket], None] | None = None


@dataclass(frozen=True)
class QueuedRecord:
    message_id: str
    body: str


class _Outcome(Enum):
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class _Retry:
    reason: str  # what the dead-letter tools show: no ticket text


def queue_role(hop: NextHop) -> str:
    """The queue (its role in `aws_resource_names`) that serves a hop."""
    if hop.hop is Hop.DESK:
        assert hop.region is not None
        return aws_resource_names.desk_role(hop.region)
    return {
        Hop.DETECT: aws_resource_names.DETECT,
        Hop.TRANSLATE: aws_resource_names.TRANSLATE,
        Hop.ROUTE: aws_resource_names.ROUTE,
    }[hop.hop]


@dataclass(frozen=True)
class ClaimCheckAddresser:
    """Addresses the claim check announcing that a ticket reached a status to its next queue."""

    queue_name: Callable[[str], str]  # a queue role -> the stage's queue name

    def __call__(self, status: Status, ticket_id: str, correlation_id: str, region: str | None) -> OutgoingMessage:
        return OutgoingMessage(
            queue=self.queue_name(queue_role(next_hop(status, region))),
            body=claim_check(status, ticket_id, correlation_id).to_body(),
            message_id=ticket_id,
        )


@dataclass(frozen=True)
class RunStage:
    tickets: TicketRepository
    sweep_index: SweepIndex
    publisher: Publisher
    address: ClaimCheckAddresser
    clock: Clock

    def __call__(self, stage: Stage, records: list[QueuedRecord]) -> list[str]:
        """Process a batch; return the message ids that failed and must be retried."""
        return list(self.run(stage, records))

    def run(self, stage: Stage, records: list[QueuedRecord]) -> dict[str, str]:
        """Process a batch; return why each record that must be retried failed, by message id
        (`ErrorClass: short message`, no ticket text: what the dead-letter tools show)."""
        failed: dict[str, str] = {}
        checks: dict[str, ClaimCheck] = {}
        for record in records:
            try:
                checks[record.message_id] = parse_claim_check(record.body)
            except MalformedMessage as error:
                # The reason, not str(error): that echoes the body, which may hold anything.
                failed[record.message_id] = failure_reason(error)
                logger.error(
                    "malformed message",
                    extra={"stage": stage.name, "message_id": record.message_id, "error": failed[record.message_id]},
                )
        for message_id, check in list(checks.items()):
            if check.type in stage.followups:
                del checks[message_id]
                reason = self._follow_up(stage, check)
                if reason is not None:
                    failed[message_id] = reason
        current = self.tickets.get_many([check.ticket_id for check in checks.values()]) if checks else {}
        advanced: list[Ticket] = []
        for message_id, check in checks.items():
            with record_context(correlation_id=check.correlation_id, ticket_id=check.ticket_id):
                try:
                    outcome = self._advance_one(stage, check.ticket_id, current)
                except Exception as error:
                    logger.exception("stage failed", extra={"stage": stage.name})
                    outcome = _Retry(failure_reason(error))
            if isinstance(outcome, _Retry):
                failed[message_id] = outcome.reason
            elif isinstance(outcome, Ticket):
                advanced.append(outcome)
        self._forward(stage, advanced)
        return failed

    def _follow_up(self, stage: Stage, check: ClaimCheck) -> str | None:
        """None when done, else why it failed."""
        with record_context(correlation_id=check.correlation_id, ticket_id=check.ticket_id):
            try:
                stage.followups[check.type](check)
                return None
            except Exception as error:
                logger.exception("follow-up failed", extra={"stage": stage.name, "type": check.type})
                return failure_reason(error)

    def _advance_one(self, stage: Stage, ticket_id: str, current: dict[str, Ticket]) -> Ticket | _Outcome | _Retry:
        ticket = current.get(ticket_id)
        if ticket is None:
            logger.warning("ticket not found; will retry", extra={"stage": stage.name})
            return _Retry("ticket not found")
        if ticket.status.rank > stage.consumes.rank:
            logger.info("duplicate delivery ignored", extra={"stage": stage.name, "status": ticket.status.value})
            return _Outcome.DUPLICATE
        if ticket.status.rank < stage.consumes.rank:
            logger.warning(
                "ticket not ready for this stage; will retry",
                extra={"stage": stage.name, "status": ticket.status.value},
            )
            return _Retry(f"ticket not ready: it is {ticket.status.value}, {stage.name} takes {stage.consumes.value}")
        after = stage.work(ticket, self.clock())
        try:
            final = next_hop(after.status, region_of(after)).final
            self.tickets.save_transition(ticket, after, awaiting_notification=final)
        except StaleTicket:
            fresh = self.tickets.get(ticket_id)
            if fresh is not None and fresh.status.rank > stage.consumes.rank:
                logger.info("another delivery advanced the ticket first", extra={"stage": stage.name})
                return _Outcome.DUPLICATE
            return _Retry("StaleTicket: another writer changed the ticket first")
        current[ticket_id] = after  # a second record for the same ticket in this batch is a duplicate
        logger.info(describe(after), extra={"stage": stage.name, "status": after.status.value})
        return after

    def _forward(self, stage: Stage, advanced: Iterable[Ticket]) -> None:
        """Send each advanced ticket's claim check; confirm the final (desk) ones in the index.

        A send that fails is not retried here: the ticket is saved and sits in the sweeper's
        index, which re-sends it once it is older than SWEEP_AFTER_SECONDS.
        """
        tickets = list(advanced)
        if not tickets:
            return
        unsent = self.publisher.send(
            [
                self.address(ticket.status, ticket.ticket_id, ticket.correlation_id, region_of(ticket))
                for ticket in tickets
            ]
        )
        for ticket in tickets:
            if ticket.ticket_id in unsent:
                logger.error(
                    "claim check not sent; the sweeper will re-send it",
                    extra={"stage": stage.name, "ticket_id": ticket.ticket_id},
                )
            elif next_hop(ticket.status, region_of(ticket)).final:
                if stage.on_arrival is not None and not _arrived(stage.on_arrival, ticket):
                    continue  # left unconfirmed: the sweeper re-sends, and announces it again
                try:
                    with contextlib.suppress(StaleTicket):  # moved on already: nothing left to confirm
                        self.sweep_index.mark_notified(
                            ticket.ticket_id, ticket.version, self.clock(), then_retranslate=ticket.awaiting_translation
                        )
                except Exception:  # this ticket only: the rest of the batch is still confirmed
                    logger.exception(
                        "desk message not confirmed; the sweeper will re-send it", extra={"stage": stage.name}
                    )


def _arrived(on_arrival: Callable[[Ticket], None], ticket: Ticket) -> bool:
    try:
        on_arrival(ticket)
    except Exception:
        logger.exception("arrival not announced; the sweeper will try again", extra={"ticket_id": ticket.ticket_id})
        return False
    return True


def describe(ticket: Ticket) -> str:
    """One readable line on what a stage decided."""
    parts = [ticket.status.value]
    if ticket.language is not None and ticket.status in (Status.DETECTED, Status.TRANSLATED):
        language = ticket.language
        parts.append(f"language={language.code} confidence={language.confidence:.2f} source={language.source}")
    if ticket.translation is not None and ticket.status is Status.TRANSLATED:
        parts.append(f"translation={ticket.translation.status.value}")
        if ticket.translation.provider:
            parts.append(f"provider={ticket.translation.provider}")
    if ticket.routing is not None:
        routing = ticket.routing
        parts.append(f"region={routing.region} ({routing.reason}) priority={routing.priority} queue={routing.queue}")
    return " ".join(parts)
