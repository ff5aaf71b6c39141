"""Incidents: one problem (LIVE down in a region) that hundreds of tickets report.

Agents open an incident, link the tickets that report it, and post status updates; every linked
requester is told each update in their own language, as a message in their conversation and a
notification. The incident keeps its updates (capped) and, per requester language, the
translations of its title and of its latest update, so a fan-out over thousands of tickets asks
the translation provider once per language, not once per ticket.

Incidents are written in the pivot language, the one every agent reads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.catalog import REGIONS
from chalicelib.domain.ids import new_ticket_id
from chalicelib.domain.ticket import Ticket, TranslationStatus, iso

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_UPDATE_TEXT = 2000
MAX_UPDATES = 200
# DynamoDB refuses items over 400 KB; an incident stays well below, translations included.
MAX_RECORD_BYTES = 300_000
# An incident begins before an agent opens it: the first reports are what made them open it.
REPORTS_BEFORE_OPENING = timedelta(hours=2)


class IncidentStatus(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"

    @property
    def is_open(self) -> bool:
        return self is not IncidentStatus.RESOLVED


class IncidentNotFound(LookupError):
    """Unknown, or not visible to this agent: the same answer for both."""


class TooManyUpdates(ValueError):
    """The incident holds as many updates as it may (MAX_UPDATES, or its size budget)."""


class NotYourRegion(PermissionError):
    """An agent opening an incident for regions they do not work."""


class FanOutNotQueued(RuntimeError):
    """The update is stored, but its fan-out could not be queued: posting it again re-sends it."""


@dataclass(frozen=True)
class LocalizedText:
    """A text of the incident in one requester language: translated, skipped (already in it),
    pending (an outage: the next page tries again) or failed (every provider refused)."""

    status: TranslationStatus
    text: str | None = None
    provider: str | None = None
    reason: str | None = None

    def to_record(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status.value}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> LocalizedText:
        return cls(**{**record, "status": TranslationStatus(record["status"])})

    @property
    def settled(self) -> bool:
        """Worth keeping on the incident: the provider's final answer (skipped costs nothing to
        recompute; pending may well work next time)."""
        return self.status in (TranslationStatus.DONE, TranslationStatus.FAILED)


@dataclass(frozen=True)
class IncidentUpdate:
    update_id: str  # a ULID; also the id of the conversation message it becomes on each ticket
    status: IncidentStatus
    text: str
    author: str
    created_at: str
    translations: Mapping[str, LocalizedText] = field(default_factory=dict)  # by requester language

    def to_record(self) -> dict[str, Any]:
        return {
            "update_id": self.update_id,
            "status": self.status.value,
            "text": self.text,
            "author": self.author,
            "created_at": self.created_at,
            "translations": {language: text.to_record() for language, text in self.translations.items()},
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> IncidentUpdate:
        translations = record.get("translations") or {}
        return cls(
            update_id=record["update_id"],
            status=IncidentStatus(record["status"]),
            text=record["text"],
            author=record["author"],
            created_at=record["created_at"],
            translations={language: LocalizedText.from_record(text) for language, text in translations.items()},
        )


@dataclass(frozen=True)
class IncidentDraft:
    """What an agent opens an incident with (validated by the HTTP contract)."""

    title: str
    description: str
    regions: tuple[str, ...] = ()  # none: every region (a global incident)
    categories: tuple[str, ...] = ()  # none: any category


@dataclass(frozen=True)
class Incident:
    incident_id: str
    title: str
    description: str
    regions: tuple[str, ...]
    categories: tuple[str, ...]
    status: IncidentStatus
    language: str  # of the title, description and updates: the pivot
    created_by: str
    created_at: str
    updated_at: str
    updates: tuple[IncidentUpdate, ...] = ()
    title_translations: Mapping[str, str] = field(default_factory=dict)  # by requester language
    version: int = 1

    def to_record(self) -> dict[str, Any]:
        return {
            "incident_id": self.incident_id,
            "title": self.title,
            "description": self.description,
            "regions": list(self.regions),
            "categories": list(self.categories),
            "status": self.status.value,
            "language": self.language,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "updates": [update.to_record() for update in self.updates],
            "title_translations": dict(self.title_translations),
            "version": self.version,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Incident:
        return cls(
            incident_id=record["incident_id"],
            title=record["title"],
            description=record["description"],
            regions=tuple(record.get("regions") or ()),
            categories=tuple(record.get("categories") or ()),
            status=IncidentStatus(record["status"]),
            language=record["language"],
            created_by=record["created_by"],
            created_at=record["created_at"],
            updated_at=record["updated_at"],
            updates=tuple(IncidentUpdate.from_record(update) for update in record.get("updates") or ()),
            title_translations=dict(record.get("title_translations") or {}),
            version=int(record.get("version", 1)),
        )

    @property
    def latest_update(self) -> IncidentUpdate | None:
        return self.updates[-1] if self.updates else None

    def update(self, update_id: str) -> IncidentUpdate | None:
        return next((update for update in self.updates if update.update_id == update_id), None)

    @property
    def affected_regions(self) -> tuple[str, ...]:
        """The regions whose tickets may report it: its own, or every region when it has none."""
        return self.regions or REGIONS


def new_incident(draft: IncidentDraft, agent: str, now: datetime, language: str) -> Incident:
    return Incident(
        incident_id=new_ticket_id(int(now.timestamp() * 1000)),
        title=draft.title,
        description=draft.description,
        regions=tuple(dict.fromkeys(draft.regions)),
        categories=tuple(dict.fromkeys(draft.categories)),
        status=IncidentStatus.INVESTIGATING,
        language=language,
        created_by=agent,
        created_at=iso(now),
        updated_at=iso(now),
    )


def may_act_on(agent: Agent, regions: tuple[str, ...]) -> bool:
    """A `global` agent acts on every incident; another agent on incidents of a region they work.
    An incident without regions is everybody's problem, so only `global` agents run it."""
    return "global" in agent.regions or bool(set(regions) & set(agent.regions))


def may_run(agent: Agent, regions: tuple[str, ...]) -> bool:
    """Opening an incident and posting its updates (a `resolved` one resolves every linked
    ticket) take an agent of every region it covers, or a `global` agent: an agent of one
    region never resolves another region's tickets."""
    return "global" in agent.regions or (bool(regions) and set(regions) <= set(agent.regions))


def append_update(incident: Incident, status: IncidentStatus, text: str, author: str, now: datetime) -> Incident:
    """The incident with a new update (its status becomes the incident's). Older updates keep
    no translations: their fan-outs are done or finish from the translation cache, and the item
    stays small however many languages the requesters speak."""
    if len(incident.updates) >= MAX_UPDATES:
        raise TooManyUpdates(f"incident {incident.incident_id} has {MAX_UPDATES} updates; open a new one")
    update = IncidentUpdate(new_ticket_id(int(now.timestamp() * 1000)), status, text, author, iso(now))
    earlier = tuple(replace(old, translations={}) for old in incident.updates)
    after = replace(
        incident,
        updates=(*earlier, update),
        status=status,
        updated_at=iso(now),
        version=incident.version + 1,
    )
    if record_bytes(after) > MAX_RECORD_BYTES:
        raise TooManyUpdates(f"incident {incident.incident_id} is full; open a new one")
    return after


def is_repeat(incident: Incident, status: IncidentStatus, text: str, author: str) -> IncidentUpdate | None:
    """The latest update, when a request would post it again (a client retrying after a lost
    answer): the same author, status and text. Answered with the same update, not a second one."""
    latest = incident.latest_update
    if latest is not None and (latest.status, latest.text, latest.author) == (status, text, author):
        return latest
    return None


def with_translations(
    incident: Incident, update_id: str, texts: Mapping[str, LocalizedText], titles: Mapping[str, str]
) -> Incident | None:
    """The incident remembering new translations of an update and of its title (settled ones
    only); None when there is nothing new to keep, or no room left for it."""
    settled = {language: text for language, text in texts.items() if text.settled}
    target = incident.update(update_id)
    new_texts = {language: text for language, text in settled.items() if target and language not in target.translations}
    new_titles = {language: title for language, title in titles.items() if language not in incident.title_translations}
    if not new_texts and not new_titles:
        return None
    updates = tuple(
        replace(update, translations={**update.translations, **new_texts}) if update.update_id == update_id else update
        for update in incident.updates
    )
    after = replace(
        incident,
        updates=updates,
        title_translations={**incident.title_translations, **new_titles},
        version=incident.version + 1,
    )
    return after if record_bytes(after) <= MAX_RECORD_BYTES else None


def record_bytes(incident: Incident) -> int:
    return len(json.dumps(incident.to_record(), ensure_ascii=False).encode("utf-8"))


def incident_title_in(incident: Incident, language: str) -> str:
    """The title as a requester reading `language` sees it: translated when a translation was
    kept, else as written."""
    return incident.title_translations.get(language, incident.title)


def concerns(incident: Incident, ticket: Ticket) -> bool:
    """Could this ticket report the incident: its region and category are the incident's, and it
    was written once the incident had begun."""
    if ticket.routing is None or ticket.routing.region not in incident.affected_regions:
        return False
    if incident.categories and not any(
        ticket.category == category or ticket.category.startswith(f"{category}.") for category in incident.categories
    ):
        return False
    began = datetime.fromisoformat(incident.created_at.replace("Z", "+00:00")) - REPORTS_BEFORE_OPENING
    return ticket.created_at >= iso(began)


def pivot_text(ticket: Ticket, pivot: str) -> str:
    """The ticket's words in the pivot language, what incidents are compared with: its
    translation when it has one, else its own text (in the pivot already, or the best there is:
    names and error codes match in any language)."""
    translation = ticket.translation
    if translation is not None and translation.status is TranslationStatus.DONE and translation.target == pivot:
        return " ".join(part for part in (translation.subject, translation.description) if part)
    return " ".join(part for part in (ticket.subject, ticket.description) if part)


# --- what the store answers about links --------------------------------------------------------

ANOTHER_INCIDENT = "linked_to_another_incident"


@dataclass(frozen=True)
class LinkResult:
    """What linking tickets did: newly linked, linked here already, linked to another incident."""

    linked: tuple[str, ...] = ()
    already_linked: tuple[str, ...] = ()
    elsewhere: Mapping[str, str] = field(default_factory=dict)  # ticket id -> the other incident


@dataclass(frozen=True)
class LinkPage:
    """A page of an incident's linked tickets, in link-key order; `next_after` continues it
    (None: this was the last page)."""

    ticket_ids: tuple[str, ...]
    next_after: str | None
