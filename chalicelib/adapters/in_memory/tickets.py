"""The store's ports in dictionaries: for unit tests of the use cases, and anything that wants a
desk without AWS. One `InMemoryDatabase` is shared by its repositories, as one table is by the
DynamoDB ones; index entries come from the same `domain/projections.py` rules, and the contract
suite (`tests/contract/`) holds both implementations to the same behaviour.

Records are stored as the plain dicts `to_record()` gives and rebuilt on every read, so a value
that would not survive the round trip to DynamoDB fails here too.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.adapters.in_memory.support_metrics import apply_changes
from chalicelib.domain.conversation import Message
from chalicelib.domain.desk import LISTABLE_STATES
from chalicelib.domain.projections import (
    SWEEP_RETRANSLATE,
    message_sweep_kind,
    project_ticket,
    work_list_sort_key,
)
from chalicelib.domain.rate_limits import BudgetSpent, Charge
from chalicelib.domain.repositories import (
    IdempotencyClaim,
    IdempotencyRecord,
    StaleTicket,
    StuckTicket,
    TicketExists,
)
from chalicelib.domain.support_metrics import metric_changes
from chalicelib.domain.ticket import DeskState, Status, Ticket, iso

BACKLOG_COUNT_CAP = 2000
TRANSLATION_CACHE_TTL_SECONDS = 90 * 24 * 3600
FIRST_RESPONSE_SAMPLE_TTL_SECONDS = 14 * 24 * 3600


@dataclass
class _SweepEntry:
    kind: str
    resting_since: str
    attempts: int = 0
    parked: bool = False


@dataclass
class _StoredTicket:
    record: dict[str, Any]
    projection_sort_key: str | None = None
    work_list: tuple[str, DeskState] | None = None
    escalation_due: str | None = None
    sweep: _SweepEntry | None = None

    @property
    def ticket(self) -> Ticket:
        return Ticket.from_record(copy.deepcopy(self.record))


@dataclass
class _StoredMessage:
    record: dict[str, Any]
    sweep: _SweepEntry | None = None

    @property
    def message(self) -> Message:
        return Message.from_record(copy.deepcopy(self.record))


@dataclass
class InMemoryDatabase:
    tickets: dict[str, _StoredTicket] = field(default_factory=dict)
    messages: dict[tuple[str, str], _StoredMessage] = field(default_factory=dict)
    idempotency: dict[str, tuple[IdempotencyRecord, int]] = field(default_factory=dict)
    response_times: dict[str, list[tuple[str, float, int]]] = field(default_factory=dict)
    translations: dict[str, tuple[str, float]] = field(default_factory=dict)
    # The stores added later (notifications, incidents, metrics...) keep their dictionaries here,
    # one per store, by name: `database.table("incidents")`.
    tables: dict[str, dict[Any, Any]] = field(default_factory=dict)
    # Conditional writes check and write under one lock, as DynamoDB does per item.
    lock: threading.RLock = field(default_factory=threading.RLock)

    def table(self, name: str) -> dict[Any, Any]:
        return self.tables.setdefault(name, {})

    def put_ticket(self, ticket: Ticket, awaiting_notification: bool) -> None:
        projection = project_ticket(ticket, awaiting_notification)
        entry = projection.work_list
        self.tickets[ticket.ticket_id] = _StoredTicket(
            record=copy.deepcopy(ticket.to_record()),
            projection_sort_key=entry.sort_key if entry else None,
            work_list=(entry.region, entry.state) if entry else None,
            escalation_due=iso(projection.escalation_due) if projection.escalation_due else None,
            sweep=_SweepEntry(projection.sweep_kind, ticket.updated_at) if projection.sweep_kind else None,
        )

    def put_message(self, message: Message) -> None:
        kind = message_sweep_kind(message)
        self.messages[(message.ticket_id, message.message_id)] = _StoredMessage(
            record=copy.deepcopy(message.to_record()),
            sweep=_SweepEntry(kind, message.created_at) if kind else None,
        )


class InMemoryRepository:
    def __init__(self, database: InMemoryDatabase) -> None:
        self.db = database


class InMemoryTickets(InMemoryRepository):
    def create(
        self, ticket: Ticket, idempotency: IdempotencyClaim | None = None, charges: Sequence[Charge] = ()
    ) -> None:
        with self.db.lock:
            if ticket.ticket_id in self.db.tickets:
                if self.get(ticket.ticket_id) == ticket:
                    return  # the same write again (a client library's retry): done already
                raise TicketExists(ticket.ticket_id)
            if idempotency is not None:
                existing = self.db.idempotency.get(idempotency.key_hash)
                if existing is not None and existing[1] >= time.time():
                    raise TicketExists(ticket.ticket_id)
            # The request counts, all or none, as in the DynamoDB store's one transaction.
            counters = self.db.table("rate_counters")
            for charge in charges:
                hits, _ = counters.get((charge.bucket, charge.window_start), (0, charge.expires_at))
                if hits >= charge.limit:
                    raise BudgetSpent(charge.refusal)
            for charge in charges:
                hits, expires = counters.get((charge.bucket, charge.window_start), (0, charge.expires_at))
                counters[(charge.bucket, charge.window_start)] = (hits + 1, expires)
            if idempotency is not None:
                self.db.idempotency[idempotency.key_hash] = (idempotency.record, idempotency.expires_at)
            self.db.put_ticket(ticket, awaiting_notification=False)
            apply_changes(self.db, metric_changes(None, ticket))

    def get(self, ticket_id: str) -> Ticket | None:
        stored = self.db.tickets.get(ticket_id)
        return stored.ticket if stored else None

    def get_many(self, ticket_ids: Sequence[str]) -> dict[str, Ticket]:
        return {ticket_id: stored.ticket for ticket_id in ticket_ids if (stored := self.db.tickets.get(ticket_id))}

    def save_transition(self, before: Ticket, after: Ticket, awaiting_notification: bool = False) -> None:
        with self.db.lock:
            stored = self.db.tickets.get(before.ticket_id)
            current = stored.ticket if stored else None
            if current is None or current.status is not before.status or current.version != before.version:
                raise StaleTicket(before.ticket_id)
            self.db.put_ticket(after, awaiting_notification)
            # The support metrics change with the ticket, under the same lock: counted once.
            apply_changes(self.db, metric_changes(before, after))

    def save_desk_change(self, before: Ticket, after: Ticket) -> None:
        assert before.desk is not None
        with self.db.lock:
            stored = self.db.tickets.get(before.ticket_id)
            if stored is None or stored.record["version"] != before.version:
                raise StaleTicket(before.ticket_id)
            desk = stored.record.get("desk")
            if desk is not None and desk["state"] != before.desk.state.value:
                raise StaleTicket(before.ticket_id)
            self.db.put_ticket(after, awaiting_notification=False)
            apply_changes(self.db, metric_changes(before, after))


class InMemoryIdempotency(InMemoryRepository):
    def get(self, key_hash: str) -> IdempotencyRecord | None:
        found = self.db.idempotency.get(key_hash)
        if found is None or found[1] < time.time():
            return None
        return found[0]


class InMemoryMessages(InMemoryRepository):
    def add(self, message: Message) -> None:
        with self.db.lock:
            if (message.ticket_id, message.message_id) in self.db.messages:
                raise TicketExists(message.message_id)
            self.db.put_message(message)

    def get(self, ticket_id: str, message_id: str) -> Message | None:
        stored = self.db.messages.get((ticket_id, message_id))
        return stored.message if stored else None

    def save(self, before: Message, after: Message) -> None:
        with self.db.lock:
            stored = self.db.messages.get((before.ticket_id, before.message_id))
            if stored is None or stored.record["version"] != before.version:
                raise StaleTicket(before.message_id)
            self.db.put_message(after)

    def for_ticket(self, ticket_id: str) -> list[Message]:
        keys = sorted(key for key in self.db.messages if key[0] == ticket_id)
        return [self.db.messages[key].message for key in keys]


class InMemoryResponseTimes(InMemoryRepository):
    def add_first_response(self, region: str, ticket_id: str, minutes: float, at: datetime) -> None:
        with self.db.lock:
            samples = self.db.response_times.setdefault(region, [])
            expires = int(at.timestamp()) + FIRST_RESPONSE_SAMPLE_TTL_SECONDS
            samples.append((f"{iso(at)}#{ticket_id}", round(max(minutes, 0.0), 2), expires))

    def recent_first_responses(self, region: str, limit: int = 50) -> list[float]:
        newest = sorted(self.db.response_times.get(region, []), reverse=True)[:limit]
        now = time.time()
        return [minutes for _, minutes, expires in newest if expires >= now]


class InMemoryWorkLists(InMemoryRepository):
    def _entries(self, region: str, state: DeskState) -> list[tuple[str, str]]:
        return sorted(
            (stored.projection_sort_key or "", ticket_id)
            for ticket_id, stored in self.db.tickets.items()
            if stored.work_list == (region, state)
        )

    def ticket_ids(self, region: str, state: DeskState, limit: int = 50) -> list[str]:
        if state not in LISTABLE_STATES:
            raise ValueError(f"no work list for desk state {state.value}")
        return [ticket_id for _, ticket_id in self._entries(region, state)[:limit]]

    def open_ahead_of(self, ticket: Ticket) -> int:
        if ticket.routing is None:
            return 0
        key = work_list_sort_key(ticket)
        ahead = sum(1 for sort_key, _ in self._entries(ticket.routing.region, DeskState.OPEN) if sort_key < key)
        return min(ahead, BACKLOG_COUNT_CAP)


class InMemorySweepIndex(InMemoryRepository):
    def stuck(self, kind: str, older_than: datetime, limit: int) -> list[StuckTicket]:
        cutoff = iso(older_than)
        found: list[StuckTicket] = []
        for stored in self.db.tickets.values():
            entry = stored.sweep
            if entry and entry.kind == kind and not entry.parked and entry.resting_since < cutoff:
                record = stored.record
                region = (record.get("routing") or {}).get("region")
                found.append(self._stuck(kind, entry, record, region, None))
        for (_, message_id), message in self.db.messages.items():
            entry = message.sweep
            if entry and entry.kind == kind and not entry.parked and entry.resting_since < cutoff:
                found.append(self._stuck(kind, entry, message.record, None, message_id))
        return sorted(found, key=lambda stuck: stuck.resting_since)[:limit]

    @staticmethod
    def _stuck(
        kind: str, entry: _SweepEntry, record: dict[str, Any], region: str | None, message_id: str | None
    ) -> StuckTicket:
        return StuckTicket(
            kind=kind,
            ticket_id=record["ticket_id"],
            status=Status(record.get("status", Status.ROUTED.value)),
            version=int(record["version"]),
            correlation_id=record.get("correlation_id", ""),
            sweep_attempts=entry.attempts,
            routed_region=region,
            message_id=message_id,
            resting_since=entry.resting_since,
        )

    def record_sweep(self, stuck: StuckTicket, now: datetime, give_up: bool) -> None:
        with self.db.lock:
            if stuck.message_id is not None:
                stored: _StoredTicket | _StoredMessage | None = self.db.messages.get(
                    (stuck.ticket_id, stuck.message_id)
                )
                fresh = stored is not None and stored.record["version"] == stuck.version
            else:
                stored = self.db.tickets.get(stuck.ticket_id)
                fresh = (
                    stored is not None
                    and stored.record["version"] == stuck.version
                    and stored.record["status"] == stuck.status.value
                )
            if stored is None or not fresh:
                raise StaleTicket(stuck.ticket_id)
            stored.sweep = _SweepEntry(stuck.kind, iso(now), stuck.sweep_attempts + 1, parked=give_up)

    def mark_notified(self, ticket_id: str, version: int, now: datetime, then_retranslate: bool = False) -> None:
        with self.db.lock:
            stored = self.db.tickets.get(ticket_id)
            if stored is None or stored.record["version"] != version:
                raise StaleTicket(ticket_id)
            stored.sweep = _SweepEntry(SWEEP_RETRANSLATE, iso(now)) if then_retranslate else None


class InMemoryEscalationIndex(InMemoryRepository):
    def due(self, now: datetime, limit: int) -> list[str]:
        cutoff = iso(now)
        due = sorted(
            (stored.escalation_due, ticket_id)
            for ticket_id, stored in self.db.tickets.items()
            if stored.escalation_due is not None and stored.escalation_due <= cutoff
        )
        return [ticket_id for _, ticket_id in due[:limit]]


class InMemoryTranslationCache(InMemoryRepository):
    """domain/translation.TranslationCache: masked text's translations, for 90 days."""

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        now = time.time()
        found = {key: self.db.translations.get(key) for key in dict.fromkeys(keys)}
        return {key: entry[0] for key, entry in found.items() if entry is not None and entry[1] >= now}

    def put(self, key: str, translated: str) -> None:
        with self.db.lock:
            self.db.translations[key] = (translated, time.time() + TRANSLATION_CACHE_TTL_SECONDS)
