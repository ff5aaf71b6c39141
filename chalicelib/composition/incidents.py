"""The composition root's part for incidents: their store, the incident desk's use cases and the
fan-out worker's. A mixin of `Dependencies` (composition_root.py), which gives it the settings,
the clock, the store, the publisher, the translator and the notifications."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib import aws_resource_names

if TYPE_CHECKING:
    from chalicelib.composition_root import Dependencies
    from chalicelib.domain.repositories import IncidentRepository
    from chalicelib.usecases.incident_fanout import FanOutUpdate
    from chalicelib.usecases.incidents import (
        FindCandidates,
        LinkTickets,
        OpenIncident,
        PostUpdate,
        ReadIncidents,
    )


class IncidentDesk:
    @cached_property
    def incidents(self: Dependencies) -> IncidentRepository:
        from chalicelib.adapters.dynamodb.incidents import DynamoDBIncidents

        return self._built("incidents", lambda: DynamoDBIncidents(self.settings.table_name))

    @cached_property
    def incidents_queue(self: Dependencies) -> str:
        return self.settings.queue_name(aws_resource_names.INCIDENTS)

    @cached_property
    def open_incident(self: Dependencies) -> OpenIncident:
        from chalicelib.usecases.incidents import OpenIncident

        return OpenIncident(self.incidents, self.clock, self.settings.pivot_language)

    @cached_property
    def read_incidents(self: Dependencies) -> ReadIncidents:
        from chalicelib.usecases.incidents import ReadIncidents

        return ReadIncidents(self.incidents)

    @cached_property
    def link_tickets(self: Dependencies) -> LinkTickets:
        from chalicelib.usecases.incidents import LinkTickets

        return LinkTickets(self.incidents, self.tickets, self.publisher, self.incidents_queue)

    @cached_property
    def find_candidates(self: Dependencies) -> FindCandidates:
        from chalicelib.usecases.incidents import FindCandidates

        return FindCandidates(self.incidents, self.tickets, self.work_lists, self.settings.pivot_language)

    @cached_property
    def post_incident_update(self: Dependencies) -> PostUpdate:
        from chalicelib.usecases.incidents import PostUpdate

        return PostUpdate(self.incidents, self.publisher, self.incidents_queue, self.clock)

    @cached_property
    def fan_out_incident_update(self: Dependencies) -> FanOutUpdate:
        from chalicelib.usecases.incident_fanout import FanOutUpdate
        from chalicelib.usecases.incidents import FAN_OUT_PAGE

        def notify(*args: Any, **kwargs: Any) -> object:
            # Late-bound: built on the first notification, with whatever overrides are in force.
            return self.request_notification(*args, **kwargs)

        return FanOutUpdate(
            self.incidents,
            self.tickets,
            self.messages,
            self.text_translator,
            self.change_desk_state,
            self._built("incident_notify", lambda: notify),
            self.publisher,
            self.incidents_queue,
            self.settings.pivot_language,
            page_size=self._built("incident_fanout_page_size", lambda: FAN_OUT_PAGE),
        )
