"""The ticket, its status machine and the values each pipeline stage adds to it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Pipeline statuses, in the only order a ticket may move through them."""

    RECEIVED = "received"
    DETECTED = "detected"
    TRANSLATED = "translated"
    ROUTED = "routed"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {status: rank for rank, status in enumerate(Status)}

# The statuses a worker still has to move on; a ticket resting in one of them too long is stuck.
PIPELINE_STATUSES: tuple[Status, ...] = (Status.RECEIVED, Status.DETECTED, Status.TRANSLATED)


class TransitionError(ValueError):
    """A status change that would move a ticket backwards or sideways."""


class TranslationStatus(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"  # already in the pivot language
    PENDING = "pending"  # no provider reachable or configured: translated later
    FAILED = "failed"  # a provider answered but cannot translate this text
    # Its desk reads the language: translated only when an agent who does not read it opens or
    # claims it, or it is escalated to a desk that does not (domain/desk_languages.py).
    ON_DEMAND = "on_demand"


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Requester:
    id: str | None = None
    email: str | None = None
    locale: str | None = None
    country: str | None = None
    tier: str = "standard"

    @property
    def locale_language(self) -> str | None:
        """`es` for `es-MX`; None when no locale was given."""
        if not self.locale:
            return None
        return self.locale.replace("_", "-").split("-")[0].lower()

    @property
    def locale_region(self) -> str | None:
        """`MX` for `es-MX` (the last two-letter subtag), used when no country was given."""
        if not self.locale:
            return None
        for part in reversed(self.locale.replace("_", "-").split("-")[1:]):
            if len(part) == 2 and part.isalpha():
                return part.upper()
        return None


@dataclass(frozen=True)
class Evidence:
    kind: str
    value: str


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1, or "und" when the detector cannot tell
    confidence: float
    source: str  # what the answer rests on: text, text+locale, locale, script, none
    # ISO 15924 script when it is not the language's usual one: "Latn" for romanized Hindi
    # (BCP 47 hi-Latn); None for the usual script (hi in Devanagari, es in Latin) and for und.
    script: str | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any] | None) -> Language | None:
        if not record:
            return None
        return cls(record["code"], float(record["confidence"]), record["source"], record.get("script"))


@dataclass(frozen=True)
class Translation:
    status: TranslationStatus
    target: str
    provider: str | None = None
    subject: str | None = None
    description: str | None = None
    reason: str | None = None  # why it is pending or failed, for agents and operators
    characters: int = 0  # characters sent to the provider for this ticket (0 when cached)


@dataclass(frozen=True)
class Sla:
    """Deadlines as last computed by the SLA clock (domain/sla.py); None while the ticket waits
    on the requester (the clock is stopped, no deadline runs)."""

    first_response_due: str | None
    resolution_due: str | None
    eta_from: str | None
    eta_to: str | None


class DeskState(StrEnum):
    """Where a routed ticket is on the regional desk (the pipeline status stays `routed`)."""

    OPEN = "open"  # in the region's queue, nobody has it
    CLAIMED = "claimed"  # an agent works on it
    WAITING = "waiting"  # waiting on the requester: the SLA clock is paused
    RESOLVED = "resolved"


@dataclass(frozen=True)
class Desk:
    state: DeskState = DeskState.OPEN
    assignee: str | None = None
    first_responded_at: str | None = None
    # (from, to) spans the ticket waited on the requester; to is None while still waiting.
    pauses: tuple[tuple[str, str | None], ...] = ()
    # The escalation level last recorded (sla_policies.json names); None: nobody escalated it yet.
    escalation: str | None = None
    # When it was resolved, while it is (the requester's token lives a while after: domain/access.py).
    resolved_at: str | None = None

    def to_record(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "assignee": self.assignee,
            "first_responded_at": self.first_responded_at,
            "pauses": [list(span) for span in self.pauses],
            "escalation": self.escalation,
            "resolved_at": self.resolved_at,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Desk:
        return cls(
            state=DeskState(record["state"]),
            assignee=record.get("assignee"),
            first_responded_at=record.get("first_responded_at"),
            pauses=tuple((span[0], span[1]) for span in record.get("pauses") or ()),
            escalation=record.get("escalation"),
            resolved_at=record.get("resolved_at"),
        )


@dataclass(frozen=True)
class Routing:
    region: str
    queue: str
    priority: str
    sla: Sla
    reason: str  # "country", "locale", "language" or "default": why this region
    # The priority the SLA was promised at, once escalation has raised `priority`: the deadlines
    # (and their calendar) stay the ones the requester was given.
    sla_priority: str | None = None

    @property
    def promised_priority(self) -> str:
        return self.sla_priority or self.priority


@dataclass(frozen=True)
class Suggestion:
    """A help-center article the bot offered at intake (the title in the asker's language)."""

    topic: str
    title: str
    confidence: float
    language: str


@dataclass(frozen=True)
class SelfServiceOutcome:
    topic: str
    solved: bool
    at: str


@dataclass(frozen=True)
class SelfService:
    """What the help-center bot suggested at intake, and what the requester said about it."""

    suggestions: tuple[Suggestion, ...]
    outcome: SelfServiceOutcome | None = None

    @property
    def deflected(self) -> bool:
        return self.outcome is not None and self.outcome.solved

    def to_record(self) -> dict[str, Any]:
        return {
            "suggestions": [asdict(suggestion) for suggestion in self.suggestions],
            "outcome": asdict(self.outcome) if self.outcome is not None else None,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any] | None) -> SelfService | None:
        if not record:
            return None
        outcome = record.get("outcome")
        return cls(
            suggestions=tuple(
                Suggestion(item["topic"], item["title"], float(item["confidence"]), item["language"])
                for item in record.get("suggestions") or ()
            ),
            outcome=SelfServiceOutcome(outcome["topic"], bool(outcome["solved"]), outcome["at"]) if outcome else None,
        )


@dataclass(frozen=True)
class Ticket:
    ticket_id: str
    status: Status
    version: int
    created_at: str
    updated_at: str
    description: str
    token_hash: str
    correlation_id: str
    subject: str | None = None
    category: str = "other"
    requester: Requester = field(default_factory=Requester)
    evidence: tuple[Evidence, ...] = ()
    language: Language | None = None
    translation: Translation | None = None
    routing: Routing | None = None
    desk: Desk | None = None  # set when the ticket is routed
    history: tuple[dict[str, str], ...] = ()
    self_service: SelfService | None = None  # the help-center bot's suggestions (intake)

    def advance(self, to: Status, now: datetime, actor: str, **changes: Any) -> Ticket:
        """The ticket after moving forward to `to`; the version grows by one."""
        if to.rank <= self.status.rank:
            raise TransitionError(f"ticket {self.ticket_id} cannot move from {self.status} to {to}")
        stamp = iso(now)
        event = {"at": stamp, "from": self.status.value, "to": to.value, "by": actor}
        return replace(
            self,
            status=to,
            version=self.version + 1,
            updated_at=stamp,
            history=(*self.history, event),
            **changes,
        )

    def revise(self, now: datetime, actor: str, **changes: Any) -> Ticket:
        """The ticket with `changes` and no status change (a later translation, say); version + 1."""
        stamp = iso(now)
        event = {"at": stamp, "from": self.status.value, "to": self.status.value, "by": actor}
        return replace(self, version=self.version + 1, updated_at=stamp, history=(*self.history, event), **changes)

    @property
    def awaiting_translation(self) -> bool:
        return self.translation is not None and self.translation.status is TranslationStatus.PENDING

    def to_record(self) -> dict[str, Any]:
        """Plain JSON-able values (enums as strings), the shape the store persists."""
        record = asdict(self)
        record["status"] = self.status.value
        if self.translation is not None:
            record["translation"]["status"] = self.translation.status.value
        record["evidence"] = [asdict(item) for item in self.evidence]
        record["history"] = list(self.history)
        record["desk"] = self.desk.to_record() if self.desk is not None else None
        record["self_service"] = self.self_service.to_record() if self.self_service is not None else None
        if self.language is not None and self.language.script is None:
            del record["language"]["script"]  # records keep their shape unless the script says something
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Ticket:
        translation = record.get("translation")
        routing = record.get("routing")
        return cls(
            ticket_id=record["ticket_id"],
            status=Status(record["status"]),
            version=int(record["version"]),
            created_at=record["created_at"],
            updated_at=record["updated_at"],
            description=record["description"],
            token_hash=record["token_hash"],
            correlation_id=record["correlation_id"],
            subject=record.get("subject"),
            category=record.get("category") or "other",
            requester=Requester(**(record.get("requester") or {})),
            evidence=tuple(Evidence(**item) for item in record.get("evidence") or ()),
            language=Language.from_record(record.get("language")),
            translation=(
                Translation(**{**translation, "status": TranslationStatus(translation["status"])})
                if translation
                else None
            ),
            routing=(Routing(**{**routing, "sla": Sla(**routing["sla"])}) if routing else None),
            desk=(
                Desk.from_record(record["desk"])
                if record.get("desk")
                # routed before the desk existed: it waits in its region's open queue
                else Desk()
                if record["status"] == Status.ROUTED.value
                else None
            ),
            history=tuple(record.get("history") or ()),
            self_service=SelfService.from_record(record.get("self_service")),
        )
