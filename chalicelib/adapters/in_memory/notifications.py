"""domain/repositories.NotificationRepository in a dictionary of the shared InMemoryDatabase."""

from __future__ import annotations

import copy
from datetime import datetime

from chalicelib.adapters.in_memory.tickets import InMemoryRepository
from chalicelib.domain.notifications import Notification
from chalicelib.domain.repositories import StaleTicket, TicketExists
from chalicelib.domain.ticket import iso


class InMemoryNotifications(InMemoryRepository):
    @property
    def _stored(self) -> dict[tuple[str, str], dict]:
        return self.db.table("notifications")

    def add(self, notification: Notification) -> None:
        with self.db.lock:
            key = (notification.ticket_id, notification.notification_id)
            if key in self._stored:
                raise TicketExists(notification.notification_id)
            self._stored[key] = copy.deepcopy(notification.to_record())

    def get(self, ticket_id: str, notification_id: str) -> Notification | None:
        record = self._stored.get((ticket_id, notification_id))
        return Notification.from_record(copy.deepcopy(record)) if record else None

    def save(self, before: Notification, after: Notification) -> None:
        with self.db.lock:
            key = (before.ticket_id, before.notification_id)
            stored = self._stored.get(key)
            if stored is None or stored["version"] != before.version:
                raise StaleTicket(before.notification_id)
            self._stored[key] = copy.deepcopy(after.to_record())

    def for_ticket(self, ticket_id: str) -> list[Notification]:
        found = [
            Notification.from_record(copy.deepcopy(record))
            for (owner, _), record in self._stored.items()
            if owner == ticket_id
        ]
        return sorted(found, key=lambda notification: (notification.created_at, notification.notification_id))

    def due(self, now: datetime, limit: int) -> list[Notification]:
        cutoff = iso(now)
        due = sorted(
            (record["next_attempt_at"], key)
            for key, record in list(self._stored.items())
            if record["status"] == "queued" and record["next_attempt_at"] <= cutoff
        )
        return [Notification.from_record(copy.deepcopy(self._stored[key])) for _, key in due[:limit]]
