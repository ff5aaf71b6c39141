"""The ticket as the API shows it: to its requester, or to an agent of its region.

Each model is built from domain objects by `of(...)`; `ticket_view` dumps one as the JSON of
GET /tickets/{id}, of a claim and of a desk change. The two readers differ in the desk (agents
also see who has it, the pauses and the audit trail) and in the messages (each side reads the
other's words in its own language once translated).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Self

from pydantic import MISSING, Field, RootModel

from chalicelib.api.contract.base import Timestamp, ViewModel, one_of
from chalicelib.api.contract.evidence import EvidenceFile
from chalicelib.api.contract.help import SelfServiceView
from chalicelib.api.contract.messages import AgentMessage, RequesterMessage
from chalicelib.api.contract.talking_back import IncidentBadge, NotificationView, SatisfactionView
from chalicelib.domain import ticket as domain
from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.catalog import REGIONS, load, served_languages
from chalicelib.domain.conversation import Message
from chalicelib.domain.desk import sla_clock
from chalicelib.domain.eta import eta_window
from chalicelib.domain.evidence import EvidenceListing
from chalicelib.domain.notifications import Notification
from chalicelib.domain.routing import UNDETERMINED, is_low_confidence
from chalicelib.domain.satisfaction import Survey
from chalicelib.domain.ticket import DeskState, Status, TranslationStatus, iso, utc_now


def _escalation_levels() -> list[str]:
    """Every escalation level of chalicelib/data/sla_policies.json, in order."""
    data = load("sla_policies.json")
    policies = [data["default"], *data["regions"].values()]
    return list(dict.fromkeys(level["name"] for policy in policies for level in policy.get("escalation_levels", ())))


Priority = one_of(load("priority_rules.json")["levels"])
Region = one_of(REGIONS)
LanguageCode = one_of([*sorted(served_languages()), UNDETERMINED])
DeskStep = one_of(
    [*(state.value for state in DeskState), *_escalation_levels()],
    "A desk state; an escalation level when by='escalation'",
)


# --- language and translation ----------------------------------------------------------------


@dataclass(frozen=True)
class TicketExtras:
    """What the ticket's page shows besides the ticket and its conversation."""

    notifications: Sequence[Notification] = ()
    survey: Survey | None = None
    incident: dict[str, str] | None = None  # id, status, title (in the reader's language)
    evidence: Sequence[EvidenceListing] = ()  # files; download links only in an agent's reading


class Language(ViewModel):
    """The detected language of the ticket."""

    code: LanguageCode
    confidence: float = Field(json_schema_extra={"minimum": 0, "maximum": 1})
    source: str = Field(description="The evidence used: text, text+locale, locale, script, none")
    low_confidence: bool = Field(description="und, or a confidence below 0.5: a guess, not a fact")
    script: str | MISSING = Field(
        default=MISSING,
        description="ISO 15924, only when the text is not in the language's usual script: Latn for romanized "
        "text (Hinglish, Arabizi...; BCP 47 hi-Latn), which is left for an agent who reads the language",
    )

    @classmethod
    def of(cls, language: domain.Language) -> Language:
        return cls(
            code=language.code,
            confidence=language.confidence,
            source=language.source,
            low_confidence=is_low_confidence(language),
            script=language.script if language.script is not None else MISSING,
        )


class Translation(ViewModel):
    """The ticket's subject and description in the pivot language, for agents."""

    status: TranslationStatus = Field(
        description="done (subject and description hold the translation), skipped (written in the pivot), "
        "on_demand (its desk reads the language, so it is not machine-translated at intake: opening or "
        "claiming it as an agent who does not read the language translates it), pending (no provider "
        "answered: retried later, and by such an open), failed (every provider refused)"
    )
    target: str
    provider: str | None
    subject: str | None
    description: str | None
    reason: str | MISSING = Field(
        default=MISSING, description="Why it is pending or failed, or which desk reads it (on_demand)"
    )

    @classmethod
    def of(cls, translation: domain.Translation) -> Translation:
        return cls(
            status=translation.status,
            target=translation.target,
            provider=translation.provider,
            subject=translation.subject,
            description=translation.description,
            reason=translation.reason or MISSING,
        )


# --- the SLA clock ---------------------------------------------------------------------------


class Eta(ViewModel):
    """When the first answer can be expected: from now up to the first-response deadline,
    stretched by the open tickets ahead in the region."""

    from_: Timestamp = Field(alias="from")
    to: Timestamp


class Sla(ViewModel):
    """Deadlines on the region's SLA clock (calendar hours, or business hours where the region's
    policy opts a priority into them). While
    the ticket waits on the requester the clock is stopped: paused=true and the deadlines not
    yet reached are null."""

    first_response_due: Timestamp | None
    resolution_due: Timestamp | None
    paused: bool
    eta: Eta | None = Field(description="Null once answered, resolved or paused")

    @classmethod
    def of(
        cls, ticket: domain.Ticket, now: datetime, open_ahead: int, recent_first_responses: Sequence[float] = ()
    ) -> Sla:
        """The deadlines as of `now`. The ETA comes from the region's recent first-response times
        scaled by the queue ahead; with few recent answers it stays wide (up to the deadline),
        never a precise promise."""
        clock = sla_clock(ticket)
        first_response, resolution = clock.first_response_due, clock.resolution_due
        desk = ticket.desk
        owed_first_answer = desk is None or (desk.first_responded_at is None and desk.state is not DeskState.RESOLVED)
        eta = None
        if owed_first_answer and first_response is not None:
            window = eta_window(now, first_response, open_ahead, list(recent_first_responses), None)
            eta = Eta(from_=iso(window.earliest), to=iso(window.latest))
        return cls(
            first_response_due=iso(first_response) if first_response else None,
            resolution_due=iso(resolution) if resolution else None,
            paused=clock.is_paused,
            eta=eta,
        )


# --- the desk --------------------------------------------------------------------------------


class RequesterDesk(ViewModel):
    """Where a routed ticket is on its regional desk (its status stays 'routed'). Agent names
    stay inside: the requester sees the state alone."""

    state: DeskState
    first_responded_at: Timestamp | None

    @classmethod
    def of(cls, ticket: domain.Ticket) -> RequesterDesk:
        assert ticket.desk is not None
        return cls(state=ticket.desk.state, first_responded_at=ticket.desk.first_responded_at)


class Pause(ViewModel):
    """A span the ticket waited on the requester; `to` is null while it still waits."""

    from_: Timestamp = Field(alias="from")
    to: Timestamp | None


class DeskEvent(ViewModel):
    """One change of the desk: the audit trail."""

    at: Timestamp
    by: str = Field(description="The agent's name, 'requester', or 'escalation'")
    from_: DeskStep = Field(alias="from")
    to: DeskStep
    note: str | MISSING | None = MISSING

    @classmethod
    def of(cls, event: Mapping[str, Any]) -> DeskEvent:
        return cls(at=event["at"], by=event["by"], from_=event["from"], to=event["to"], note=event.get("note", MISSING))


class AgentDesk(ViewModel):
    """The desk as agents see it: who has the ticket, the pauses and the audited events."""

    state: DeskState
    assignee: str | None
    first_responded_at: Timestamp | None
    pauses: list[Pause]
    events: list[DeskEvent]

    @classmethod
    def of(cls, ticket: domain.Ticket) -> AgentDesk:
        assert ticket.desk is not None
        return cls(
            state=ticket.desk.state,
            assignee=ticket.desk.assignee,
            first_responded_at=ticket.desk.first_responded_at,
            pauses=[Pause(from_=start, to=end) for start, end in ticket.desk.pauses],
            events=[DeskEvent.of(event) for event in ticket.history if event.get("kind") == "desk"],
        )


# --- the ticket ------------------------------------------------------------------------------


class _TicketView(ViewModel):
    """The fields both readers get, in the order the answer lists them; the subclasses set what
    `desk` and `messages` hold."""

    desk_view: ClassVar[type[RequesterDesk] | type[AgentDesk]]
    message_view: ClassVar[type[RequesterMessage] | type[AgentMessage]]

    ticket_id: str
    status: Status
    subject: str | None
    description: str
    category: str
    priority: Priority | None
    language: Language | None
    region: Region | None
    queue: str | None
    translation: Translation | None
    sla: Sla | None
    desk: Any
    messages: list[Any]
    notifications: list[NotificationView] = Field(description="What the desk told the requester, per channel")
    satisfaction: SatisfactionView | None = Field(description="The survey of the latest resolution, once resolved")
    incident: IncidentBadge | None = Field(description="The incident the ticket is linked to, if any")
    evidence_files: list[EvidenceFile] = Field(description="Files the requester attached, oldest first")
    created_at: Timestamp
    updated_at: Timestamp
    self_service: SelfServiceView | None = Field(
        description="The help-center articles suggested at intake and the requester's answer (null: none)"
    )

    @classmethod
    def of(
        cls,
        ticket: domain.Ticket,
        messages: Sequence[Message] = (),
        *,
        now: datetime,
        open_ahead: int = 0,
        recent_first_responses: Sequence[float] = (),
        extras: TicketExtras | None = None,
    ) -> Self:
        routing = ticket.routing
        extras = extras or TicketExtras()
        return cls(
            ticket_id=ticket.ticket_id,
            status=ticket.status,
            subject=ticket.subject,
            description=ticket.description,
            category=ticket.category,
            priority=routing.priority if routing else None,
            language=Language.of(ticket.language) if ticket.language else None,
            region=routing.region if routing else None,
            queue=routing.queue if routing else None,
            translation=Translation.of(ticket.translation) if ticket.translation else None,
            sla=Sla.of(ticket, now, open_ahead, recent_first_responses) if routing else None,
            desk=cls.desk_view.of(ticket) if ticket.desk else None,
            messages=[cls.message_view.of(message) for message in messages],
            notifications=[NotificationView.of(notification) for notification in extras.notifications],
            satisfaction=SatisfactionView.of(extras.survey) if extras.survey else None,
            incident=IncidentBadge(**extras.incident) if extras.incident else None,
            evidence_files=[EvidenceFile.of(listing, cls.message_view is AgentMessage) for listing in extras.evidence],
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
            self_service=SelfServiceView.of(ticket.self_service),
        )


class RequesterTicket(_TicketView):
    """The ticket as its requester reads it (with the access token)."""

    desk_view = RequesterDesk
    message_view = RequesterMessage

    desk: RequesterDesk | None
    messages: list[RequesterMessage]


class AgentTicket(_TicketView):
    """The ticket as an agent of its region reads it."""

    desk_view = AgentDesk
    message_view = AgentMessage

    desk: AgentDesk | None
    messages: list[AgentMessage]


class Ticket(RootModel[RequesterTicket | AgentTicket]):
    """The ticket, as its requester or an agent of its region reads it."""

    @classmethod
    def of(
        cls,
        ticket: domain.Ticket,
        messages: Sequence[Message] = (),
        agent: Agent | None = None,
        *,
        now: datetime,
        open_ahead: int = 0,
        recent_first_responses: Sequence[float] = (),
        extras: TicketExtras | None = None,
    ) -> Ticket:
        view = AgentTicket if agent is not None else RequesterTicket
        return cls(
            view.of(
                ticket,
                messages,
                now=now,
                open_ahead=open_ahead,
                recent_first_responses=recent_first_responses,
                extras=extras,
            )
        )


def ticket_view(
    ticket: domain.Ticket,
    messages: Sequence[Message] = (),
    agent: Agent | None = None,
    *,
    now: datetime | None = None,
    open_ahead: int = 0,
    recent_first_responses: Sequence[float] = (),
    extras: TicketExtras | None = None,
) -> dict[str, Any]:
    """The ticket for its requester, or (with `agent`) for an agent, as JSON-ready values.
    `open_ahead` is the region's open tickets ahead of this one (the store counts them) and
    `recent_first_responses` the region's latest first-response times in minutes: together they
    set the ETA window."""
    view = Ticket.of(
        ticket,
        messages,
        agent,
        now=now or utc_now(),
        open_ahead=open_ahead,
        recent_first_responses=recent_first_responses,
        extras=extras,
    )
    return view.root.dump()
