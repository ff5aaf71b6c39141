"""Dead letters and parked tickets, as an operator sees them: why a message failed, and what the
sweeper gave up on.

SQS keeps no exception: the workers record the last failure of each message (`FailureRecord`,
an item with a TTL keyed by the SQS message id, and the ticket's last failure beside it), and
the operator's tools join it with what the dead-letter queues hold. A reason is an error class
and a short message, scrubbed: never ticket text, never a message body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.domain.ids import is_ticket_id
from chalicelib.domain.messages import MalformedMessage, parse_claim_check
from chalicelib.domain.projections import SWEEP_ROUTED
from chalicelib.domain.ticket import PIPELINE_STATUSES

# A failure record outlives the message it explains: DLQ retention (14 days) and a day more.
FAILURE_RECORD_TTL_SECONDS = 15 * 24 * 3600
REASON_MAX_CHARACTERS = 200
# What the sweeper parks after its attempts: a pipeline status, or a routed ticket whose desk
# message was never confirmed (translations are retried, never given up).
PARKABLE_KINDS: tuple[str, ...] = (*(status.value for status in PIPELINE_STATUSES), SWEEP_ROUTED)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_LONG_NUMBER = re.compile(r"\d{6,}")


def scrub(text: str) -> str:
    """One line, at most REASON_MAX_CHARACTERS, without quoted values, e-mail addresses or long
    numbers: error messages echo values (a body, an attribute) that may be personal data."""
    line = " ".join(str(text).split())
    line = _QUOTED.sub("'…'", line)
    line = _EMAIL.sub("<email>", line)
    line = _LONG_NUMBER.sub("<number>", line)
    return line if len(line) <= REASON_MAX_CHARACTERS else line[: REASON_MAX_CHARACTERS - 1] + "…"


def failure_reason(error: BaseException) -> str:
    """`ErrorClass: short message`. A message that cannot be read says only what is wrong with
    it (its text echoes the body, which is never kept)."""
    name = type(error).__name__
    message = str(error)
    if name == "MalformedMessage":
        message = message.split(":", 1)[0]
    message = scrub(message)
    return f"{name}: {message}" if message else name


def ticket_id_of(body: str) -> str | None:
    """The ticket id a claim check carries, or None when the body is not one."""
    try:
        parsed = json.loads(body)
    except (TypeError, ValueError):
        return None
    ticket_id = parsed.get("ticket_id") if isinstance(parsed, dict) else None
    return ticket_id if isinstance(ticket_id, str) and is_ticket_id(ticket_id) else None


def unreadable_reason(body: str) -> str | None:
    """Why a body is not a claim check any worker reads (None when it is one)."""
    try:
        parse_claim_check(body)
    except MalformedMessage as error:
        return failure_reason(error)
    return None


@dataclass(frozen=True)
class FailureRecord:
    """The last failure of one SQS message in a worker."""

    message_id: str  # the SQS message id (kept when SQS moves the message to its DLQ)
    queue: str  # the queue it failed on
    function: str  # the worker
    reason: str  # `ErrorClass: short message`, scrubbed
    receive_count: int  # SQS's ApproximateReceiveCount at that failure
    failed_at: str  # ISO 8601
    ticket_id: str | None = None  # None when the body could not be read

    def to_record(self) -> dict[str, Any]:
        record = {
            "message_id": self.message_id,
            "queue": self.queue,
            "function": self.function,
            "reason": self.reason,
            "receive_count": self.receive_count,
            "failed_at": self.failed_at,
        }
        if self.ticket_id is not None:
            record["ticket_id"] = self.ticket_id
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> FailureRecord:
        return cls(
            message_id=str(record["message_id"]),
            queue=str(record.get("queue", "")),
            function=str(record.get("function", "")),
            reason=str(record.get("reason", "")),
            receive_count=int(record.get("receive_count") or 0),
            failed_at=str(record.get("failed_at", "")),
            ticket_id=record.get("ticket_id"),
        )


@dataclass(frozen=True)
class QueuePair:
    """A queue and its dead-letter queue (as infra/ defines them)."""

    role: str  # detect, translate, route, notify, incidents, desk-<region>, escalations-<region>
    queue: str
    dead_letter_queue: str


@dataclass(frozen=True)
class DeadLetter:
    """A message waiting in a dead-letter queue."""

    message_id: str
    dead_letter_queue: str
    body: str
    sent_at: str  # ISO 8601; when it was first sent to its queue
    first_received_at: str  # ISO 8601, or "" when SQS does not say
    receive_count: int  # SQS's count, which includes the operator's own looks at the DLQ
    source_queue: str | None = None  # from SQS (DeadLetterQueueSourceArn) when it says


@dataclass(frozen=True)
class Moved:
    """What a redrive did (or, on a dry run, would do) with one dead letter."""

    message_id: str
    dead_letter_queue: str
    queue: str
    outcome: str  # moved | would move | skipped: <why> | failed: <why>
    new_message_id: str | None = None


@dataclass(frozen=True)
class ParkedTicket:
    """A ticket the sweeper stopped re-sending after its attempts (`STUCK#<kind>`)."""

    ticket_id: str
    kind: str  # the status it rests in (received, detected, translated), or routed (desk message unconfirmed)
    attempts: int
    parked_at: str  # when the sweeper gave up (ISO 8601)
    version: int
    region: str | None = None


class FailureLog(Protocol):
    """The last failure of each message and of each ticket (items with a TTL)."""

    def record(self, failures: Sequence[FailureRecord], expires_at: int) -> None:
        """Keep each as its message's and its ticket's last failure, until `expires_at` (epoch)."""
        ...

    def for_messages(self, message_ids: Sequence[str]) -> dict[str, FailureRecord]:
        """The recorded failures of these messages, by message id (unknown ones left out)."""
        ...

    def last_for_tickets(self, ticket_ids: Sequence[str]) -> dict[str, FailureRecord]:
        """The last recorded failure of each ticket, by ticket id (unknown ones left out)."""
        ...

    def forget(self, message_id: str) -> None:
        """Drop a message's failure (it was redriven: the copy has a new id)."""
        ...


class ParkedTickets(Protocol):
    """The tickets the sweeper parked for an operator."""

    def parked(self, kind: str, limit: int) -> list[ParkedTicket]:
        """Oldest parked first."""
        ...

    def unpark(self, ticket_id: str) -> ParkedTicket | None:
        """Back into the sweeper's index as it was when the ticket last moved, attempts at 0,
        so the next sweep re-sends it; None when it is not parked (retried already, or moved)."""
        ...


class DeadLetterQueues(Protocol):
    """What the dead-letter queues hold, and moving their messages back."""

    def count(self, dead_letter_queue: str) -> int: ...

    def peek(self, dead_letter_queue: str, limit: int) -> list[DeadLetter]:
        """Up to `limit` messages, left in the queue (visible again at once)."""
        ...

    def move(
        self, pair: QueuePair, message_ids: set[str] | None, dry_run: bool, include_unreadable: bool = False
    ) -> list[Moved]:
        """Send each message (all, or those of `message_ids`) back to `pair.queue`, deleting it
        from the DLQ only once the send succeeded; a dry run sends and deletes nothing. A body no
        worker can read would only fail again: skipped unless `include_unreadable`."""
        ...
