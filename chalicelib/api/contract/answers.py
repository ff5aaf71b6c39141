"""The other answers: a created ticket, an accepted message, a desk's work list, and the local
stage's clock (health is in health.py: it loads no other model)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field

from chalicelib.api.contract.base import Timestamp, ViewModel
from chalicelib.api.contract.help import SelfServiceView
from chalicelib.api.contract.views import LanguageCode, Priority, Region
from chalicelib.domain.conversation import Author, Message
from chalicelib.domain.desk import LISTABLE_STATES
from chalicelib.domain.ticket import DeskState, Status, Ticket, TranslationStatus, iso

ULID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
TicketId = Field(pattern=ULID_PATTERN, description="A ULID")
ListableState = Literal[tuple(state.value for state in LISTABLE_STATES)]


class Links(ViewModel):
    self_: str = Field(alias="self", description="Where the ticket is read (with the access token)")


class TicketCreated(ViewModel):
    """Stored; detection, translation and routing continue asynchronously."""

    ticket_id: str = TicketId
    access_token: str = Field(description="Shown once; send as 'Authorization: Bearer <token>'")
    status: Status
    created_at: Timestamp
    links: Links
    self_service: SelfServiceView | None = Field(
        description="Help-center articles that may solve it now (null: none fits); answer with "
        "POST /tickets/{id}/self-service"
    )

    @classmethod
    def of(cls, ticket: Ticket, access_token: str) -> TicketCreated:
        return cls(
            ticket_id=ticket.ticket_id,
            access_token=access_token,
            status=ticket.status,
            created_at=ticket.created_at,
            links=Links(self_=f"/tickets/{ticket.ticket_id}"),
            self_service=SelfServiceView.of(ticket.self_service),
        )


class AcceptedTranslation(ViewModel):
    """The message's translation, queued: `pending` into `target`."""

    status: TranslationStatus
    target: str


class MessageAccepted(ViewModel):
    """Stored; the translate worker detects its language and translates it."""

    message_id: str
    ticket_id: str
    author: Author
    created_at: Timestamp
    translation: AcceptedTranslation

    @classmethod
    def of(cls, message: Message) -> MessageAccepted:
        return cls(
            message_id=message.message_id,
            ticket_id=message.ticket_id,
            author=message.author,
            created_at=message.created_at,
            translation=AcceptedTranslation(status=message.translation.status, target=message.translation.target),
        )


class DeskTicket(ViewModel):
    """A row of a desk work list: enough to pick a ticket without opening it."""

    ticket_id: str
    priority: Priority
    state: DeskState
    assignee: str | None
    category: str
    language: LanguageCode | None
    translation_status: TranslationStatus | None
    first_response_due: Timestamp | None
    resolution_due: Timestamp | None
    created_at: Timestamp

    @classmethod
    def of(cls, ticket: Ticket) -> DeskTicket:
        routing, language, translation = ticket.routing, ticket.language, ticket.translation
        assert routing is not None and ticket.desk is not None
        return cls(
            ticket_id=ticket.ticket_id,
            priority=routing.priority,
            state=ticket.desk.state,
            assignee=ticket.desk.assignee,
            category=ticket.category,
            language=language.code if language else None,
            translation_status=translation.status if translation else None,
            first_response_due=routing.sla.first_response_due,
            resolution_due=routing.sla.resolution_due,
            created_at=ticket.created_at,
        )


class DeskList(ViewModel):
    """A region's work list in one desk state, most urgent then earliest deadline first."""

    region: Region
    state: ListableState
    tickets: list[DeskTicket]

    @classmethod
    def of(cls, region: str, state: DeskState, tickets: Sequence[Ticket]) -> DeskList:
        return cls(region=region, state=state.value, tickets=[DeskTicket.of(ticket) for ticket in tickets])


class ClockState(ViewModel):
    """The local stage's movable clock (MOVABLE_CLOCK only; deployed stages have no /dev/clock)."""

    now: Timestamp
    offset_seconds: float = Field(description="How far ahead of real time it runs")

    @classmethod
    def of(cls, now: datetime, offset: timedelta) -> ClockState:
        return cls(now=iso(now), offset_seconds=offset.total_seconds())
