"""Escalate the tickets whose SLA escalation level has risen.

Asks the escalation index for the tickets due by now (never a scan), reads them with one batch
read, and for each whose level rose since the last one recorded (`domain/desk.escalate`):
priority one step up, the level and an audit event recorded with a write conditional on the
version, then a `ticket.escalated` claim check on the region's escalation queue. The write moves
the ticket's index entry to its next escalation (or out at the top level), so a second run at
the same moment finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chalicelib import aws_resource_names
from chalicelib.domain.desk import escalate
from chalicelib.domain.messages import ESCALATED, ClaimCheck
from chalicelib.domain.ports import Clock, OutgoingMessage, Publisher
from chalicelib.domain.repositories import EscalationIndex, StaleTicket, TicketRepository
from chalicelib.domain.ticket import Ticket
from chalicelib.observability import logger

ESCALATION_LIMIT = 200  # per run; a larger backlog drains over the next runs


@dataclass(frozen=True)
class EscalateDue:
    tickets: TicketRepository
    escalation_index: EscalationIndex
    publisher: Publisher
    queue_name: Callable[[str], str]  # a queue role -> the stage's queue name
    clock: Clock
    # Hears (region, level) of every escalation written (the EMF metric); never fails the run.
    on_escalated: Callable[[Sequence[tuple[str, str]]], None] | None = None

    def __call__(self) -> dict[str, int]:
        now = self.clock()
        counts = {"escalated": 0, "skipped": 0, "unsent": 0}
        due = self.escalation_index.due(now, ESCALATION_LIMIT)
        found = self.tickets.get_many(due) if due else {}
        escalated: list[Ticket] = []
        for ticket_id in due:
            before = found.get(ticket_id)
            after = escalate(before, now) if before is not None else None
            if before is None or after is None:
                counts["skipped"] += 1  # the index lags the table: changed since
                continue
            try:
                self.tickets.save_desk_change(before, after)
            except StaleTicket:
                counts["skipped"] += 1  # an agent changed it meanwhile; the next run looks again
                continue
            escalated.append(after)
        self._count(escalated)
        # Write, then send: a lost send loses a notification, never the escalation (priority,
        # level and audit event are stored; the work list shows them).
        unsent = self.publisher.send([self._claim_check(ticket) for ticket in escalated]) if escalated else set()
        for ticket in escalated:
            assert ticket.desk is not None and ticket.routing is not None
            if ticket.ticket_id in unsent:
                counts["unsent"] += 1
                logger.error("escalation message not sent", extra={"ticket_id": ticket.ticket_id})
                continue
            counts["escalated"] += 1
            logger.info(
                "escalated",
                extra={
                    "ticket_id": ticket.ticket_id,
                    "level": ticket.desk.escalation,
                    "priority": ticket.routing.priority,
                    "region": ticket.routing.region,
                },
            )
        return counts

    def _count(self, escalated: Sequence[Ticket]) -> None:
        if not escalated or self.on_escalated is None:
            return
        try:
            self.on_escalated(
                [
                    (ticket.routing.region, ticket.desk.escalation or "")
                    for ticket in escalated
                    if ticket.routing and ticket.desk
                ]
            )
        except Exception:  # the escalations stand; a lost metric line must not fail the run
            logger.exception("escalation metrics not emitted")

    def _claim_check(self, ticket: Ticket) -> OutgoingMessage:
        assert ticket.routing is not None and ticket.desk is not None
        check = ClaimCheck(ESCALATED, ticket.ticket_id, ticket.correlation_id, level=ticket.desk.escalation)
        queue = self.queue_name(aws_resource_names.escalation_role(ticket.routing.region))
        return OutgoingMessage(queue, check.to_body(), ticket.ticket_id)
