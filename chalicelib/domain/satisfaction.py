"""Satisfaction surveys: one per resolution of a ticket.

A resolution schedules a survey `CSAT_DELAY` later; when it comes due and the ticket is still
resolved by that same resolution (not reopened meanwhile), the requester is asked. An answer
(a rating 1-5 and an optional comment) is accepted once per resolution, from the requester's
own token or the single-purpose survey token in the link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain.ticket import DeskState, Ticket, iso

SATISFIED_FROM = 4  # ratings of 4 and 5 count as satisfied


class SurveyStatus(StrEnum):
    SCHEDULED = "scheduled"  # waiting for CSAT_DELAY to pass
    REQUESTED = "requested"  # the csat.requested notification went out
    ANSWERED = "answered"
    CANCELLED = "cancelled"  # reopened before it came due


class AlreadyAnswered(RuntimeError):
    """A second answer for one resolution."""


class NotResolved(RuntimeError):
    """No resolution to rate: the ticket is not resolved (or was reopened)."""


@dataclass(frozen=True)
class Survey:
    ticket_id: str
    resolution: int  # 1 for the first resolution, 2 after a reopen and a second one, ...
    resolved_at: str
    due_at: str
    status: SurveyStatus
    rating: int | None = None
    comment_message_id: str | None = None  # the comment is a conversation message
    answered_at: str | None = None
    version: int = 1

    def to_record(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status.value}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Survey:
        return cls(
            **{
                **record,
                "status": SurveyStatus(record["status"]),
                "resolution": int(record["resolution"]),
                "rating": None if record.get("rating") is None else int(record["rating"]),
                "version": int(record.get("version", 1)),
            }
        )

    @property
    def scheduled(self) -> bool:
        return self.status is SurveyStatus.SCHEDULED


def resolution_count(ticket: Ticket) -> int:
    """How many times the ticket has been resolved: the number of its current resolution."""
    return sum(1 for event in ticket.history if event.get("kind") == "desk" and event.get("to") == "resolved")


def current_resolution(ticket: Ticket) -> int | None:
    """The resolution the requester may rate now; None unless the ticket is resolved."""
    if ticket.desk is None or ticket.desk.state is not DeskState.RESOLVED:
        return None
    return resolution_count(ticket)


def schedule_survey(ticket: Ticket, now: datetime, delay: timedelta) -> Survey:
    resolution = current_resolution(ticket)
    assert resolution is not None, "only a resolved ticket is surveyed"
    return Survey(ticket.ticket_id, resolution, iso(now), iso(now + delay), SurveyStatus.SCHEDULED)


def still_holds(survey: Survey, ticket: Ticket) -> bool:
    """The resolution the survey is about is the ticket's current state."""
    return current_resolution(ticket) == survey.resolution


def requested(survey: Survey) -> Survey:
    return replace(survey, status=SurveyStatus.REQUESTED, version=survey.version + 1)


def cancelled(survey: Survey) -> Survey:
    return replace(survey, status=SurveyStatus.CANCELLED, version=survey.version + 1)


def answered(survey: Survey, rating: int, comment_message_id: str | None, now: datetime) -> Survey:
    if survey.status is SurveyStatus.ANSWERED:
        raise AlreadyAnswered(survey.ticket_id)
    return replace(
        survey,
        status=SurveyStatus.ANSWERED,
        rating=rating,
        comment_message_id=comment_message_id,
        answered_at=iso(now),
        version=survey.version + 1,
    )


def survey_token(secret: str, ticket_id: str, resolution: int) -> str:
    """The token in the survey link: it can rate this resolution of this ticket, nothing else,
    and is derived (never stored), so the table holds nothing that opens a survey."""
    digest = hmac.new(secret.encode(), f"survey:{ticket_id}:{resolution}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def survey_token_matches(secret: str, ticket_id: str, resolution: int, candidate: str) -> bool:
    # isascii first: compare_digest raises on other text, and no survey token has any.
    return candidate.isascii() and hmac.compare_digest(survey_token(secret, ticket_id, resolution), candidate)
