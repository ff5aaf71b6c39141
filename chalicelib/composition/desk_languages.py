"""The composition root's part for what the desks read: the on-demand translation of a ticket
(and of its requester messages) its desk reads but the agent opening or claiming it does not. A mixin of `Dependencies`
(composition_root.py), which gives it the store, the clock and the translator (the same chain,
cache included, that intake uses)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.composition_root import Dependencies
    from chalicelib.usecases.on_demand_translation import TranslateOnDemand


class DeskLanguages:
    @cached_property
    def translate_on_demand(self: Dependencies) -> TranslateOnDemand:
        from chalicelib.usecases.on_demand_translation import TranslateOnDemand

        return TranslateOnDemand(
            self.tickets,
            self.text_translator,
            self.settings.pivot_language,
            self.clock,
            self.count_translation,
            messages=self.messages,
        )
