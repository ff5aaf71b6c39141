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
from typing import Any, Protocol

from chalicelib.domain.access import TicketAccess
from chalicelib.domain.agent_tokens import Revocation
from chalicelib.domain.conversation import Message
from chalicelib.domain.evidence import Evidence
from chalicelib.domain.incidents import Incident, LinkPage, LinkResult
from chalicelib.domain.notifications import Notification
from chalicelib.domain.rate_limits import Charge
from chalicelib.domain.satisfaction import Survey
from chalicelib.domain.support_metrics import BacklogGauge, DailyAggregate
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

    def create(
        self, ticket: Ticket, idempotency: IdempotencyClaim | None = None, charges: Sequence[Charge] = ()
    ) -> None:
        """Store a new ticket (and its idempotency record and request counts atomically);
        TicketExists on a clash of id or key (first), BudgetSpent when a charge's budget is spent."""
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


class NotificationRepository(Protocol):
    """What the desk told a requester, per channel (`pk = TICKET#<id>`, `sk = NOTIFY#<id>`)."""

    def add(self, notification: Notification) -> None:
        """TicketExists if this notification (its deterministic id) is stored already."""
        ...

    def get(self, ticket_id: str, notification_id: str) -> Notification | None: ...

    def save(self, before: Notification, after: Notification) -> None:
        """Write `after` only if the stored one is still at `before.version` (StaleTicket)."""
        ...

    def for_ticket(self, ticket_id: str) -> list[Notification]:
        """Oldest first."""
        ...

    def due(self, now: datetime, limit: int) -> list[Notification]:
        """Queued notifications whose next attempt is due by `now` (an index query, no scan)."""
        ...


class SurveyRepository(Protocol):
    """Satisfaction surveys, one per resolution (`pk = TICKET#<id>`, `sk = SURVEY#<n>`)."""

    def add(self, survey: Survey) -> None:
        """TicketExists if this resolution's survey is stored already."""
        ...

    def get(self, ticket_id: str, resolution: int) -> Survey | None: ...

    def save(self, before: Survey, after: Survey, metric_changes: Sequence[Any] = ()) -> None:
        """Write `after` only if the stored one is still at `before.version` (StaleTicket);
        `metric_changes` (support metrics counters) are applied in the same write."""
        ...

    def due(self, now: datetime, limit: int) -> list[Survey]:
        """Scheduled surveys due by `now` (an index query, no scan)."""
        ...


class IncidentRepository(Protocol):
    """Incidents (`pk = INCIDENT#<id>`), their links to tickets (`sk = LINK#<ticket id>`) and each
    linked ticket's pointer back (`pk = TICKET#<id>`, `sk = INCIDENT`): a ticket belongs to at
    most one incident."""

    def create(self, incident: Incident) -> None:
        """TicketExists if an incident with that id is stored already."""
        ...

    def get(self, incident_id: str) -> Incident | None: ...

    def save(self, before: Incident, after: Incident) -> None:
        """Write `after` only if the stored incident is still at `before.version` (StaleTicket)."""
        ...

    def listed(self, resolved: bool, limit: int) -> list[Incident]:
        """Open (or resolved) incidents, newest first (an index query, no scan)."""
        ...

    def link(self, incident_id: str, ticket_ids: Sequence[str]) -> LinkResult:
        """Link each ticket unless it is linked to another incident; linking twice is a no-op."""
        ...

    def unlink(self, incident_id: str, ticket_ids: Sequence[str]) -> list[str]:
        """The ids that were linked to this incident and are not any more."""
        ...

    def linked_page(self, incident_id: str, after: str, limit: int) -> LinkPage:
        """Up to `limit` linked ticket ids after ticket id `after` ("" for the first page)."""
        ...

    def count_linked(self, incident_id: str) -> int: ...

    def incident_of(self, ticket_id: str) -> str | None:
        """The incident a ticket is linked to, if any (what the requester's view shows)."""
        ...

    def incidents_of(self, ticket_ids: Sequence[str]) -> dict[str, str]:
        """Ticket id -> incident id, for those of `ticket_ids` that are linked."""
        ...


class SupportMetrics(Protocol):
    """The support metrics' aggregates (read side). Ticket writes keep them: the ticket stores
    apply `domain/support_metrics.metric_changes` atomically with each ticket write."""

    def daily(self, days: Sequence[str], regions: Sequence[str]) -> list[DailyAggregate]:
        """Every stored day aggregate of `days` (YYYY-MM-DD) in `regions`: a Query per day, never a scan."""
        ...

    def backlog(self, regions: Sequence[str]) -> list[BacklogGauge]:
        """The backlog gauges (now) of `regions`, per region and language."""
        ...

    def record_deflection(self, region: str, language: str, at: datetime) -> None:
        """The help center answered a requester of `region` in `language` who opened no ticket."""
        ...


class EvidenceRepository(Protocol):
    """Evidence files beside their ticket (`pk = TICKET#<id>`, `sk = EVIDENCE#<evidence id>`)."""

    def add(self, evidence: Evidence) -> None:
        """Store a new entry; TicketExists if its id is taken."""
        ...

    def get(self, ticket_id: str, evidence_id: str) -> Evidence | None: ...

    def save(self, before: Evidence, after: Evidence) -> None:
        """Write `after` if the stored entry is still at `before.version`; else StaleTicket."""
        ...

    def for_ticket(self, ticket_id: str) -> list[Evidence]:
        """The ticket's entries, oldest first."""
        ...


class TicketAccessRepository(Protocol):
    """What deciding who may open a ticket needs, read small (`domain/access.py`), and the
    requester's token rotations (`pk = TICKET#<id>`, `sk = ACCESS`)."""

    def access(self, ticket_id: str) -> TicketAccess | None:
        """The ticket's access facts, or None: one small read whether the ticket exists or not."""
        ...

    def rotate(self, before: TicketAccess, token_hash: str, at: datetime) -> None:
        """Make `token_hash` the requester's token if no rotation came after `before`; else StaleTicket."""
        ...


class AgentRevocations(Protocol):
    """Revoked agent tokens: every token of an agent issued until a moment, or one token by id.
    Entries expire with the tokens they name (at most `agent_tokens.MAX_LIFETIME`)."""

    def revoke_agent(self, agent: str, issued_before: int, expires_at: int) -> None: ...

    def revoke_token(self, token_id: str, agent: str, expires_at: int) -> None: ...

    def revocation(self, agent: str, token_id: str) -> Revocation: ...


class RateCounters(Protocol):
    """Requests counted per bucket and fixed window (`domain/rate_limits.py`)."""

    def hit(self, bucket: str, window_start: int, expires_at: int) -> int:
        """Count one request in `bucket`'s window starting at `window_start`; the count, this one included."""
        ...
