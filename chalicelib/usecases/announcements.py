"""What the desk tells a requester as their ticket moves: the acknowledgement once it reaches
its desk, each agent reply once translated, a request for information, the resolution (and
the survey it schedules). Each requests notifications (`usecases/notify.py`); ids derived from
the cause make a repeated announcement (a re-delivered message, a sweeper retry) a no-op."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from chalicelib.domain.conversation import Author, Message
from chalicelib.domain.desk import sla_clock
from chalicelib.domain.eta import eta_window
from chalicelib.domain.notifications import NotificationType
from chalicelib.domain.ports import Clock
from chalicelib.domain.repositories import ResponseTimes, SurveyRepository, TicketExists, WorkLists
from chalicelib.domain.satisfaction import current_resolution, schedule_survey
from chalicelib.domain.ticket import DeskState, Ticket, TranslationStatus
from chalicelib.observability import logger

# (ticket, type, cause, template values): usecases/notify.RequestNotification
Notify = Callable[[Ticket, NotificationType, str, Mapping[str, str]], object]


@dataclass(frozen=True)
class Acknowledge:
    """The ticket reached its desk: tell the requester its number and when to expect an answer."""

    work_lists: WorkLists
    response_times: ResponseTimes
    notify: Notify
    clock: Clock
    # Whether any configured channel reaches this requester (RequestNotification.reaches): when
    # none does, the ETA's two reads are not made at all.
    reaches: Callable[[Ticket], bool] = lambda ticket: True

    def __call__(self, ticket: Ticket) -> None:
        if ticket.routing is None or not self.reaches(ticket):
            return
        now = self.clock()
        due = sla_clock(ticket).first_response_due or now + timedelta(hours=24)
        window = eta_window(
            now,
            due,
            self.work_lists.open_ahead_of(ticket),
            self.response_times.recent_first_responses(ticket.routing.region),
            None,
        )
        low = max(1, math.floor((window.earliest - now).total_seconds() / 3600))
        high = max(low + 1, math.ceil((window.latest - now).total_seconds() / 3600))
        self.notify(
            ticket,
            NotificationType.ACKNOWLEDGED,
            "routed",
            {"eta_low_hours": str(low), "eta_high_hours": str(high)},
        )


@dataclass(frozen=True)
class AnnounceReply:
    """An agent's reply has its translation (or will not get one): send it to the requester, in
    their language when translated, else as written."""

    notify: Notify
    # An incident update is a message too, announced as `incident.update` by the fan-out: its
    # translation settling later must not announce it a second time as a reply.
    is_incident_update: Callable[[Ticket, Message], bool] = lambda ticket, message: False

    def __call__(self, ticket: Ticket, message: Message) -> None:
        if message.author is not Author.AGENT or self.is_incident_update(ticket, message):
            return
        translation = message.translation
        text = translation.text if translation.status is TranslationStatus.DONE and translation.text else message.text
        self.notify(
            ticket,
            NotificationType.REPLY_ADDED,
            message.message_id,
            {"agent_name": message.author_name or "", "reply_text": text},
        )


@dataclass(frozen=True)
class AnnounceDeskChange:
    """Waiting on the requester: ask them. Resolved: tell them, and schedule the survey."""

    surveys: SurveyRepository
    notify: Notify
    clock: Clock
    csat_delay: timedelta

    def __call__(self, before: Ticket, after: Ticket) -> None:
        if after.desk is None or (before.desk is not None and before.desk.state is after.desk.state):
            return
        # The desk change is saved already: an announcement that fails is logged, never undone.
        try:
            if after.desk.state is DeskState.WAITING:
                self.notify(after, NotificationType.WAITING, f"v{after.version}", {})
            elif after.desk.state is DeskState.RESOLVED:
                resolution = current_resolution(after)
                with contextlib.suppress(TicketExists):
                    self.surveys.add(schedule_survey(after, self.clock(), self.csat_delay))
                self.notify(after, NotificationType.RESOLVED, f"resolution-{resolution}", {})
        except Exception:
            logger.exception("desk change not announced", extra={"ticket_id": after.ticket_id})
