"""The small interfaces the domain needs from the outside world; adapters implement them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # conversation imports this module
    from chalicelib.domain.conversation import Message

from chalicelib.domain.ticket import DeskState, Language, Requester, Status, Ticket


class Detector(Protocol):
    def detect(self, text: str, requester: Requester) -> Language: ...


class ProviderUnavailable(RuntimeError):
    """The provider could not be reached or is overloaded: worth trying again later."""


class TranslationRejected(RuntimeError):
    """The provider answered but will not translate this (unsupported pair, bad input)."""


class Translator(Protocol):
    name: str
    max_chars: int  # the provider's limit for one call; longer text is split on sentences
    max_bytes: int  # the same limit in bytes of UTF-8 (Amazon Translate counts bytes, not characters)

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


# What the sweeper looks for, besides a ticket resting in a pipeline status (its status value):
SWEEP_ROUTED = "routed"  # routed, but the desk message is not confirmed sent
SWEEP_RETRANSLATE = "retranslate"  # routed with its translation pending
SWEEP_MESSAGE = "message"  # a conversation message waiting for its translation


@dataclass(frozen=True)
class StuckTicket:
    kind: str  # a pipeline status value, or one of the SWEEP_* kinds above
    ticket_id: str
    status: Status
    version: int  # of the ticket, or of the message for SWEEP_MESSAGE
    correlation_id: str
    sweep_attempts: int
    routed_region: str | None
    message_id: str | None = None
    resting_since: str = ""  # when it last moved or was last re-sent (ISO 8601)


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

    def save_desk_change(self, before: Ticket, after: Ticket) -> None:
        """Write `after` only if the stored ticket still has `before`'s version and desk state;
        StaleTicket otherwise."""
        ...

    def escalations_due(self, now: datetime, limit: int) -> list[str]:
        """Ids of tickets whose escalation level has risen by `now` (from an index, never a scan)."""
        ...

    def desk_list(self, region: str, state: DeskState, limit: int = 50) -> list[str]:
        """Ticket ids of the region's work list in `state`, most urgent then earliest due first."""
        ...

    def open_ahead_of(self, ticket: Ticket) -> int:
        """Open tickets of the ticket's region ahead of it in the work list (a count, capped)."""
        ...

    def mark_notified(self, ticket_id: str, version: int, then_retranslate: bool) -> None:
        """The ticket's desk message went out: it leaves the sweeper's index, unless its
        translation is still pending (then it waits there for a retry)."""
        ...

    def stuck(self, kind: str, older_than: datetime, limit: int) -> list[StuckTicket]: ...

    def record_sweep(self, stuck: StuckTicket, now: datetime, give_up: bool) -> None: ...

    def add_message(self, message: Message) -> None: ...

    def add_first_response_sample(self, region: str, ticket_id: str, minutes: float, at: datetime) -> None:
        """Remember how long a ticket of `region` waited for its first answer (kept two weeks)."""
        ...

    def recent_first_response_minutes(self, region: str, limit: int = 50) -> list[float]:
        """The region's latest first-response times, newest first."""
        ...

    def get_message(self, ticket_id: str, message_id: str) -> Message | None: ...

    def save_message(self, before: Message, after: Message) -> None:
        """Write `after` only if the stored message is still at `before.version`."""
        ...

    def messages(self, ticket_id: str) -> list[Message]:
        """The ticket's conversation, oldest first."""
        ...


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
