"""The tickets the sweeper gave up on, and putting them back where it resumes them (the
operator's `python -m chalicelib.cli stuck list | retry`).

The sweeper re-sends a ticket that rests in a pipeline status (or routed, its desk message
unconfirmed) every SWEEP_AFTER_SECONDS; after SWEEP_MAX_ATTEMPTS it parks it under `STUCK#<kind>`
and stops. Retrying puts it back into the sweeper's index as its projection had it, attempts at
0: the next sweep re-sends its claim check, and a worker moves it on (or it is parked again).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chalicelib.domain.dead_letters import PARKABLE_KINDS, FailureLog, ParkedTicket, ParkedTickets

LIST_LIMIT = 500  # per kind


@dataclass(frozen=True)
class ExplainedStuckTicket:
    parked: ParkedTicket
    last_error: str
    last_error_at: str | None


@dataclass(frozen=True)
class Retried:
    ticket_id: str
    parked: ParkedTicket | None  # None: it was not parked (retried already, moved on, unknown)


@dataclass(frozen=True)
class StuckTickets:
    parked_tickets: ParkedTickets
    failures: FailureLog

    def list(self, kind: str | None = None, limit: int = LIST_LIMIT) -> list[ExplainedStuckTicket]:
        kinds = PARKABLE_KINDS if kind is None else (kind,)
        parked = [ticket for each in kinds for ticket in self.parked_tickets.parked(each, limit)]
        failures = self.failures.last_for_tickets([ticket.ticket_id for ticket in parked]) if parked else {}
        explained: list[ExplainedStuckTicket] = []
        for ticket in sorted(parked, key=lambda ticket: ticket.parked_at):
            failure = failures.get(ticket.ticket_id)
            if failure is not None:
                error, at = f"{failure.reason} (in {failure.function})", failure.failed_at
            else:
                error, at = f"no failure recorded: swept {ticket.attempts} times, it never moved on", None
            explained.append(ExplainedStuckTicket(ticket, error, at))
        return explained

    def retry(self, ticket_ids: Sequence[str] | None) -> list[Retried]:
        """The tickets named, or every parked one (None). Idempotent: a ticket no longer parked
        is left alone."""
        if ticket_ids is None:
            ticket_ids = [item.parked.ticket_id for item in self.list()]
        return [Retried(ticket_id, self.parked_tickets.unpark(ticket_id)) for ticket_id in ticket_ids]
