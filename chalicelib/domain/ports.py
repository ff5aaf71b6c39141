"""The small interfaces the domain needs from the outside world; adapters implement them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.ticket import Language, Requester, Status, Ticket


class Detector(Protocol):
    def detect(self, text: str, requester: Requester) -> Language: ...


class ProviderUnavailable(RuntimeError):
    """The provider could not be reached or is overloaded: worth trying again later."""


class TranslationRejected(RuntimeError):
    """The provider answered but will not translate this (unsupported pair, bad input)."""


class Translator(Protocol):
    name: str
    max_chars: int  # the provider's limit for one call; longer text is split on sentences

    def translate(self, text: str, source: str, target: str) -> str:
        """Raise ProviderUnavailable or TranslationRejected rather than return a bad text."""
        ...


class StaleTicket(RuntimeError):
    """A conditional write lost: the ticket moved on (or was changed) since it was read."""


class TicketExists(RuntimeError):
    """A create collided with an existing ticket or idempotency record."""


@dataclass(frozen=True)
class IdempotencyRecord:
    ticket_id: str
    fingerprint: str
    sealed_token: str


@dataclass(frozen=True)
class StuckTicket:
    ticket_id: str
    status: Status
    version: int
    correlation_id: str
    sweep_attempts: int
    routed_region: str | None


class TicketStore(Protocol):
    def create(
        self,
        ticket: Ticket,
        idempotency_key_hash: str | None,
        idempotency: IdempotencyRecord | None,
        expires_at: int | None,
    ) -> None:
        """Store a new ticket (and its idempotency record atomically); TicketExists on a clash."""
        ...

    def get(self, ticket_id: str) -> Ticket | None: ...

    def get_many(self, ticket_ids: Sequence[str]) -> dict[str, Ticket]: ...

    def get_idempotency(self, key_hash: str) -> IdempotencyRecord | None: ...

    def save_transition(self, before: Ticket, after: Ticket, awaiting_notification: bool) -> None:
        """Write `after` only if the stored ticket is still `before` (status and version)."""
        ...

    def mark_notified(self, ticket_id: str, version: int) -> None:
        """The ticket's final message went out: it leaves the sweeper's index."""
        ...

    def stuck(self, status: Status, older_than: datetime, limit: int) -> list[StuckTicket]: ...

    def record_sweep(self, stuck: StuckTicket, now: datetime, give_up: bool) -> None: ...


@dataclass(frozen=True)
class OutgoingMessage:
    queue: str
    body: dict[str, Any]
    # Unique within one send batch; callers use the ticket id.
    message_id: str


class Publisher(Protocol):
    def send(self, messages: Sequence[OutgoingMessage]) -> set[str]:
        """Send all; return the message_ids that could not be sent."""
        ...
