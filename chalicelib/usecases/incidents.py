"""The incident desk's use cases: open an incident, list and read incidents, link and unlink the
tickets that report one, rank the open tickets that may report it, and post an update.

Posting an update stores it on the incident (a conditional write on its version) and queues its
fan-out (`incident_fanout.py`), which tells every linked requester in their own language.
Every use case answers IncidentNotFound alike for an unknown incident and for one the agent
may not act on, so an id says nothing about incidents elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chalicelib.domain import similarity
from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.desk import LISTABLE_STATES
from chalicelib.domain.incident_fanout import FanOutPage
from chalicelib.domain.incidents import (
    ANOTHER_INCIDENT,
    FanOutNotQueued,
    Incident,
    IncidentDraft,
    IncidentNotFound,
    IncidentStatus,
    IncidentUpdate,
    NotYourRegion,
    append_update,
    concerns,
    is_repeat,
    may_act_on,
    may_run,
    new_incident,
    pivot_text,
)
from chalicelib.domain.ports import Clock, OutgoingMessage, Publisher
from chalicelib.domain.repositories import IncidentRepository, StaleTicket, TicketRepository, WorkLists
from chalicelib.domain.ticket import Ticket
from chalicelib.observability import logger

LIST_LIMIT = 100
CANDIDATE_LIMIT = 100
# Candidates come from the work lists: this many of each (region, desk state) list, most urgent
# first. A query per list, never a scan.
CANDIDATE_POOL = 300
# Tickets per fan-out message, for the fan-out worker and for tickets linked after resolution.
FAN_OUT_PAGE = 100
SAVE_ATTEMPTS = 3
NOT_FOUND = "not_found"  # unknown, of another region, or not routed yet: one reason for all three


def find_incident(incidents: IncidentRepository, agent: Agent, incident_id: str) -> Incident:
    """The incident, if this agent may act on it; IncidentNotFound otherwise."""
    incident = incidents.get(incident_id)
    if incident is None or not may_act_on(agent, incident.regions):
        raise IncidentNotFound(incident_id)
    return incident


def announce(publisher: Publisher, queue: str, pages: Sequence[FanOutPage]) -> None:
    """Queue fan-out pages; FanOutNotQueued when SQS did not take every one."""
    messages = [OutgoingMessage(queue, page.to_body(), f"{page.update_id}-{index}") for index, page in enumerate(pages)]
    try:
        unsent = publisher.send(messages)
    except Exception as error:
        raise FanOutNotQueued(str(error)) from error
    if unsent:
        raise FanOutNotQueued(f"{len(unsent)} of {len(messages)} fan-out messages not queued")


@dataclass(frozen=True)
class OpenIncident:
    incidents: IncidentRepository
    clock: Clock
    pivot_language: str

    def __call__(self, agent: Agent, draft: IncidentDraft) -> Incident:
        """An agent opens an incident for regions they work (a `global` agent for any, or none)."""
        if not may_run(agent, draft.regions):
            raise NotYourRegion("open incidents for regions you all work; without regions, only global agents may")
        incident = new_incident(draft, agent.name, self.clock(), self.pivot_language)
        self.incidents.create(incident)
        logger.info("incident opened", extra={"incident_id": incident.incident_id, "regions": incident.regions})
        return incident


@dataclass(frozen=True)
class IncidentReading:
    incident: Incident
    linked_tickets: int


@dataclass(frozen=True)
class ReadIncidents:
    incidents: IncidentRepository

    def listing(self, agent: Agent, resolved: bool) -> list[Incident]:
        """Open (or resolved) incidents the agent may act on, newest first."""
        found = self.incidents.listed(resolved, LIST_LIMIT)
        return [incident for incident in found if may_act_on(agent, incident.regions)]

    def one(self, agent: Agent, incident_id: str) -> IncidentReading:
        incident = find_incident(self.incidents, agent, incident_id)
        return IncidentReading(incident, self.incidents.count_linked(incident_id))


@dataclass(frozen=True)
class LinkOutcome:
    linked: int  # newly linked
    skipped: list[tuple[str, str]]  # (ticket id, reason)


@dataclass(frozen=True)
class LinkTickets:
    incidents: IncidentRepository
    tickets: TicketRepository
    publisher: Publisher
    incidents_queue: str

    def link(self, agent: Agent, incident_id: str, ticket_ids: Sequence[str]) -> LinkOutcome:
        """Link the tickets the agent can see. A ticket linked to another incident stays there.
        Tickets linked to a resolved incident get its final update at once."""
        incident = find_incident(self.incidents, agent, incident_id)
        visible, skipped = self._visible(agent, ticket_ids)
        result = self.incidents.link(incident_id, visible)
        skipped += [(ticket_id, ANOTHER_INCIDENT) for ticket_id in result.elsewhere]
        final = incident.latest_update
        if incident.status is IncidentStatus.RESOLVED and final is not None:
            # Already linked ones too: a retry after a failed send repairs it (delivery is idempotent).
            late = [*result.linked, *result.already_linked]
            pages = [
                FanOutPage(incident_id, final.update_id, ticket_ids=tuple(late[start : start + FAN_OUT_PAGE]))
                for start in range(0, len(late), FAN_OUT_PAGE)
            ]
            announce(self.publisher, self.incidents_queue, pages)
        return LinkOutcome(len(result.linked), skipped)

    def unlink(self, agent: Agent, incident_id: str, ticket_ids: Sequence[str]) -> int:
        """Unlink tickets (of this incident, that the agent can see); the number unlinked."""
        find_incident(self.incidents, agent, incident_id)
        visible, _ = self._visible(agent, ticket_ids)
        return len(self.incidents.unlink(incident_id, visible))

    def _visible(self, agent: Agent, ticket_ids: Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
        """The ids of tickets on a desk the agent works, and the others (one reason for all)."""
        unique = list(dict.fromkeys(ticket_ids))
        found = self.tickets.get_many(unique)
        visible = [ticket_id for ticket_id in unique if _on_agents_desk(found.get(ticket_id), agent)]
        shown = set(visible)
        return visible, [(ticket_id, NOT_FOUND) for ticket_id in unique if ticket_id not in shown]


def _on_agents_desk(ticket: Ticket | None, agent: Agent) -> bool:
    return ticket is not None and ticket.routing is not None and agent.works(ticket.routing.region)


@dataclass(frozen=True)
class Candidate:
    ticket: Ticket
    score: float


@dataclass(frozen=True)
class FindCandidates:
    incidents: IncidentRepository
    tickets: TicketRepository
    work_lists: WorkLists
    pivot_language: str

    def __call__(self, agent: Agent, incident_id: str) -> list[Candidate]:
        """Open, claimed and waiting tickets of the incident's regions (those the agent works) and
        categories, written since it began and linked to no incident, most alike first: the
        incident's title and description against each ticket's pivot-language text, so a Spanish
        and a German report of the same outage both rank high."""
        incident = find_incident(self.incidents, agent, incident_id)
        regions = [region for region in incident.affected_regions if agent.works(region)]
        ids = [
            ticket_id
            for region in regions
            for state in LISTABLE_STATES
            for ticket_id in self.work_lists.ticket_ids(region, state, CANDIDATE_POOL)
        ]
        found = self.tickets.get_many(ids)
        linked = self.incidents.incidents_of(list(found))
        pool = {
            ticket_id: ticket
            for ticket_id, ticket in found.items()
            if ticket_id not in linked
            and ticket.desk is not None
            and ticket.desk.state in LISTABLE_STATES  # the index lags the table by a moment
            and concerns(incident, ticket)
        }
        texts = {ticket_id: pivot_text(ticket, self.pivot_language) for ticket_id, ticket in pool.items()}
        ranked = similarity.rank(f"{incident.title}\n{incident.description}", texts, CANDIDATE_LIMIT)
        return [Candidate(pool[ticket_id], score) for ticket_id, score in ranked]


@dataclass(frozen=True)
class PostUpdate:
    incidents: IncidentRepository
    publisher: Publisher
    incidents_queue: str
    clock: Clock

    def __call__(self, agent: Agent, incident_id: str, status: IncidentStatus, text: str) -> IncidentUpdate:
        """Append the update (a conditional write on the incident's version, re-read on a lost
        race), then queue its fan-out. Posting the latest update again re-queues its fan-out
        instead of adding a second one: that is how a client recovers from FanOutNotQueued."""
        for _ in range(SAVE_ATTEMPTS):
            incident = find_incident(self.incidents, agent, incident_id)
            if not may_run(agent, incident.regions):
                raise NotYourRegion("post updates to incidents whose regions you all work, or as a global agent")
            update = is_repeat(incident, status, text, agent.name)
            if update is not None:
                break
            after = append_update(incident, status, text, agent.name, self.clock())
            try:
                self.incidents.save(incident, after)
            except StaleTicket:
                continue
            update = after.updates[-1]
            break
        else:
            raise StaleTicket(incident_id)
        announce(self.publisher, self.incidents_queue, [FanOutPage(incident_id, update.update_id)])
        logger.info("incident update posted", extra={"incident_id": incident_id, "update_id": update.update_id})
        return update
