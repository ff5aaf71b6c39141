"""The desk's use cases: list a work list, claim the next ticket, change a ticket's desk state,
and apply what a new message implies for the desk."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain import desk
from chalicelib.domain.ports import Clock
from chalicelib.domain.repositories import StaleTicket, TicketRepository, WorkLists
from chalicelib.domain.ticket import DeskState, Ticket

# A claim looks at this many of the most urgent open tickets, and re-reads the list this many
# times when other agents took every candidate first.
CLAIM_CANDIDATES = 25
CLAIM_ROUNDS = 3
# Changes that follow a message (first response, resume, reopen) re-read and retry this often.
FOLLOW_UP_ATTEMPTS = 3

DeskChange = Callable[[Ticket, str, datetime, str | None], Ticket]


@dataclass(frozen=True)
class ListWork:
    tickets: TicketRepository
    work_lists: WorkLists

    def __call__(self, region: str, state: DeskState, limit: int) -> list[Ticket]:
        """The region's work list in `state`, most urgent then earliest due first."""
        ids = self.work_lists.ticket_ids(region, state, limit)
        found = self.tickets.get_many(ids)
        # The index lags the table by a moment: keep its order, drop what moved on since.
        return [
            found[ticket_id]
            for ticket_id in ids
            if ticket_id in found and found[ticket_id].desk is not None and found[ticket_id].desk.state is state
        ]


@dataclass(frozen=True)
class ClaimNext:
    tickets: TicketRepository
    work_lists: WorkLists
    clock: Clock

    def __call__(self, region: str, agent: str, languages: Sequence[str]) -> Ticket | None:
        """Claim the most urgent open ticket of the region the agent can read best; None if none.

        Atomic: each claim is a conditional write on the ticket's version and desk state, so of
        two agents racing for one ticket exactly one wins; the loser moves on to the next one.
        """
        for _ in range(CLAIM_ROUNDS):
            queue = self.work_lists.ticket_ids(region, DeskState.OPEN, CLAIM_CANDIDATES)
            if not queue:
                return None
            found = self.tickets.get_many(queue)
            # sorted() is stable: within one preference the work list's order (urgency, deadline) holds.
            candidates = sorted(
                (found[ticket_id] for ticket_id in queue if ticket_id in found),
                key=lambda ticket: desk.claim_preference(ticket, languages),
            )
            for ticket in candidates:
                if ticket.desk is None or ticket.desk.state is not DeskState.OPEN:
                    continue  # the index lags the table: taken already
                claimed = desk.claim(ticket, agent, self.clock())
                try:
                    self.tickets.save_desk_change(ticket, claimed)
                except StaleTicket:
                    continue
                return claimed
        return None


@dataclass(frozen=True)
class ChangeDeskState:
    tickets: TicketRepository
    clock: Clock
    # What a saved change sets off (telling the requester): usecases/announcements.py.
    announce: Callable[[Ticket, Ticket], None] | None = None

    def __call__(self, ticket: Ticket, change: DeskChange, agent: str, note: str | None) -> Ticket:
        """One desk change by an agent: one conditional write; StaleTicket on a lost race."""
        after = change(ticket, agent, self.clock(), note)
        self.tickets.save_desk_change(ticket, after)
        if self.announce is not None:
            self.announce(ticket, after)
        return after


def apply_follow_up(
    tickets: TicketRepository, ticket: Ticket, change: Callable[[Ticket], Ticket | None]
) -> Ticket | None:
    """Apply a desk change a message implies (first response, resume, reopen), re-reading the
    ticket when a concurrent change won: the message is stored already, so its effect must not
    be lost to a race. None when the change does nothing."""
    for _ in range(FOLLOW_UP_ATTEMPTS):
        after = change(ticket)
        if after is None:
            return None
        try:
            tickets.save_desk_change(ticket, after)
            return after
        except StaleTicket:
            fresh = tickets.get(ticket.ticket_id)
            if fresh is None:
                return None
            ticket = fresh
    raise StaleTicket(ticket.ticket_id)
