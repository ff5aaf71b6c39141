"""Preview an agent's reply: what the requester would read if it were sent now.

The draft goes through exactly what a real reply goes through in the translate worker
(`conversation.translate_message`: detection with the agent's language as a hint, masking, the
glossary, the translation cache and the provider chain), and is stored nowhere: no message, no
claim check, no desk change. The cache keeps the masked translation like any other, so sending
the same text afterwards is a cache hit, not a second bill.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.conversation import Author, Message, new_message, translate_message
from chalicelib.domain.ports import Clock, Detector
from chalicelib.domain.ticket import Ticket
from chalicelib.domain.translation import TextTranslator

# (provider, characters sent, what was translated): the characters-per-provider metric.
CountTranslation = Callable[[str | None, int, str], None]


@dataclass(frozen=True)
class PreviewReply:
    detector: Detector
    translator: TextTranslator
    clock: Clock
    pivot_language: str
    count_translation: CountTranslation | None = None

    def __call__(self, ticket: Ticket, agent: Agent, text: str, declared_language: str | None) -> Message:
        """The draft reply with its language and translation settled; never stored."""
        draft = new_message(
            ticket,
            Author.AGENT,
            text,
            self.clock(),
            self.pivot_language,
            author_name=agent.name,
            declared_language=declared_language,
            language_hint=agent.language,
        )
        previewed = translate_message(draft, ticket, self.detector, self.translator)
        if self.count_translation is not None:
            self.count_translation(previewed.translation.provider, previewed.translation.characters, "preview")
        return previewed
