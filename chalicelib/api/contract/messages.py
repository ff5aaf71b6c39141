"""The conversation as each side reads it: requester messages and agent replies.

A requester reads an agent's reply in their own language once its translation is done, and the
original (marked `translated: false`) until then: never an untranslated text passed off as a
translation. Agents read a requester's message in the pivot language once translated; one in a
language the ticket's desk reads is `on_demand`, translated when an agent who does not read it
opens the ticket.
"""

from __future__ import annotations

from pydantic import MISSING, Field

from chalicelib.api.contract.base import Timestamp, ViewModel
from chalicelib.domain.conversation import Author, Message
from chalicelib.domain.ticket import TranslationStatus


class Original(ViewModel):
    """What its author wrote, in the language they wrote it in (null until detected)."""

    text: str
    language: str | None

    @classmethod
    def of(cls, message: Message) -> Original:
        return cls(text=message.text, language=message.language.code if message.language else None)


class RequesterMessage(ViewModel):
    """A conversation entry as the requester reads it."""

    message_id: str
    author: Author
    created_at: Timestamp
    text: str = Field(description="The reply in the requester's language once translated, else the original")
    language: str | None
    translated: bool
    translation_status: TranslationStatus
    original: Original

    @classmethod
    def of(cls, message: Message) -> RequesterMessage:
        translated = message.translation.status is TranslationStatus.DONE and message.author is Author.AGENT
        original = Original.of(message)
        return cls(
            message_id=message.message_id,
            author=message.author,
            created_at=message.created_at,
            text=message.translation.text if translated else message.text,
            language=message.translation.target if translated else original.language,
            translated=translated,
            translation_status=message.translation.status,
            original=original,
        )


class MessageTranslation(ViewModel):
    """A message's translation: into the pivot (requester messages) or the requester's language
    (agent replies)."""

    status: TranslationStatus = Field(
        description="done (text holds the translation), skipped (already in the target language), on_demand "
        "(a requester message in a language the ticket's desk reads: not machine-translated when it arrives; "
        "opening the ticket as an agent who does not read the language translates it, once), pending (queued, "
        "or no provider answered: retried later), failed (no provider can translate it)"
    )
    target: str
    provider: str | None
    text: str | None
    reason: str | MISSING = Field(
        default=MISSING, description="Why it is pending or failed, or which desk reads it (on_demand)"
    )


class AgentMessage(ViewModel):
    """A conversation entry as agents read it."""

    message_id: str
    author: Author
    author_name: str | None = Field(description="The agent's name; null for the requester")
    created_at: Timestamp
    text: str = Field(description="A requester's message in the pivot language once translated, else the original")
    translated: bool
    original: Original
    translation: MessageTranslation

    @classmethod
    def of(cls, message: Message) -> AgentMessage:
        translation = message.translation
        translated = translation.status is TranslationStatus.DONE and message.author is Author.REQUESTER
        return cls(
            message_id=message.message_id,
            author=message.author,
            author_name=message.author_name,
            created_at=message.created_at,
            text=translation.text if translated else message.text,
            translated=translated,
            original=Original.of(message),
            translation=MessageTranslation(
                status=translation.status,
                target=translation.target,
                provider=translation.provider,
                text=translation.text,
                reason=translation.reason or MISSING,
            ),
        )
