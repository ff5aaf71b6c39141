"""What the desk tells a requester, on which channel, and how each delivery went.

A notification is requested by a use case (routed, replied, waiting, resolved, survey due,
incident update) and stored once per channel, queued; the notify worker renders it from the
localized templates (`domain/notification_templates.py`) in the ticket's language and sends it.
A failed send is retried with growing pauses until `MAX_ATTEMPTS`, then marked failed: a
channel that is down never holds up the ticket.

Ids are deterministic (`<type>#<cause>#<channel>`): requesting the same notification twice (a
re-delivered SQS message, a retried request) stores it once and sends it once.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain.ids import is_ticket_id
from chalicelib.domain.ticket import iso

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600


class NotificationType(StrEnum):
    ACKNOWLEDGED = "ticket.acknowledged"
    REPLY_ADDED = "reply.added"
    WAITING = "ticket.waiting"
    RESOLVED = "ticket.resolved"
    CSAT_REQUESTED = "csat.requested"
    INCIDENT_UPDATE = "incident.update"


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


# The values each type's template may use (every template gets `ticket_number` and
# `ticket_link`); the renderer refuses a template that names anything else.
COMMON_PARAMS = ("ticket_number", "ticket_link")
TEMPLATE_PARAMS: dict[NotificationType, tuple[str, ...]] = {
    NotificationType.ACKNOWLEDGED: (*COMMON_PARAMS, "eta_low_hours", "eta_high_hours"),
    NotificationType.REPLY_ADDED: (*COMMON_PARAMS, "agent_name", "reply_text"),
    NotificationType.WAITING: COMMON_PARAMS,
    NotificationType.RESOLVED: COMMON_PARAMS,
    NotificationType.CSAT_REQUESTED: (*COMMON_PARAMS, "survey_link"),
    NotificationType.INCIDENT_UPDATE: (*COMMON_PARAMS, "incident_title", "incident_status", "update_text"),
}


def notification_id(kind: NotificationType, cause: str, channel: Channel) -> str:
    return f"{kind.value}#{cause}#{channel.value}"


@dataclass(frozen=True)
class Notification:
    ticket_id: str
    notification_id: str
    type: NotificationType
    channel: Channel
    language: str  # the template language it is (or will be) rendered in
    status: DeliveryStatus
    created_at: str
    at: str  # when the status last changed: queued, sent or failed
    next_attempt_at: str  # queued only: when the sweeper re-sends it if the worker has not sent it
    correlation_id: str = ""
    attempts: int = 0
    params: dict[str, str] = field(default_factory=dict)
    last_error: str | None = None
    version: int = 1

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        record.update(type=self.type.value, channel=self.channel.value, status=self.status.value)
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Notification:
        return cls(
            **{
                **record,
                "type": NotificationType(record["type"]),
                "channel": Channel(record["channel"]),
                "status": DeliveryStatus(record["status"]),
                "params": dict(record.get("params") or {}),
                "attempts": int(record.get("attempts", 0)),
                "version": int(record.get("version", 1)),
            }
        )

    @property
    def queued(self) -> bool:
        return self.status is DeliveryStatus.QUEUED


def new_notification(
    ticket_id: str,
    kind: NotificationType,
    cause: str,
    channel: Channel,
    language: str,
    params: dict[str, str],
    now: datetime,
    resend_after: timedelta,
    correlation_id: str = "",
) -> Notification:
    return Notification(
        ticket_id=ticket_id,
        notification_id=notification_id(kind, cause, channel),
        type=kind,
        channel=channel,
        language=language,
        status=DeliveryStatus.QUEUED,
        created_at=iso(now),
        at=iso(now),
        next_attempt_at=iso(now + resend_after),
        correlation_id=correlation_id,
        params=params,
    )


def retry_pause(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at an hour: a channel down for hours is still retried."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS))


def delivered(notification: Notification, now: datetime) -> Notification:
    return replace(
        notification,
        status=DeliveryStatus.SENT,
        at=iso(now),
        attempts=notification.attempts + 1,
        last_error=None,
        version=notification.version + 1,
    )


def failed_attempt(notification: Notification, error: str, now: datetime, final: bool = False) -> Notification:
    """One more failed attempt: retried later, or failed for good after MAX_ATTEMPTS (or at once
    when `final`: nothing a retry could change, such as a template that cannot render)."""
    attempts = notification.attempts + 1
    final = final or attempts >= MAX_ATTEMPTS
    return replace(
        notification,
        status=DeliveryStatus.FAILED if final else DeliveryStatus.QUEUED,
        at=iso(now) if final else notification.at,
        attempts=attempts,
        next_attempt_at=iso(now + retry_pause(attempts)),
        last_error=error[:300],
        version=notification.version + 1,
    )


def resent(notification: Notification, now: datetime, resend_after: timedelta) -> Notification:
    """The sweeper re-sent its claim check: give the worker `resend_after` before the next one."""
    return replace(notification, next_attempt_at=iso(now + resend_after), version=notification.version + 1)


# --- the claim check on the notify queue ------------------------------------------------------

NOTIFICATION_QUEUED = "notification.queued"
CHECK_VERSION = 1


@dataclass(frozen=True)
class NotificationCheck:
    ticket_id: str
    notification_id: str
    correlation_id: str = ""

    def to_body(self) -> dict[str, Any]:
        return {
            "type": NOTIFICATION_QUEUED,
            "v": CHECK_VERSION,
            "ticket_id": self.ticket_id,
            "notification_id": self.notification_id,
            "correlation_id": self.correlation_id,
        }


class MalformedCheck(ValueError):
    """Not a notification claim check this code can read (it goes to the DLQ after retries)."""


def parse_notification_check(raw: str) -> NotificationCheck:
    try:
        body = json.loads(raw)
    except (TypeError, ValueError) as error:
        raise MalformedCheck(f"not JSON: {error}") from None
    if not isinstance(body, dict) or body.get("v") != CHECK_VERSION or body.get("type") != NOTIFICATION_QUEUED:
        raise MalformedCheck(f"not a notification claim check: {raw[:200]!r}")
    ticket_id, notification = body.get("ticket_id"), body.get("notification_id")
    if not (isinstance(ticket_id, str) and is_ticket_id(ticket_id) and isinstance(notification, str)):
        raise MalformedCheck(f"missing ticket_id or notification_id: {raw[:200]!r}")
    kind, _, rest = notification.partition("#")
    cause, _, channel = rest.rpartition("#")
    if kind not in NotificationType._value2member_map_ or channel not in Channel._value2member_map_ or not cause:
        raise MalformedCheck(f"unknown notification id: {raw[:200]!r}")
    correlation = body.get("correlation_id")
    return NotificationCheck(ticket_id, notification, correlation if isinstance(correlation, str) else "")
