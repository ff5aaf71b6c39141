"""The composition root's part for self-service: the help center's matcher and the use cases
around it (usecases/self_service.py). A mixin of `Dependencies` (composition_root.py), which
gives it the settings, the clock, the store and the detector."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.composition_root import Dependencies
    from chalicelib.domain.ports import HelpMatcher
    from chalicelib.usecases.self_service import AnswerSelfService, AskHelpCenter, SuggestAtIntake


class SelfServiceFirst:
    @cached_property
    def help_matcher(self: Dependencies) -> HelpMatcher:
        """The help center on chalicelib/helpcenter; its index is built on the first question."""

        def build() -> HelpMatcher:
            from chalicelib.adapters.help_matcher import HelpCenterMatcher

            return HelpCenterMatcher(self.detector)

        return self._built("help_matcher", build)

    @cached_property
    def ask_help_center(self: Dependencies) -> AskHelpCenter:
        from chalicelib.usecases.self_service import AskHelpCenter

        return AskHelpCenter(self.help_matcher)

    @cached_property
    def suggest_at_intake(self: Dependencies) -> SuggestAtIntake:
        from chalicelib.usecases.self_service import SuggestAtIntake

        return SuggestAtIntake(self.help_matcher)

    @cached_property
    def answer_self_service(self: Dependencies) -> AnswerSelfService:
        from chalicelib.usecases.self_service import AnswerSelfService

        return AnswerSelfService(self.tickets, self.clock)
