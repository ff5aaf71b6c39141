"""Read a ticket as its requester or an agent sees it: the ticket, its conversation, and for a
ticket waiting in its region's queue what its ETA is made of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.conversation import Message
from chalicelib.domain.ports import Clock
from chalicelib.domain.repositories import MessageRepository, ResponseTimes, WorkLists
from chalicelib.domain.ticket import DeskState, Ticket


@dataclass(frozen=True)
class TicketReading:
    ticket: Ticket
    messages: list[Message]
    now: datetime
    open_ahead: int  # open tickets of the region ahead of it in the work list
    recent_first_responses: list[float]  # the region's latest first-response times, minutes


@dataclass(frozen=True)
class ReadTicket:
    messages: MessageRepository
    work_lists: WorkLists
    response_times: ResponseTimes
    clock: Clock

    def __call__(self, ticket: Ticket) -> TicketReading:
        messages = self.messages.for_ticket(ticket.ticket_id)
        # The queue ahead matters only while the ticket waits in it (one COUNT query, no scan).
        waiting_in_queue = ticket.desk is not None and ticket.desk.state is DeskState.OPEN
        open_ahead = self.work_lists.open_ahead_of(ticket) if waiting_in_queue else 0
        recent = (
            self.response_times.recent_first_responses(ticket.routing.region)
            if waiting_in_queue and ticket.routing is not None
            else []
        )
        return TicketReading(ticket, messages, self.clock(), open_ahead, recent)
