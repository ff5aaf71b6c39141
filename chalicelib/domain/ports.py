"""The small interfaces the domain needs from the outside world besides the store (whose ports
are in `repositories.py`): detection, translation, publishing. Adapters implement them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.evidence import StoredObject
from chalicelib.domain.ticket import Language, Requester

# The time, as the use cases see it: the real clock, or the local stage's movable one.
Clock = Callable[[], datetime]


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


class DeliveryFailed(RuntimeError):
    """A notification channel could not deliver (down, refused, timed out): worth a retry."""


class NotificationChannel(Protocol):
    """One way of reaching a requester (e-mail, the platform's webhook)."""

    channel: str  # a domain.notifications.Channel value

    def send(self, delivery: Delivery) -> None:
        """Deliver or raise DeliveryFailed."""
        ...


@dataclass(frozen=True)
class Delivery:
    """A rendered notification on its way out."""

    delivery_id: str  # stable across retries: receivers deduplicate on it
    type: str
    ticket_id: str
    requester_id: str | None
    email: str | None
    language: str
    direction: str
    subject: str
    text: str
    html: str
    created_at: str


@dataclass(frozen=True)
class UploadForm:
    """A presigned POST: the browser posts `fields` (then the file, last) to `url`."""

    url: str
    fields: dict[str, str]


class EvidenceStorage(Protocol):
    """Where evidence files live (a private bucket); the API hands out presigned requests only."""

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> UploadForm:
        """A POST that may write exactly `key`, with exactly `content_type`, 1..max_bytes long."""
        ...

    def head(self, key: str) -> StoredObject | None:
        """The object's type and size, or None while it is not there."""
        ...

    def presign_download(self, key: str, disposition: str, expires_in: int) -> str:
        """A GET URL for `key` whose answer carries `disposition` as its Content-Disposition."""
        ...


@dataclass(frozen=True)
class HelpArticle:
    """A help-center article in one language; `confidence` is how sure the matcher is that it
    answers the question (1.0 when it was asked for by topic)."""

    topic: str
    title: str
    body: str
    language: str
    category: str = "other"
    confidence: float = 1.0


@dataclass(frozen=True)
class HelpAnswer:
    """The help center's answer to a question: up to three articles, best first, or none
    (`abstained`) when no topic fits well enough."""

    language: str  # the asker's language as the matcher took it (the articles may fall back)
    abstained: bool
    answers: tuple[HelpArticle, ...] = ()


class HelpMatcher(Protocol):
    """The help center: articles per topic and language, and the matcher over them."""

    def answer(self, text: str, language_hint: Requester) -> HelpAnswer: ...

    def topics(self, language: str) -> list[HelpArticle]:
        """Every topic's article in `language` (or the nearest language that has it)."""
        ...

    def article(self, topic: str, language: str) -> HelpArticle | None:
        """None for an unknown topic."""
        ...

    def languages(self) -> frozenset[str]:
        """The languages the content is written in."""
        ...
