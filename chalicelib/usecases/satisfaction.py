"""Satisfaction surveys: ask when one comes due, and record the requester's answer."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain import satisfaction
from chalicelib.domain.conversation import Author, Message, new_message
from chalicelib.domain.notifications import NotificationType
from chalicelib.domain.ports import Clock
from chalicelib.domain.repositories import StaleTicket, SurveyRepository, TicketExists, TicketRepository
from chalicelib.domain.satisfaction import AlreadyAnswered, NotResolved, Survey
from chalicelib.domain.ticket import Ticket
from chalicelib.observability import logger
from chalicelib.usecases.announcements import Notify

SAVE_ATTEMPTS = 3
SURVEY_LIMIT = 200  # surveys asked per run; a larger backlog drains over the next runs

# The counters an answer adds to the support metrics (domain/support_metrics.py).
SatisfactionChanges = Callable[[Ticket, int, Any], Sequence[Any]]


@dataclass(frozen=True)
class RequestDueSurveys:
    tickets: TicketRepository
    surveys: SurveyRepository
    notify: Notify
    clock: Clock
    survey_link: Callable[[str, int], str]  # (ticket id, resolution) -> the link in the message

    def __call__(self) -> dict[str, int]:
        counts = {"asked": 0, "cancelled": 0}
        now = self.clock()
        for survey in self.surveys.due(now, SURVEY_LIMIT):
            ticket = self.tickets.get(survey.ticket_id)
            holds = ticket is not None and satisfaction.still_holds(survey, ticket)
            if holds and ticket is not None:
                link = self.survey_link(ticket.ticket_id, survey.resolution)
                self.notify(
                    ticket, NotificationType.CSAT_REQUESTED, f"resolution-{survey.resolution}", {"survey_link": link}
                )
            try:
                self.surveys.save(survey, satisfaction.requested(survey) if holds else satisfaction.cancelled(survey))
            except StaleTicket:
                continue  # answered meanwhile
            counts["asked" if holds else "cancelled"] += 1
        return counts


@dataclass(frozen=True)
class RecordSatisfaction:
    surveys: SurveyRepository
    clock: Clock
    pivot_language: str
    add_comment: Callable[[Message, str], None]  # store a message, queue its translation
    satisfaction_changes: SatisfactionChanges | None = None

    def __call__(self, ticket: Ticket, rating: int, comment: str | None) -> Survey:
        """Once per resolution: AlreadyAnswered after that, NotResolved if there is none to rate."""
        resolution = satisfaction.current_resolution(ticket)
        if resolution is None:
            raise NotResolved(ticket.ticket_id)
        now = self.clock()
        message = (
            new_message(ticket, Author.REQUESTER, comment, now, self.pivot_language) if comment is not None else None
        )
        changes = self.satisfaction_changes(ticket, rating, now) if self.satisfaction_changes else ()
        for _ in range(SAVE_ATTEMPTS):
            survey = self._survey(ticket, resolution, now)
            after = satisfaction.answered(survey, rating, message.message_id if message else None, now)
            try:
                self.surveys.save(survey, after, changes)
                break
            except StaleTicket:
                continue  # asked or answered meanwhile: read it again
        else:
            raise AlreadyAnswered(ticket.ticket_id)
        if message is not None:
            self.add_comment(message, ticket.correlation_id)
        logger.info("satisfaction recorded", extra={"ticket_id": ticket.ticket_id, "rating": rating})
        return after

    def _survey(self, ticket: Ticket, resolution: int, now: datetime) -> Survey:
        survey = self.surveys.get(ticket.ticket_id, resolution)
        if survey is None:  # rated before its survey was scheduled (or scheduling failed)
            with contextlib.suppress(TicketExists):
                self.surveys.add(satisfaction.schedule_survey(ticket, now, timedelta(0)))
            survey = self.surveys.get(ticket.ticket_id, resolution)
            assert survey is not None
        return survey
