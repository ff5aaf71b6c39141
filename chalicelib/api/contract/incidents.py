"""The incident desk's contract: opening an incident, linking tickets, posting updates, and what
agents read back (incidents, their updates, the ranked candidate tickets).

Requests are checked like every other body (strict types, unknown fields refused, text free of
NUL and half emoji, the first error answered as a 400); regions and categories come from data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints

from chalicelib.api.contract.answers import ULID_PATTERN, TicketId
from chalicelib.api.contract.base import RequestModel, Timestamp, ViewModel
from chalicelib.api.contract.errors import ValidationError, refuse, validated
from chalicelib.api.contract.requests import Category, _category, _characters, _required_text
from chalicelib.api.contract.views import LanguageCode, Region
from chalicelib.domain.catalog import REGIONS
from chalicelib.domain.ids import is_ticket_id
from chalicelib.domain.incidents import (
    MAX_DESCRIPTION,
    MAX_TITLE,
    MAX_UPDATE_TEXT,
    Incident,
    IncidentDraft,
    IncidentStatus,
    IncidentUpdate,
)
from chalicelib.domain.ticket import Ticket

MAX_LINKED_PER_REQUEST = 500
MAX_CATEGORIES = 20
SUMMARY_CHARACTERS = 200
IncidentListing = Literal["open", "resolved"]


# --- requests ----------------------------------------------------------------------------------


def _region(value: Any) -> Any:
    if not isinstance(value, str) or value not in REGIONS:
        raise refuse("invalid_value", f"{{field}} must be one of {list(REGIONS)}")
    return value


def _status(value: Any) -> Any:
    if not isinstance(value, str) or value not in {status.value for status in IncidentStatus}:
        raise refuse("invalid_value", f"{{field}} must be one of {[status.value for status in IncidentStatus]}")
    return IncidentStatus(value)


def _ticket_id(value: Any) -> Any:
    if not isinstance(value, str) or not is_ticket_id(value):
        raise refuse("invalid_value", "{field} must be a ticket id (26 characters of Crockford base32)")
    return value


def _some_ticket_ids(value: Any) -> Any:
    if isinstance(value, list) and not value:
        raise refuse("invalid_value", f"{{field}} must list 1 to {MAX_LINKED_PER_REQUEST} ticket ids")
    return value


def _text(max_length: int) -> Any:
    """Required text: trimmed, not blank, at most `max_length` characters, storable as UTF-8."""
    return Annotated[
        str,
        StringConstraints(min_length=1, max_length=max_length),
        BeforeValidator(_characters),
        BeforeValidator(_required_text),
    ]


Title = _text(MAX_TITLE)
Description = _text(MAX_DESCRIPTION)
UpdateText = _text(MAX_UPDATE_TEXT)
RegionName = Annotated[str, BeforeValidator(_region), Field(json_schema_extra={"enum": list(REGIONS)})]


def _incident_category(value: Any) -> Any:
    # A ticket without a category is "other"; an incident's list names categories, and a null in it
    # is no category at all (it narrowed the incident to "other" tickets: found by fuzzing).
    if value is None or value == "":
        raise refuse("invalid_value", "{field} must be a category")
    return _category(value)


IncidentCategory = Annotated[Category, BeforeValidator(_incident_category)]


class NewIncident(RequestModel):
    """An incident, written in the pivot language (the one every agent reads)."""

    title: Title
    description: Description
    regions: Annotated[list[RegionName], Field(max_length=len(REGIONS))] | None = Field(
        default=None, description="The regions affected; none: every region (only global agents)"
    )
    categories: Annotated[list[IncidentCategory], Field(max_length=MAX_CATEGORIES)] | None = Field(
        default=None, description="The categories its reports have (a parent covers its children); none: any"
    )

    def to_domain(self) -> IncidentDraft:
        return IncidentDraft(
            title=self.title,
            description=self.description,
            regions=tuple(dict.fromkeys(self.regions or ())),
            categories=tuple(dict.fromkeys(category.value for category in self.categories or ())),
        )


class NewIncidentUpdate(RequestModel):
    """A status update, told to every linked requester in their language; `resolved` also
    resolves the linked tickets still open, claimed or waiting."""

    status: Annotated[IncidentStatus, BeforeValidator(_status)]
    text: UpdateText


class TicketIds(RequestModel):
    """Tickets to link to (or unlink from) an incident."""

    ticket_ids: Annotated[
        # The pattern only documents what _ticket_id checks (its error message stays the answer).
        list[Annotated[str, BeforeValidator(_ticket_id), Field(json_schema_extra={"pattern": ULID_PATTERN})]],
        Field(min_length=1, max_length=MAX_LINKED_PER_REQUEST),
        BeforeValidator(_some_ticket_ids),
    ]


def parse_new_incident(body: Any) -> IncidentDraft:
    return validated(NewIncident, body).to_domain()


def parse_incident_update(body: Any) -> tuple[IncidentStatus, str]:
    update = validated(NewIncidentUpdate, body)
    return update.status, update.text


def parse_ticket_ids(body: Any) -> list[str]:
    return list(dict.fromkeys(validated(TicketIds, body).ticket_ids))


def parse_listing(value: str | None) -> bool:
    """`?status=open|resolved` (open when absent): whether resolved incidents are asked for."""
    if value in (None, "open"):
        return False
    if value == "resolved":
        return True
    raise ValidationError("invalid_status", "status must be open or resolved", "status")


# --- answers -----------------------------------------------------------------------------------


class IncidentCreated(ViewModel):
    incident_id: str = TicketId
    status: IncidentStatus

    @classmethod
    def of(cls, incident: Incident) -> IncidentCreated:
        return cls(incident_id=incident.incident_id, status=incident.status)


class IncidentSummary(ViewModel):
    """An incident in a list."""

    incident_id: str = TicketId
    title: str
    status: IncidentStatus
    regions: list[Region] = Field(description="Empty: every region")
    categories: list[str] = Field(description="Empty: any category")
    created_by: str
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def fields_of(cls, incident: Incident) -> dict[str, Any]:
        return {
            "incident_id": incident.incident_id,
            "title": incident.title,
            "status": incident.status,
            "regions": list(incident.regions),
            "categories": list(incident.categories),
            "created_by": incident.created_by,
            "created_at": incident.created_at,
            "updated_at": incident.updated_at,
        }

    @classmethod
    def of(cls, incident: Incident) -> IncidentSummary:
        return cls(**cls.fields_of(incident))


class IncidentList(ViewModel):
    """Incidents the agent may act on (of their regions; a global agent sees all), newest first."""

    status: IncidentListing
    incidents: list[IncidentSummary]

    @classmethod
    def of(cls, resolved: bool, incidents: Sequence[Incident]) -> IncidentList:
        return cls(status="resolved" if resolved else "open", incidents=[IncidentSummary.of(i) for i in incidents])


class IncidentUpdateView(ViewModel):
    update_id: str = TicketId
    status: IncidentStatus
    text: str = Field(description="As the agent wrote it, in the pivot language")
    author: str
    created_at: Timestamp
    translated_into: list[str] = Field(description="Requester languages it has been translated into so far")

    @classmethod
    def of(cls, update: IncidentUpdate) -> IncidentUpdateView:
        done = sorted(language for language, text in update.translations.items() if text.text is not None)
        return cls(
            update_id=update.update_id,
            status=update.status,
            text=update.text,
            author=update.author,
            created_at=update.created_at,
            translated_into=done,
        )


class IncidentView(IncidentSummary):
    """One incident with its updates (oldest first) and how many tickets are linked to it."""

    description: str
    linked_tickets: int
    updates: list[IncidentUpdateView]

    @classmethod
    def read(cls, incident: Incident, linked_tickets: int) -> IncidentView:
        return cls(
            **cls.fields_of(incident),
            description=incident.description,
            linked_tickets=linked_tickets,
            updates=[IncidentUpdateView.of(update) for update in incident.updates],
        )


class SkippedTicket(ViewModel):
    ticket_id: str
    reason: Literal["not_found", "linked_to_another_incident"] = Field(
        description="not_found: unknown, of a region the agent does not work, or not on a desk yet"
    )


class TicketsLinked(ViewModel):
    linked: int = Field(description="Newly linked; a ticket linked already counts no more")
    skipped: list[SkippedTicket]


class TicketsUnlinked(ViewModel):
    unlinked: int


class CandidateTicket(ViewModel):
    """An open, claimed or waiting ticket that may report the incident."""

    ticket_id: str = TicketId
    score: float = Field(description="Similarity to the incident, 0..1, compared in the pivot language")
    language: LanguageCode | None
    region: Region
    category: str
    subject: str | None = Field(description="In the pivot language when translated, else as written")
    summary: str = Field(description=f"The description's first {SUMMARY_CHARACTERS} characters, likewise")
    created_at: Timestamp

    @classmethod
    def of(cls, ticket: Ticket, score: float, pivot: str) -> CandidateTicket:
        assert ticket.routing is not None
        translation = ticket.translation
        translated = translation is not None and translation.target == pivot and translation.description is not None
        subject = translation.subject if translated and translation is not None else ticket.subject
        description = translation.description if translated and translation is not None else ticket.description
        return cls(
            ticket_id=ticket.ticket_id,
            score=score,
            language=ticket.language.code if ticket.language else None,
            region=ticket.routing.region,
            category=ticket.category,
            subject=subject,
            summary=re.sub(r"\s+", " ", description or "")[:SUMMARY_CHARACTERS],
            created_at=ticket.created_at,
        )


class CandidateList(ViewModel):
    """Up to 100 candidates, most alike first."""

    incident_id: str = TicketId
    candidates: list[CandidateTicket]


class UpdateAccepted(ViewModel):
    """Stored; the linked requesters are told asynchronously."""

    update_id: str = TicketId
    status: IncidentStatus
