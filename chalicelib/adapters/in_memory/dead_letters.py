"""The failure log and the parked tickets in dictionaries (twins of `adapters/dead_letters.py`
and `adapters/dynamodb/parked_tickets.py`)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from chalicelib.adapters.in_memory.tickets import InMemoryDatabase, InMemoryRepository, _SweepEntry
from chalicelib.domain.dead_letters import FailureRecord, ParkedTicket


class InMemoryFailureLog(InMemoryRepository):
    """Failure records with their expiry (epoch seconds), by message id and by ticket id."""

    def __init__(self, database: InMemoryDatabase) -> None:
        super().__init__(database)
        self.by_message: dict[str, tuple[FailureRecord, int]] = {}
        self.by_ticket: dict[str, tuple[FailureRecord, int]] = {}

    def record(self, failures: Sequence[FailureRecord], expires_at: int) -> None:
        with self.db.lock:
            for failure in failures:
                self.by_message[failure.message_id] = (failure, expires_at)
                if failure.ticket_id is not None:
                    self.by_ticket[failure.ticket_id] = (failure, expires_at)

    def for_messages(self, message_ids: Sequence[str]) -> dict[str, FailureRecord]:
        return self._live(self.by_message, message_ids)

    def last_for_tickets(self, ticket_ids: Sequence[str]) -> dict[str, FailureRecord]:
        return self._live(self.by_ticket, ticket_ids)

    def forget(self, message_id: str) -> None:
        with self.db.lock:
            self.by_message.pop(message_id, None)

    @staticmethod
    def _live(entries: dict[str, tuple[FailureRecord, int]], keys: Sequence[str]) -> dict[str, FailureRecord]:
        now = time.time()
        return {key: entries[key][0] for key in keys if key in entries and entries[key][1] > now}


class InMemoryParkedTickets(InMemoryRepository):
    def parked(self, kind: str, limit: int) -> list[ParkedTicket]:
        found = [
            self._parked(ticket_id, stored.record, stored.sweep.attempts, stored.sweep.resting_since, kind)
            for ticket_id, stored in self.db.tickets.items()
            if stored.sweep is not None and stored.sweep.parked and stored.sweep.kind == kind
        ]
        return sorted(found, key=lambda parked: parked.parked_at)[:limit]

    def unpark(self, ticket_id: str) -> ParkedTicket | None:
        with self.db.lock:
            stored = self.db.tickets.get(ticket_id)
            if stored is None or stored.sweep is None or not stored.sweep.parked:
                return None
            entry = stored.sweep
            parked = self._parked(ticket_id, stored.record, entry.attempts, entry.resting_since, entry.kind)
            stored.sweep = _SweepEntry(entry.kind, stored.record.get("updated_at") or entry.resting_since, 0)
            return parked

    @staticmethod
    def _parked(ticket_id: str, record: dict[str, object], attempts: int, since: str, kind: str) -> ParkedTicket:
        routing = record.get("routing")
        region = routing.get("region") if isinstance(routing, dict) else None
        return ParkedTicket(ticket_id, kind, attempts, since, int(str(record["version"])), region)
