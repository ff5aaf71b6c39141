"""The composition root's part for talking back: notifications, their channels, announcements
and satisfaction surveys. A mixin of `Dependencies` (composition_root.py), which gives it the
settings, the clock, the store and the publisher."""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib import aws_resource_names
from chalicelib.domain.notifications import Channel
from chalicelib.domain.requester_links import ticket_page_link
from chalicelib.domain.satisfaction import survey_token

if TYPE_CHECKING:
    from chalicelib.composition_root import Dependencies
    from chalicelib.domain.conversation import Message
    from chalicelib.domain.ports import NotificationChannel
    from chalicelib.domain.repositories import NotificationRepository, SurveyRepository
    from chalicelib.domain.ticket import Ticket
    from chalicelib.usecases.announcements import Acknowledge, AnnounceDeskChange, AnnounceReply
    from chalicelib.usecases.notify import DeliverNotifications, RequestNotification, RetryNotifications
    from chalicelib.usecases.satisfaction import RecordSatisfaction, RequestDueSurveys


class TalkingBack:
    @cached_property
    def notifications(self: Dependencies) -> NotificationRepository:
        from chalicelib.adapters.dynamodb.notifications import DynamoDBNotifications

        return self._built("notifications", lambda: DynamoDBNotifications(self.settings.table_name))

    @cached_property
    def surveys(self: Dependencies) -> SurveyRepository:
        from chalicelib.adapters.dynamodb.surveys import DynamoDBSurveys

        return self._built(
            "surveys", lambda: DynamoDBSurveys(self.settings.table_name, on_counted=self.emit_support_metrics)
        )

    @cached_property
    def notification_channels(self: Dependencies) -> dict[str, NotificationChannel]:
        """The configured channels by name; built (and the webhook key resolved) on first send."""

        def build() -> dict[str, NotificationChannel]:
            from chalicelib.adapters.notifiers import SesEmail, SignedWebhook
            from chalicelib.adapters.secrets import resolve_secret

            config = self.settings.notifications
            channels: dict[str, NotificationChannel] = {}
            if config.email_from is not None:
                channels[Channel.EMAIL.value] = SesEmail(config.email_from)
            if config.webhook_url is not None and config.webhook_secret is not None:
                secret = resolve_secret(config.webhook_secret)
                channels[Channel.WEBHOOK.value] = SignedWebhook(
                    config.webhook_url, secret, config.webhook_timeout_seconds
                )
            return channels

        return self._built("notification_channels", build)

    @cached_property
    def request_notification(self: Dependencies) -> RequestNotification:
        from chalicelib.usecases.notify import RequestNotification

        config = self.settings.notifications
        channels = tuple(
            channel
            for channel, configured in (
                (Channel.EMAIL, config.email_from is not None),
                (Channel.WEBHOOK, config.webhook_url is not None),
            )
            if configured
        )
        return RequestNotification(
            self.notifications,
            self.publisher,
            self.settings.queue_name(aws_resource_names.NOTIFY),
            channels,
            self.clock,
            self.settings.pivot_language,
            self.ticket_page_link,
            resend_after=timedelta(seconds=self.settings.sweep_after_seconds),
        )

    @cached_property
    def deliver_notifications(self: Dependencies) -> DeliverNotifications:
        from chalicelib.usecases.notify import DeliverNotifications

        lease = timedelta(seconds=max(self.settings.sweep_after_seconds, 60))
        return DeliverNotifications(self.notifications, self.tickets, self.notification_channels, self.clock, lease)

    @cached_property
    def retry_notifications(self: Dependencies) -> RetryNotifications:
        from chalicelib.usecases.notify import RetryNotifications

        return RetryNotifications(
            self.notifications,
            self.publisher,
            self.settings.queue_name(aws_resource_names.NOTIFY),
            self.clock,
            timedelta(seconds=self.settings.sweep_after_seconds),
        )

    @cached_property
    def acknowledge(self: Dependencies) -> Acknowledge:
        from chalicelib.usecases.announcements import Acknowledge

        notify = self.request_notification
        return Acknowledge(self.work_lists, self.response_times, notify, self.clock, reaches=notify.reaches)

    @cached_property
    def announce_reply(self: Dependencies) -> AnnounceReply:
        from chalicelib.usecases.announcements import AnnounceReply

        def is_incident_update(ticket: Ticket, message: Message) -> bool:
            incident_id = self.incidents.incident_of(ticket.ticket_id)
            incident = self.incidents.get(incident_id) if incident_id else None
            return incident is not None and incident.update(message.message_id) is not None

        return AnnounceReply(self.request_notification, is_incident_update)

    @cached_property
    def announce_desk_change(self: Dependencies) -> AnnounceDeskChange:
        from chalicelib.usecases.announcements import AnnounceDeskChange

        delay = timedelta(seconds=self.settings.notifications.csat_delay_seconds)
        return AnnounceDeskChange(self.surveys, self.request_notification, self.clock, delay)

    def ticket_page_link(self: Dependencies, ticket_id: str) -> str:
        return ticket_page_link(self.settings.notifications.public_base_url, ticket_id, self.agent_token_secret)

    def survey_link(self: Dependencies, ticket_id: str, resolution: int) -> str:
        """The requester's page, asking for the rating; its survey token lets an app (or a mail
        client's one-click link) rate through the API without the page."""
        secret = self.agent_token_secret
        page = self.ticket_page_link(ticket_id)
        return f"{page}&survey_token={survey_token(secret, ticket_id, resolution)}" if secret else page

    @cached_property
    def request_due_surveys(self: Dependencies) -> RequestDueSurveys:
        from chalicelib.usecases.satisfaction import RequestDueSurveys

        return RequestDueSurveys(self.tickets, self.surveys, self.request_notification, self.clock, self.survey_link)

    @cached_property
    def record_satisfaction(self: Dependencies) -> RecordSatisfaction:
        from chalicelib.usecases.satisfaction import RecordSatisfaction

        return RecordSatisfaction(
            self.surveys,
            self.clock,
            self.settings.pivot_language,
            self.add_message.accept,
            satisfaction_changes=_satisfaction_changes(),
        )


def _satisfaction_changes() -> Any:
    """The support metrics' counters for a survey answer, if that module is present."""
    try:
        from chalicelib.domain.support_metrics import satisfaction_changes
    except ImportError:  # pragma: no cover - support metrics not installed
        return None
    return satisfaction_changes
