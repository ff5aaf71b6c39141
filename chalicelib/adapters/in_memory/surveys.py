"""domain/repositories.SurveyRepository in a dictionary of the shared InMemoryDatabase."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chalicelib.adapters.in_memory.tickets import InMemoryRepository
from chalicelib.domain.repositories import StaleTicket, TicketExists
from chalicelib.domain.satisfaction import Survey
from chalicelib.domain.ticket import iso


class InMemorySurveys(InMemoryRepository):
    @property
    def _stored(self) -> dict[tuple[str, int], dict[str, Any]]:
        return self.db.table("surveys")

    def add(self, survey: Survey) -> None:
        with self.db.lock:
            key = (survey.ticket_id, survey.resolution)
            if key in self._stored:
                raise TicketExists(survey.ticket_id)
            self._stored[key] = copy.deepcopy(survey.to_record())

    def get(self, ticket_id: str, resolution: int) -> Survey | None:
        record = self._stored.get((ticket_id, resolution))
        return Survey.from_record(copy.deepcopy(record)) if record else None

    def save(self, before: Survey, after: Survey, metric_changes: Sequence[Any] = ()) -> None:
        with self.db.lock:
            key = (before.ticket_id, before.resolution)
            stored = self._stored.get(key)
            if stored is None or stored["version"] != before.version:
                raise StaleTicket(before.ticket_id)
            self._stored[key] = copy.deepcopy(after.to_record())
            if metric_changes:
                from chalicelib.adapters.in_memory.support_metrics import apply_changes

                apply_changes(self.db, metric_changes)

    def due(self, now: datetime, limit: int) -> list[Survey]:
        cutoff = iso(now)
        due = sorted(
            (record["due_at"], key)
            for key, record in list(self._stored.items())
            if record["status"] == "scheduled" and record["due_at"] <= cutoff
        )
        return [Survey.from_record(copy.deepcopy(self._stored[key])) for _, key in due[:limit]]
