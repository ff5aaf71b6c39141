"""The fakes the use cases run on in these tests, in one place: the clock, the publisher, and
the in-memory desk (every store port in `adapters/in_memory/`) wired by the composition root.

Detector, translator and translation cache are the unit suite's own fakes, imported rather than
copied; tickets come from `tests/integration/builders.py`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib import aws_resource_names
from chalicelib.composition_root import Dependencies
from chalicelib.domain.intake import NewTicket
from chalicelib.domain.ports import OutgoingMessage, ProviderUnavailable, Translator
from chalicelib.domain.repositories import TicketRepository
from chalicelib.domain.ticket import Evidence, Language, Requester, Ticket
from chalicelib.settings import Settings, get_settings
from chalicelib.usecases.pipeline_stage import QueuedRecord
from tests.integration.builders import T0, received_ticket, routed
from tests.unit.test_stages import FixedDetector
from tests.unit.test_translation import MemoryCache, RecordingProvider

SPANISH = Language("es", 0.97, "text")
ENGLISH = Language("en", 0.99, "text")


# --- the clock -------------------------------------------------------------------------------


@dataclass
class StepClock:
    """A clock that reads `now` until a test moves it."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> datetime:
        self.now += by
        return self.now

    def move_to(self, moment: datetime) -> datetime:
        self.now = moment
        return self.now


# --- the publisher ---------------------------------------------------------------------------


@dataclass
class RecordingPublisher:
    """Collects what the use cases send. Told to, it loses the messages of some ids (reports
    them unsent, as a failed SendMessageBatch entry) or raises (SQS unreachable)."""

    sent: list[OutgoingMessage] = field(default_factory=list)
    calls: int = 0
    lose: set[str] = field(default_factory=set)
    lose_all: bool = False
    raises: Exception | None = None

    def send(self, messages: Sequence[OutgoingMessage]) -> set[str]:
        self.calls += 1
        if self.raises is not None:
            raise self.raises
        batch = list(messages)
        unsent = {message.message_id for message in batch if self.lose_all or message.message_id in self.lose}
        self.sent.extend(message for message in batch if message.message_id not in unsent)
        return unsent

    def on(self, queue_name: str) -> list[dict[str, Any]]:
        """The bodies sent to `queue_name`, in order."""
        return [message.body for message in self.sent if message.queue == queue_name]

    def take(self, queue_name: str | None = None) -> list[OutgoingMessage]:
        """What was sent (to `queue_name`, or anywhere), forgetting it: the next step's input."""
        taken = [message for message in self.sent if queue_name is None or message.queue == queue_name]
        self.sent = [message for message in self.sent if message not in taken]
        return taken

    def recover(self) -> None:
        self.lose, self.lose_all, self.raises = set(), False, None


# --- translation -----------------------------------------------------------------------------


def working_provider(name: str = "google") -> RecordingProvider:
    return RecordingProvider(name)


def unavailable_provider(name: str = "google") -> RecordingProvider:
    return RecordingProvider(name, fails_with=ProviderUnavailable)


# --- a ticket store that loses races ---------------------------------------------------------


class Interfering:
    """A TicketRepository through which another writer wins every race it is given: after each
    read, `meanwhile(store, ticket)` writes first (another agent, worker or delivery), once per
    ticket, so the use case's conditional write that follows is stale."""

    def __init__(self, inner: TicketRepository, meanwhile: Callable[[TicketRepository, Ticket], None]) -> None:
        self.inner = inner
        self.meanwhile = meanwhile
        self.interfered: set[str] = set()

    def _after_read(self, tickets: Iterable[Ticket]) -> None:
        for ticket in tickets:
            if ticket.ticket_id not in self.interfered:
                self.interfered.add(ticket.ticket_id)
                self.meanwhile(self.inner, ticket)

    def get(self, ticket_id: str) -> Ticket | None:
        found = self.inner.get(ticket_id)
        self._after_read([found] if found else [])
        return found

    def get_many(self, ticket_ids: Sequence[str]) -> dict[str, Ticket]:
        found = self.inner.get_many(ticket_ids)
        self._after_read(found.values())
        return found

    def create(self, ticket: Ticket, idempotency: Any = None, charges: Any = ()) -> None:
        self.inner.create(ticket, idempotency, charges)

    def save_transition(self, before: Ticket, after: Ticket, awaiting_notification: bool = False) -> None:
        self.inner.save_transition(before, after, awaiting_notification)

    def save_desk_change(self, before: Ticket, after: Ticket) -> None:
        self.inner.save_desk_change(before, after)


# --- the desk --------------------------------------------------------------------------------


def in_memory_desk(
    clock: Callable[[], datetime] = lambda: T0,
    publisher: RecordingPublisher | None = None,
    detector: FixedDetector | None = None,
    translators: Sequence[Translator] = (),
    settings: Settings | None = None,
) -> Dependencies:
    """Every use case on one in-memory store: no moto, no HTTP, no provider, no model."""
    return Dependencies.in_memory(
        settings or get_settings(),
        clock=clock,
        publisher=publisher if publisher is not None else RecordingPublisher(),
        detector=detector or FixedDetector(SPANISH),
        translators=list(translators),
        translation_cache=MemoryCache(),
    )


def with_parts(deps: Dependencies, **parts: Any) -> Dependencies:
    """The same store and fakes with some parts replaced (the use cases are built afresh)."""
    return replace(deps, overrides={**deps.overrides, **parts})


def queue(role: str) -> str:
    return get_settings().queue_name(role)


def desk_queue(region: str) -> str:
    return queue(aws_resource_names.desk_role(region))


def escalation_queue(region: str) -> str:
    return queue(aws_resource_names.escalation_role(region))


def delivered(messages: Iterable[OutgoingMessage | dict[str, Any] | str]) -> list[QueuedRecord]:
    """Queue records as SQS would deliver them: sent messages, bodies, or raw body text."""
    records = []
    for index, message in enumerate(messages):
        body = message.body if isinstance(message, OutgoingMessage) else message
        records.append(QueuedRecord(f"sqs-{index}", body if isinstance(body, str) else json.dumps(body)))
    return records


def new_ticket(description: str = "Me cobraron dos veces la suscripción.", **changes: Any) -> NewTicket:
    fields: dict[str, Any] = {
        "description": description,
        "subject": "Cobro doble",
        "category": "payment.charged_twice",
        "requester": Requester(id="u-1", locale="es-MX", country="MX"),
        "evidence": (Evidence("transaction_id", "TXN-1"),),
    }
    fields.update(changes)
    return NewTicket(**fields)


def on_the_desk(
    deps: Dependencies, at: datetime = T0, region: str = "latam", priority: str = "normal", **changes: Any
) -> Ticket:
    """A ticket routed to `region`'s desk at `at` with `priority`: open, nobody has it yet."""
    ticket = routed(received_ticket(at, **changes), at, region=region, priority=priority)
    deps.tickets.create(ticket)
    return ticket


def stored(deps: Dependencies, ticket: Ticket | str) -> Ticket:
    found = deps.tickets.get(ticket if isinstance(ticket, str) else ticket.ticket_id)
    assert found is not None
    return found
