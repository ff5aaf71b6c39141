"""The store's ports, one per aggregate, and the index projections over them.

Each port is small (a handful of methods); `adapters/dynamodb/` implements them on one table and
`adapters/in_memory/` in dictionaries, and `tests/contract/` runs one suite against both so the
two cannot drift. Where a ticket appears in an index is decided by `domain/projections.py`, not by
an adapter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.domain.conversation import Message
from chalicelib.domain.ticket import DeskState, Status, Ticket


class StaleTicket(RuntimeError):
    """A conditional write lost: the ticket (or message) moved on since it was read."""


class TicketExists(RuntimeError):
    """A create collided with an existing ticket, message or live idempotency record."""


@dataclass(frozen=True)
class IdempotencyRecord:
    ticket_id: str
    fingerprint: str
    sealed_token: str


@dataclass(frozen=True)
class IdempotencyClaim:
    """An idempotency record written atomically with the ticket it names."""

    key_hash: str
    record: IdempotencyRecord
    expires_at: int  # epoch seconds; the table's TTL


@dataclass(frozen=True)
class StuckTicket:
    kind: str  # a pipeline status value, or one of the SWEEP_* kinds of domain/projections.py
    ticket_id: str
    status: Status
    version: int  # of the ticket, or of the message for SWEEP_MESSAGE
    correlation_id: str
    sweep_attempts: int
    routed_region: str | None
    message_id: str | None = None
    resting_since: str = ""  # when it last moved or was last re-sent (ISO 8601)


class TicketRepository(Protocol):
    """Tickets; every write but `create` is conditional on what the writer read (StaleTicket)."""

    def create(self, ticket: Ticket, idempotency: IdempotencyClaim | None = None) -> None:
        """Store a new ticket (and its idempotency record atomically); TicketExists on a clash."""
        ...

    def get(self, ticket_id: str) -> Ticket | None: ...

    def get_many(self, ticket_ids: Sequence[str]) -> dict[str, Ticket]: ...

    def save_transition(self, before: Ticket, after: Ticket, awaiting_notification: bool = False) -> None:
        """Write `after` only if the stored ticket is still `before` (status and version).
        `awaiting_notification`: the ticket's final (desk) message is not confirmed sent yet."""
        ...

    def save_desk_change(self, before: Ticket, after: Ticket) -> None:
        """Write `after` only if the stored ticket still has `before`'s version and desk state."""
        ...


class IdempotencyRepository(Protocol):
    def get(self, key_hash: str) -> IdempotencyRecord | None:
        """The live record for a hashed Idempotency-Key (an expired one reads as None)."""
        ...


class MessageRepository(Protocol):
    """A ticket's conversation: requester messages and agent replies."""

    def add(self, message: Message) -> None:
        """TicketExists if a message with that id is stored already."""
        ...

    def get(self, ticket_id: str, message_id: str) -> Message | None: ...

    def save(self, before: Message, after: Message) -> None:
        """Write `after` only if the stored message is still at `before.version`."""
        ...

    def for_ticket(self, ticket_id: str) -> list[Message]:
        """The ticket's conversation, oldest first."""
        ...


class ResponseTimes(Protocol):
    """The regions' recent first-response times: what the requester's ETA is made of."""

    def add_first_response(self, region: str, ticket_id: str, minutes: float, at: datetime) -> None:
        """Remember how long a ticket of `region` waited for its first answer (kept two weeks)."""
        ...

    def recent_first_responses(self, region: str, limit: int = 50) -> list[float]:
        """The region's latest first-response times in minutes, newest first."""
        ...


class WorkLists(Protocol):
    """The desk's work lists: one per region and listable desk state (a projection of tickets)."""

    def ticket_ids(self, region: str, state: DeskState, limit: int = 50) -> list[str]:
        """Most urgent first, then the earliest running deadline."""
        ...

    def open_ahead_of(self, ticket: Ticket) -> int:
        """Open tickets of the ticket's region ahead of it in the work list (a count, capped)."""
        ...


class SweepIndex(Protocol):
    """Tickets and messages a worker still owes a step (a projection); the sweeper's view."""

    def stuck(self, kind: str, older_than: datetime, limit: int) -> list[StuckTicket]:
        """Entries of `kind` resting since before `older_than`."""
        ...

    def record_sweep(self, stuck: StuckTicket, now: datetime, give_up: bool) -> None:
        """Count a re-send and restart the wait; past the limit, park it for an operator."""
        ...

    def mark_notified(self, ticket_id: str, version: int, now: datetime, then_retranslate: bool = False) -> None:
        """The ticket's desk message went out (at `now`): it leaves the index, unless its
        translation is still pending (then it waits there for a retry, from `now`)."""
        ...


class EscalationIndex(Protocol):
    def due(self, now: datetime, limit: int) -> list[str]:
        """Ids of tickets whose escalation level has risen by `now` (never a scan)."""
        ...
