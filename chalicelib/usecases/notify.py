"""Tell the requester: request a notification (stored per channel, then queued), deliver it
(the notify worker), and re-send what waits too long (the sweeper).

Delivery is at least once: a worker first takes a short lease on the notification (a
conditional write), so two copies of one claim check never send twice; only a crash between
the send and the "sent" write can repeat a message, and receivers deduplicate on the
`Polyglot-Delivery` id.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from chalicelib.domain.conversation import requester_language
from chalicelib.domain.dead_letters import failure_reason
from chalicelib.domain.notifications import (
    Channel,
    MalformedCheck,
    Notification,
    NotificationCheck,
    NotificationType,
    delivered,
    failed_attempt,
    new_notification,
    parse_notification_check,
    resent,
)
from chalicelib.domain.ports import Clock, Delivery, DeliveryFailed, NotificationChannel, OutgoingMessage, Publisher
from chalicelib.domain.repositories import NotificationRepository, StaleTicket, TicketExists, TicketRepository
from chalicelib.domain.ticket import Ticket
from chalicelib.observability import logger, record_context
from chalicelib.usecases.pipeline_stage import QueuedRecord

RETRY_LIMIT = 200  # notifications re-sent per sweeper run; a larger backlog drains over the next runs


@dataclass(frozen=True)
class RequestNotification:
    notifications: NotificationRepository
    publisher: Publisher
    notify_queue: str
    channels: tuple[Channel, ...]  # the configured ones
    clock: Clock
    pivot_language: str
    ticket_link: Callable[[str], str]  # ticket id -> the requester's page, with its link token
    # A notification whose claim check got lost is re-sent by the sweeper after this long.
    resend_after: timedelta

    def reaches(self, ticket: Ticket) -> bool:
        """Whether a notification to this ticket's requester would go anywhere."""
        return bool(self._channels_reaching(ticket))

    def _channels_reaching(self, ticket: Ticket) -> list[Channel]:
        return [
            channel for channel in self.channels if channel is not Channel.EMAIL or ticket.requester.email is not None
        ]

    def __call__(
        self, ticket: Ticket, kind: NotificationType, cause: str, params: Mapping[str, str] | None = None
    ) -> list[Notification]:
        """Store the notification once per channel that can reach this requester, and queue it.
        Asking again for the same (kind, cause) is a no-op: ids are deterministic."""
        channels = self._channels_reaching(ticket)
        if not channels:
            return []
        now = self.clock()
        from chalicelib.domain.notification_templates import template_languages

        language = requester_language(ticket, self.pivot_language)
        if language not in template_languages():
            language = self.pivot_language  # the templates' fallback: better read than unreadable
        values = {
            "ticket_number": ticket.ticket_id,
            "ticket_link": self.ticket_link(ticket.ticket_id),
            **(params or {}),
        }
        created: list[Notification] = []
        for channel in channels:
            notification = new_notification(
                ticket.ticket_id, kind, cause, channel, language, values, now, self.resend_after, ticket.correlation_id
            )
            try:
                self.notifications.add(notification)
            except TicketExists:
                continue  # requested before: queued, sent or failed already
            created.append(notification)
        if created:
            checks = [
                OutgoingMessage(
                    self.notify_queue,
                    NotificationCheck(item.ticket_id, item.notification_id, item.correlation_id).to_body(),
                    item.notification_id,
                )
                for item in created
            ]
            with contextlib.suppress(Exception):  # stored already: the sweeper sends it if this did not
                self.publisher.send(checks)
        return created


@dataclass(frozen=True)
class DeliverNotifications:
    notifications: NotificationRepository
    tickets: TicketRepository
    channels: Mapping[str, NotificationChannel]
    clock: Clock
    # How long a worker holds a notification while it sends (another copy waits that long).
    lease: timedelta

    def __call__(self, records: list[QueuedRecord]) -> list[str]:
        """Deliver a batch; return the message ids to retry (unreadable or a store error)."""
        return list(self.run(records))

    def run(self, records: list[QueuedRecord]) -> dict[str, str]:
        """Deliver a batch; why each record to retry failed, by message id (no personal data)."""
        failed: dict[str, str] = {}
        for record in records:
            try:
                check = parse_notification_check(record.body)
            except MalformedCheck as error:
                failed[record.message_id] = failure_reason(error)
                logger.error(
                    "malformed notification check", extra={"id": record.message_id, "error": failed[record.message_id]}
                )
                continue
            with record_context(correlation_id=check.correlation_id, ticket_id=check.ticket_id):
                try:
                    self.deliver(check)
                except Exception as error:
                    logger.exception("notification not delivered; will retry", extra={"id": check.notification_id})
                    failed[record.message_id] = failure_reason(error)
        return failed

    def deliver(self, check: NotificationCheck) -> None:
        from chalicelib.domain.notification_templates import TemplateError

        notification = self.notifications.get(check.ticket_id, check.notification_id)
        if notification is None or not notification.queued:
            return  # sent or failed already: a duplicate
        now = self.clock()
        leased = resent(notification, now, self.lease)
        try:
            self.notifications.save(notification, leased)
        except StaleTicket:
            return  # another copy is delivering it
        ticket = self.tickets.get(check.ticket_id)
        channel = self.channels.get(leased.channel.value)
        try:
            if ticket is None or channel is None:
                raise TemplateError("no ticket" if ticket is None else f"channel {leased.channel.value} is off")
            channel.send(delivery_of(leased, ticket))
        except TemplateError as error:
            self.notifications.save(leased, failed_attempt(leased, str(error), self.clock(), final=True))
            logger.error("notification cannot be sent", extra={"id": leased.notification_id, "error": str(error)})
        except DeliveryFailed as error:
            after = failed_attempt(leased, str(error), self.clock())
            self.notifications.save(leased, after)
            logger.warning(
                "notification channel failed",
                extra={"id": leased.notification_id, "error": str(error), "status": after.status.value},
            )
        else:
            self.notifications.save(leased, delivered(leased, self.clock()))
            logger.info("notification sent", extra={"type": leased.type.value, "channel": leased.channel.value})


def delivery_of(notification: Notification, ticket: Ticket) -> Delivery:
    # Imported here: the templates load only where notifications are written or sent.
    from chalicelib.domain.notification_templates import render

    rendered = render(notification.type, notification.language, notification.params)
    return Delivery(
        delivery_id=f"{notification.ticket_id}.{notification.notification_id}",
        type=notification.type.value,
        ticket_id=notification.ticket_id,
        requester_id=ticket.requester.id,
        email=ticket.requester.email,
        language=rendered.language,
        direction=rendered.direction,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        created_at=notification.created_at,
    )


@dataclass(frozen=True)
class RetryNotifications:
    notifications: NotificationRepository
    publisher: Publisher
    notify_queue: str
    clock: Clock
    resend_after: timedelta

    def __call__(self) -> int:
        """Re-send the claim check of every queued notification whose next attempt is due."""
        now = self.clock()
        checks: list[OutgoingMessage] = []
        for notification in self.notifications.due(now, RETRY_LIMIT):
            try:
                self.notifications.save(notification, resent(notification, now, self.resend_after))
            except StaleTicket:
                continue  # a worker has it
            check = NotificationCheck(notification.ticket_id, notification.notification_id, notification.correlation_id)
            checks.append(OutgoingMessage(self.notify_queue, check.to_body(), notification.notification_id))
        unsent = self.publisher.send(checks) if checks else set()
        return len(checks) - len(unsent)
