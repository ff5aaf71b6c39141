"""The composition root's part for the pipeline: its stage table, what each of the three
workers consumes and does. A mixin of `Dependencies` (composition_root.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.composition_root import Dependencies
    from chalicelib.domain.messages import ClaimCheck
    from chalicelib.domain.ticket import Ticket
    from chalicelib.usecases.pipeline_stage import Stage


class PipelineStages:
    @cached_property
    def stages(self: Dependencies) -> dict[str, Stage]:
        """The three pipeline workers by function name: what each consumes and does."""
        from chalicelib.domain import stages
        from chalicelib.domain.messages import MESSAGE_ADDED, RETRANSLATE
        from chalicelib.domain.ticket import Status, TranslationStatus
        from chalicelib.usecases.pipeline_stage import Stage

        pivot = self.settings.pivot_language
        desks_read = self.settings.desk_languages

        def detect(ticket: Ticket, now: datetime) -> Ticket:
            return stages.detect(ticket, self.detector, pivot, now, desks_read=desks_read)

        def translate(ticket: Ticket, now: datetime) -> Ticket:
            after = stages.translate(ticket, self.text_translator, pivot, now, desks_read=desks_read)
            if after.translation is not None and after.translation.status is not TranslationStatus.ON_DEMAND:
                self.count_translation(after.translation.provider, after.translation.characters, "ticket")
            return after

        def route(ticket: Ticket, now: datetime) -> Ticket:
            return stages.route(ticket, now, self.settings.desk_queue_name)

        # A ticket that owes no translation is routed by the detect worker itself, and a
        # translated one by the translate worker: one write per ticket from received to routed.
        # The route worker stays for claim checks the sweeper re-sends to it.
        desk_queue = self.settings.desk_queue_name

        def arrived(ticket: Ticket) -> None:
            self.acknowledge(ticket)  # built on the first arrival, not with the stage table

        # Lambdas, so that the detect and route workers never build translators they do not use.
        later: dict[str, Callable[[ClaimCheck], None]] = {
            RETRANSLATE: lambda check: self.retranslate_ticket(check),
            MESSAGE_ADDED: lambda check: self.translate_message(check),
        }
        return {
            "detect_language": Stage(
                "detect_language", Status.RECEIVED, stages.through_desk(detect, desk_queue), on_arrival=arrived
            ),
            "translate_ticket": Stage(
                "translate_ticket",
                Status.DETECTED,
                stages.through_desk(translate, desk_queue),
                followups=later,
                on_arrival=arrived,
            ),
            "route_ticket": Stage("route_ticket", Status.TRANSLATED, route, on_arrival=arrived),
        }
