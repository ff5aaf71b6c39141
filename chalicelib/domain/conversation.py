"""The two-way conversation: requester messages and agent replies, each with its translation.

A requester's message is translated into the pivot language for agents; an agent's reply is
translated into the requester's language. Until a reply's translation is done the requester
sees the original, marked as such: never an untranslated text passed off as translated.

A requester's message in a language the ticket's desk reads (`domain/desk_languages.py`) is not
machine-translated when it arrives: its translation is `on_demand`, made only when an agent who
does not read the language opens the ticket (`usecases/on_demand_translation.py`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from chalicelib.domain.desk_languages import desk_reads
from chalicelib.domain.ids import new_ticket_id
from chalicelib.domain.ports import Detector
from chalicelib.domain.routing import UNDETERMINED, is_low_confidence
from chalicelib.domain.ticket import Language, Requester, Ticket, TranslationStatus, iso
from chalicelib.domain.translation import NotTranslated, TextTranslator, romanized_reason


@dataclass(frozen=True)
class MessageTranslation:
    status: TranslationStatus
    target: str
    text: str | None = None
    provider: str | None = None
    reason: str | None = None
    characters: int = 0  # sent to the provider for this message (0 when cached)


# The reason of a message's translation nobody has settled yet (the translate worker has not
# decided it): only then may it be left to the desk that reads it (`read_by_desk`).
QUEUED = "queued"


class Author(StrEnum):
    REQUESTER = "requester"
    AGENT = "agent"


@dataclass(frozen=True)
class Message:
    message_id: str  # a ULID: messages sort by time
    ticket_id: str
    author: Author
    author_name: str | None  # the agent's name; None for the requester
    created_at: str
    text: str
    language: Language | None  # of `text`; an agent's declared language, or detected
    translation: MessageTranslation  # into the pivot (requester messages) or the requester's language
    version: int = 1
    # The language the author usually writes (an agent's token): a prior for detection, never
    # the answer by itself, so an English reply from a Spanish-and-English agent is English.
    language_hint: str | None = None

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["author"] = self.author.value
        record["translation"]["status"] = self.translation.status.value
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Message:
        translation = record["translation"]
        return cls(
            message_id=record["message_id"],
            ticket_id=record["ticket_id"],
            author=Author(record["author"]),
            author_name=record.get("author_name"),
            created_at=record["created_at"],
            text=record["text"],
            language=Language.from_record(record.get("language")),
            translation=MessageTranslation(**{**translation, "status": TranslationStatus(translation["status"])}),
            version=int(record.get("version", 1)),
            language_hint=record.get("language_hint"),
        )

    @property
    def awaiting_translation(self) -> bool:
        return self.translation.status is TranslationStatus.PENDING


def requester_language(ticket: Ticket, pivot: str) -> str:
    """The language the requester reads: the ticket's, if confident, else their app's locale."""
    if ticket.language is not None and not is_low_confidence(ticket.language):
        return ticket.language.code
    return ticket.requester.locale_language or pivot


def new_message(
    ticket: Ticket,
    author: Author,
    text: str,
    now: datetime,
    pivot: str,
    author_name: str | None = None,
    declared_language: str | None = None,
    language_hint: str | None = None,
) -> Message:
    """A message waiting for its language and translation (the translate worker does both)."""
    target = pivot if author is Author.REQUESTER else requester_language(ticket, pivot)
    language = Language(declared_language, 1.0, "declared") if declared_language else None
    return Message(
        message_id=new_ticket_id(int(now.timestamp() * 1000)),
        ticket_id=ticket.ticket_id,
        author=author,
        author_name=author_name,
        created_at=iso(now),
        text=text,
        language=language,
        translation=MessageTranslation(status=TranslationStatus.PENDING, target=target, reason=QUEUED),
        language_hint=language_hint,
    )


def translate_message(
    message: Message, ticket: Ticket, detector: Detector, translator: TextTranslator, *, desks_read: bool = False
) -> Message:
    """The message with its language known and its translation done, skipped, pending, failed,
    or (`desks_read`: DESK_LANGUAGES on) on_demand when the ticket's desk reads it."""
    hints = ticket.requester if message.author is Author.REQUESTER else Requester(locale=message.language_hint)
    language = message.language or detector.detect(message.text, hints)
    target = message.translation.target
    deferred = read_by_desk(message, ticket, language) if desks_read else None
    if language.code == target:
        translation = MessageTranslation(status=TranslationStatus.SKIPPED, target=target)
    elif (romanized := romanized_reason(language)) is not None:
        translation = MessageTranslation(status=TranslationStatus.FAILED, target=target, reason=romanized)
    elif deferred is not None:
        translation = deferred
    else:
        translation = machine_translation(message, ticket, language, translator)
    return replace(message, language=language, translation=translation, version=message.version + 1)


def read_by_desk(message: Message, ticket: Ticket, language: Language) -> MessageTranslation | None:
    """`on_demand` for a requester's message that the ticket's desk reads as written (no provider
    call until an agent who does not read it opens the ticket), else None.

    Only a message nobody has settled yet (`QUEUED`): one the on-demand translation left
    `pending` in an outage is owed a translation, and the sweep's retry must make it. Agent
    replies are never deferred: their reader is the requester."""
    if message.author is not Author.REQUESTER or message.translation.reason != QUEUED:
        return None
    if language.code == message.translation.target:
        return None
    region = ticket.routing.region if ticket.routing is not None else None
    if not desk_reads(region, language):
        return None
    return MessageTranslation(
        status=TranslationStatus.ON_DEMAND,
        target=message.translation.target,
        reason=f"the {region} desk reads {language.code}",
    )


def machine_translation(
    message: Message, ticket: Ticket, language: Language, translator: TextTranslator
) -> MessageTranslation:
    """The message's text translated into its target by the provider chain (masking the
    ticket's known ids, the cache, failover): done, or pending (retry later) or failed."""
    target = message.translation.target
    source = "auto" if language.code == UNDETERMINED else language.code
    known_ids = [item.value for item in ticket.evidence if item.kind in ("order_id", "transaction_id")]
    regions = [ticket.requester.country, ticket.requester.locale_region]
    try:
        done = translator.translate(message.text, source, target, known_ids, regions)
    except NotTranslated as error:
        retry = error.retry_later or not translator.providers
        return MessageTranslation(
            status=TranslationStatus.PENDING if retry else TranslationStatus.FAILED,
            target=target,
            reason=error.reason,
        )
    return MessageTranslation(
        status=TranslationStatus.DONE,
        target=target,
        text=done.text,
        provider=done.provider,
        characters=done.characters_sent,
    )
