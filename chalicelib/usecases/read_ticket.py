"""Read a ticket as its requester or an agent sees it: the ticket, its conversation, and for a
ticket waiting in its region's queue what its ETA is made of."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain.conversation import Message, requester_language
from chalicelib.domain.evidence import EvidenceListing
from chalicelib.domain.incidents import incident_title_in
from chalicelib.domain.notifications import Notification
from chalicelib.domain.ports import Clock
from chalicelib.domain.repositories import (
    IncidentRepository,
    MessageRepository,
    NotificationRepository,
    ResponseTimes,
    SurveyRepository,
    WorkLists,
)
from chalicelib.domain.satisfaction import Survey, resolution_count
from chalicelib.domain.ticket import DeskState, Ticket


@dataclass(frozen=True)
class TicketReading:
    ticket: Ticket
    messages: list[Message]
    now: datetime
    open_ahead: int  # open tickets of the region ahead of it in the work list
    recent_first_responses: list[float]  # the region's latest first-response times, minutes
    notifications: list[Notification] = field(default_factory=list)
    survey: Survey | None = None  # of the latest resolution
    incident: dict[str, str] | None = None  # id, status, title in the requester's language
    evidence: Sequence[EvidenceListing] = ()  # the files; download links for agents only


@dataclass(frozen=True)
class ReadTicket:
    messages: MessageRepository
    work_lists: WorkLists
    response_times: ResponseTimes
    clock: Clock
    notifications: NotificationRepository | None = None
    surveys: SurveyRepository | None = None
    incidents: IncidentRepository | None = None
    pivot_language: str = "en"
    # (ticket id, with download links) -> the ticket's evidence files (usecases/evidence.py)
    evidence: Callable[[str, bool], Sequence[EvidenceListing]] | None = None

    def __call__(self, ticket: Ticket, reader_language: str | None = None, *, agent: bool = False) -> TicketReading:
        """`reader_language`: the language the reader reads (agents: the pivot); by default the
        requester's. `agent`: the reader is an agent (evidence comes with download links)."""
        messages = self.messages.for_ticket(ticket.ticket_id)
        # The queue ahead matters only while the ticket waits in it (one COUNT query, no scan).
        waiting_in_queue = ticket.desk is not None and ticket.desk.state is DeskState.OPEN
        open_ahead = self.work_lists.open_ahead_of(ticket) if waiting_in_queue else 0
        recent = (
            self.response_times.recent_first_responses(ticket.routing.region)
            if waiting_in_queue and ticket.routing is not None
            else []
        )
        notifications = self.notifications.for_ticket(ticket.ticket_id) if self.notifications else []
        resolutions = resolution_count(ticket)
        survey = self.surveys.get(ticket.ticket_id, resolutions) if self.surveys and resolutions else None
        language = reader_language or requester_language(ticket, self.pivot_language)
        incident = self._incident(ticket, language)
        evidence = self.evidence(ticket.ticket_id, agent) if self.evidence else ()
        return TicketReading(
            ticket, messages, self.clock(), open_ahead, recent, notifications, survey, incident, evidence=evidence
        )

    def _incident(self, ticket: Ticket, language: str) -> dict[str, str] | None:
        """The incident the ticket is linked to, its title in `language` (one read, two if linked)."""
        incident_id = self.incidents.incident_of(ticket.ticket_id) if self.incidents else None
        incident = self.incidents.get(incident_id) if self.incidents and incident_id else None
        if incident is None:
            return None
        title = incident_title_in(incident, language)
        return {"id": incident.incident_id, "status": incident.status.value, "title": title}
