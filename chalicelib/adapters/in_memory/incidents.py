"""domain/repositories.IncidentRepository in dictionaries of the shared InMemoryDatabase:
incidents by id, links by (incident, ticket), and each linked ticket's pointer to its incident."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from chalicelib.adapters.in_memory.tickets import InMemoryRepository
from chalicelib.domain.incidents import Incident, IncidentStatus, LinkPage, LinkResult
from chalicelib.domain.repositories import StaleTicket, TicketExists


class InMemoryIncidents(InMemoryRepository):
    @property
    def _incidents(self) -> dict[str, dict[str, Any]]:
        return self.db.table("incidents")

    @property
    def _links(self) -> dict[tuple[str, str], bool]:
        return self.db.table("incident_links")

    @property
    def _pointers(self) -> dict[str, str]:
        """Ticket id -> incident id."""
        return self.db.table("incident_pointers")

    def create(self, incident: Incident) -> None:
        with self.db.lock:
            if incident.incident_id in self._incidents:
                raise TicketExists(incident.incident_id)
            self._incidents[incident.incident_id] = copy.deepcopy(incident.to_record())

    def get(self, incident_id: str) -> Incident | None:
        record = self._incidents.get(incident_id)
        return Incident.from_record(copy.deepcopy(record)) if record else None

    def save(self, before: Incident, after: Incident) -> None:
        with self.db.lock:
            stored = self._incidents.get(before.incident_id)
            if stored is None or stored["version"] != before.version:
                raise StaleTicket(before.incident_id)
            self._incidents[before.incident_id] = copy.deepcopy(after.to_record())

    def listed(self, resolved: bool, limit: int) -> list[Incident]:
        wanted = [
            record
            for record in list(self._incidents.values())
            if (record["status"] == IncidentStatus.RESOLVED.value) == resolved
        ]
        newest = sorted(wanted, key=lambda record: (record["created_at"], record["incident_id"]), reverse=True)
        return [Incident.from_record(copy.deepcopy(record)) for record in newest[:limit]]

    def link(self, incident_id: str, ticket_ids: Sequence[str]) -> LinkResult:
        linked: list[str] = []
        already: list[str] = []
        elsewhere: dict[str, str] = {}
        with self.db.lock:
            for ticket_id in dict.fromkeys(ticket_ids):
                owner = self._pointers.get(ticket_id)
                if owner is not None and owner != incident_id:
                    elsewhere[ticket_id] = owner
                    continue
                (already if owner == incident_id else linked).append(ticket_id)
                self._pointers[ticket_id] = incident_id
                self._links[(incident_id, ticket_id)] = True
        return LinkResult(tuple(linked), tuple(already), elsewhere)

    def unlink(self, incident_id: str, ticket_ids: Sequence[str]) -> list[str]:
        unlinked: list[str] = []
        with self.db.lock:
            for ticket_id in dict.fromkeys(ticket_ids):
                self._links.pop((incident_id, ticket_id), None)
                if self._pointers.get(ticket_id) == incident_id:
                    del self._pointers[ticket_id]
                    unlinked.append(ticket_id)
        return unlinked

    def linked_page(self, incident_id: str, after: str, limit: int) -> LinkPage:
        ids = sorted(ticket_id for owner, ticket_id in list(self._links) if owner == incident_id and ticket_id > after)
        page = tuple(ids[:limit])
        return LinkPage(page, page[-1] if len(ids) > limit else None)

    def count_linked(self, incident_id: str) -> int:
        return sum(1 for owner, _ in list(self._links) if owner == incident_id)

    def incident_of(self, ticket_id: str) -> str | None:
        return self._pointers.get(ticket_id)

    def incidents_of(self, ticket_ids: Sequence[str]) -> dict[str, str]:
        return {ticket_id: owner for ticket_id in ticket_ids if (owner := self._pointers.get(ticket_id)) is not None}
