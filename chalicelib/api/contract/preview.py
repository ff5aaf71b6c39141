"""POST /tickets/{id}/replies/preview: what the requester would read, before the agent sends.

The request is a reply's body (`NewMessage`: text, optional language); the answer is the reply's
translation as the real reply would get it now, stored nowhere.
"""

from __future__ import annotations

from pydantic import MISSING, Field

from chalicelib.api.contract.base import ViewModel
from chalicelib.domain.conversation import Message
from chalicelib.domain.ticket import TranslationStatus


class ReplyPreview(ViewModel):
    """A draft reply translated for its requester, as sending it now would translate it. Nothing
    is stored; the translation cache may keep the (masked) text, so the real reply costs nothing more."""

    language: str = Field(description="The draft's language: declared, else detected ('und' when unclear)")
    confidence: float = Field(ge=0, le=1, description="1 when declared; the detector's confidence otherwise")
    target: str = Field(description="The language the requester reads")
    status: TranslationStatus = Field(
        description="done (text is the translation), skipped (already in the requester's language), "
        "pending (no provider answered now: the real reply would be translated later), failed"
    )
    text: str | None = Field(description="What the requester would read when done (ids and terms restored); else null")
    provider: str | None = Field(description="Who translated it ('none' for text with nothing to translate)")
    reason: str | MISSING = Field(default=MISSING, description="Why it is pending or failed")

    @classmethod
    def of(cls, draft: Message) -> ReplyPreview:
        translation = draft.translation
        language = draft.language
        return cls(
            language=language.code if language else "und",
            confidence=language.confidence if language else 0.0,
            target=translation.target,
            status=translation.status,
            text=translation.text if translation.status is TranslationStatus.DONE else None,
            provider=translation.provider,
            reason=translation.reason or MISSING,
        )
