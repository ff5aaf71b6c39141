"""The composition root's part for the agent console: the reply preview. A mixin of
`Dependencies` (composition_root.py), which gives it the settings, the clock, the detector and
the translator (the same chain, cache included, that real replies use)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.composition_root import Dependencies
    from chalicelib.usecases.reply_preview import PreviewReply


class AgentConsole:
    @cached_property
    def preview_reply(self: Dependencies) -> PreviewReply:
        from chalicelib.usecases.reply_preview import PreviewReply

        return PreviewReply(
            self.detector, self.text_translator, self.clock, self.settings.pivot_language, self.count_translation
        )
