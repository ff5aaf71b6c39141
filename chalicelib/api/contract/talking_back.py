"""What the desk told the requester, how they rated it, and the survey answer they send."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints

from chalicelib.api.contract.base import RequestModel, Timestamp, ViewModel
from chalicelib.api.contract.errors import refuse, validated
from chalicelib.api.contract.requests import MAX_MESSAGE, _characters
from chalicelib.domain.notifications import Channel, DeliveryStatus, Notification, NotificationType
from chalicelib.domain.satisfaction import Survey, SurveyStatus


class NotificationView(ViewModel):
    """One notification on one channel: queued until sent, failed after its last retry."""

    type: NotificationType
    channel: Channel
    language: str = Field(description="The language it was written in (the ticket's, or the fallback)")
    status: DeliveryStatus
    at: Timestamp = Field(description="When it reached this status")

    @classmethod
    def of(cls, notification: Notification) -> NotificationView:
        return cls(
            type=notification.type,
            channel=notification.channel,
            language=notification.language,
            status=notification.status,
            at=notification.at,
        )


class SatisfactionView(ViewModel):
    """The survey of the ticket's latest resolution."""

    status: SurveyStatus
    resolution: int = Field(description="1 for the first resolution, 2 after a reopen, ...")
    rating: int | None
    comment_message_id: str | None = Field(description="The comment, a message of the conversation")
    answered_at: Timestamp | None

    @classmethod
    def of(cls, survey: Survey) -> SatisfactionView:
        return cls(
            status=survey.status,
            resolution=survey.resolution,
            rating=survey.rating,
            comment_message_id=survey.comment_message_id,
            answered_at=survey.answered_at,
        )


class SatisfactionRecorded(ViewModel):
    ticket_id: str
    resolution: int
    rating: int
    comment_message_id: str | None
    answered_at: Timestamp

    @classmethod
    def of(cls, survey: Survey) -> SatisfactionRecorded:
        assert survey.rating is not None and survey.answered_at is not None
        return cls(
            ticket_id=survey.ticket_id,
            resolution=survey.resolution,
            rating=survey.rating,
            comment_message_id=survey.comment_message_id,
            answered_at=survey.answered_at,
        )


def _rating(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise refuse("invalid_rating", "{field} must be a whole number from 1 to 5")
    return value


def _comment(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise refuse("invalid_type", "{field} must be a string")
    _characters(value)
    return value.strip() or None


class SatisfactionAnswer(RequestModel):
    """How the requester rates the answer they got (once per resolution)."""

    rating: Annotated[int, BeforeValidator(_rating)] = Field(description="1 (bad) to 5 (great)", ge=1, le=5)
    comment: Annotated[Annotated[str, StringConstraints(max_length=MAX_MESSAGE)] | None, BeforeValidator(_comment)] = (
        Field(default=None, description="In any language; detected and translated for agents")
    )


def parse_satisfaction(body: Any) -> tuple[int, str | None]:
    answer = validated(SatisfactionAnswer, body)
    return answer.rating, answer.comment


class IncidentBadge(ViewModel):
    """The incident the ticket is linked to, its title in the reader's language."""

    id: str
    status: str = Field(json_schema_extra={"enum": ["investigating", "identified", "monitoring", "resolved"]})
    title: str
