"""Notifications on the in-memory store: requested once per channel, delivered by the notify
worker, retried while a channel is down, never sent twice for one request; announcements of
the desk's moves; the satisfaction survey."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

import pytest

from chalicelib import aws_resource_names
from chalicelib.composition_root import Dependencies
from chalicelib.domain import desk
from chalicelib.domain.notifications import MAX_ATTEMPTS, Channel, DeliveryStatus, NotificationType
from chalicelib.domain.ports import Delivery, DeliveryFailed
from chalicelib.domain.satisfaction import AlreadyAnswered, NotResolved, SurveyStatus
from chalicelib.domain.ticket import Requester
from chalicelib.settings import NotificationSettings, SecretSetting, get_settings
from tests.unit.usecases.fakes import RecordingPublisher, StepClock, delivered, in_memory_desk, on_the_desk, queue

MAIL = "lucia@example.com"
NOTIFY_QUEUE = queue(aws_resource_names.NOTIFY)


@dataclass
class FakeChannel:
    channel: str
    down: bool = False
    sent: list[Delivery] = field(default_factory=list)

    def send(self, delivery: Delivery) -> None:
        if self.down:
            raise DeliveryFailed("webhook answered 503")
        self.sent.append(delivery)


@pytest.fixture
def channels() -> dict[str, FakeChannel]:
    return {"email": FakeChannel("email"), "webhook": FakeChannel("webhook")}


@pytest.fixture
def deps(clock: StepClock, publisher: RecordingPublisher, channels: dict[str, FakeChannel]) -> Dependencies:
    config = NotificationSettings(
        email_from="desk@example.com",
        webhook_url="https://app.example.com/hooks",
        webhook_secret=SecretSetting("NOTIFY_WEBHOOK_SECRET", "whsec"),
        csat_delay_seconds=24 * 3600,
    )
    base = in_memory_desk(clock, publisher, settings=replace(get_settings(), notifications=config))
    return replace(base, overrides={**base.overrides, "notification_channels": channels})


def ticket_with_email(deps: Dependencies, **changes):
    return on_the_desk(deps, requester=Requester(id="u-1", email=MAIL, locale="es-MX", country="MX"), **changes)


def deliver_all(deps: Dependencies, publisher: RecordingPublisher) -> list[str]:
    return deps.deliver_notifications(delivered(publisher.take(NOTIFY_QUEUE)))


def test_a_request_is_stored_per_channel_and_queued_once(deps, publisher):
    # Given a routed Spanish ticket whose requester gave an e-mail address
    ticket = ticket_with_email(deps)
    # When its acknowledgement is requested twice (a re-delivered route message)
    deps.acknowledge(ticket)
    deps.acknowledge(ticket)
    # Then it is stored once per channel, in Spanish, and queued once per channel
    stored = deps.notifications.for_ticket(ticket.ticket_id)
    assert [(item.channel, item.language, item.status) for item in stored] == [
        (Channel.EMAIL, "es", DeliveryStatus.QUEUED),
        (Channel.WEBHOOK, "es", DeliveryStatus.QUEUED),
    ]
    assert len(publisher.on(NOTIFY_QUEUE)) == 2
    params = stored[0].params
    assert params["ticket_number"] == ticket.ticket_id and int(params["eta_high_hours"]) >= 1


def test_without_an_address_only_the_webhook_is_used(deps):
    ticket = on_the_desk(deps)  # no e-mail
    deps.acknowledge(ticket)
    assert [item.channel for item in deps.notifications.for_ticket(ticket.ticket_id)] == [Channel.WEBHOOK]


class CountedReads:
    """A store part whose reads are counted."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.reads = 0

    def __getattr__(self, name: str) -> object:
        self.reads += 1
        return getattr(self.inner, name)


def test_a_requester_no_channel_reaches_costs_the_acknowledgement_no_read(clock, publisher):
    # Given no webhook configured, and a requester who left no e-mail address
    base = in_memory_desk(clock, publisher, settings=replace(get_settings(), notifications=NotificationSettings()))
    work_lists, response_times = CountedReads(base.work_lists), CountedReads(base.response_times)
    deps = replace(base, overrides={**base.overrides, "work_lists": work_lists, "response_times": response_times})
    ticket = on_the_desk(deps)

    # When its acknowledgement is due
    deps.acknowledge(ticket)

    # Then nothing is stored or queued, and the ETA's reads were not even made
    assert deps.notifications.for_ticket(ticket.ticket_id) == []
    assert publisher.on(NOTIFY_QUEUE) == []
    assert (work_lists.reads, response_times.reads) == (0, 0)


def test_the_worker_renders_in_the_tickets_language_and_records_it_sent(deps, publisher, channels, clock):
    ticket = ticket_with_email(deps)
    deps.acknowledge(ticket)
    clock.advance(timedelta(seconds=2))
    assert deliver_all(deps, publisher) == []
    (mail,) = channels["email"].sent
    assert mail.email == MAIL and mail.language == "es" and ticket.ticket_id in mail.text
    assert mail.html.startswith("<!doctype html>") and 'lang="es"' in mail.html
    assert {item.status for item in deps.notifications.for_ticket(ticket.ticket_id)} == {DeliveryStatus.SENT}


def test_a_duplicate_claim_check_sends_nothing_twice(deps, publisher, channels):
    ticket = ticket_with_email(deps)
    deps.acknowledge(ticket)
    checks = publisher.take(NOTIFY_QUEUE)
    deps.deliver_notifications(delivered(checks))
    deps.deliver_notifications(delivered(checks))
    assert len(channels["email"].sent) == 1 and len(channels["webhook"].sent) == 1


def test_a_channel_down_is_retried_by_the_sweeper_until_it_is_back(deps, publisher, channels, clock):
    # Given the webhook receiver is down when the acknowledgement goes out
    ticket = ticket_with_email(deps)
    channels["webhook"].down = True
    deps.acknowledge(ticket)
    deliver_all(deps, publisher)
    # Then the e-mail went out, and the webhook waits for a retry (the ticket is not held up)
    by_channel = {item.channel: item for item in deps.notifications.for_ticket(ticket.ticket_id)}
    assert by_channel[Channel.EMAIL].status is DeliveryStatus.SENT
    assert by_channel[Channel.WEBHOOK].status is DeliveryStatus.QUEUED
    assert by_channel[Channel.WEBHOOK].last_error == "webhook answered 503"
    # When nothing is due yet, the sweeper re-sends nothing
    assert deps.retry_notifications() == 0
    # When the receiver is back and the pause has passed
    channels["webhook"].down = False
    clock.advance(timedelta(minutes=2))
    assert deps.retry_notifications() == 1
    deliver_all(deps, publisher)
    # Then it is sent, once
    assert len(channels["webhook"].sent) == 1
    assert {item.status for item in deps.notifications.for_ticket(ticket.ticket_id)} == {DeliveryStatus.SENT}


def test_a_channel_that_never_comes_back_is_marked_failed(deps, publisher, channels, clock):
    ticket = on_the_desk(deps)
    channels["webhook"].down = True
    deps.acknowledge(ticket)
    deliver_all(deps, publisher)
    for _ in range(MAX_ATTEMPTS):
        clock.advance(timedelta(hours=2))
        deps.retry_notifications()
        deliver_all(deps, publisher)
    (webhook,) = deps.notifications.for_ticket(ticket.ticket_id)
    assert webhook.status is DeliveryStatus.FAILED and webhook.attempts == MAX_ATTEMPTS
    assert deps.retry_notifications() == 0


def test_a_lost_claim_check_is_re_sent_by_the_sweeper(deps, publisher, channels, clock):
    ticket = ticket_with_email(deps)
    deps.acknowledge(ticket)
    publisher.take(NOTIFY_QUEUE)  # lost
    clock.advance(timedelta(seconds=deps.settings.sweep_after_seconds + 1))
    assert deps.retry_notifications() == 2
    deliver_all(deps, publisher)
    assert len(channels["email"].sent) == 1


def test_waiting_and_resolving_tell_the_requester_and_resolving_schedules_a_survey(deps, clock):
    ticket = ticket_with_email(deps)
    waiting = deps.change_desk_state(ticket, desk.wait_on_requester, "ana", None)
    clock.advance(timedelta(minutes=5))
    resolved = deps.change_desk_state(waiting, desk.resolve, "ana", "refunded")
    kinds = [item.type for item in deps.notifications.for_ticket(ticket.ticket_id) if item.channel is Channel.EMAIL]
    assert kinds == [NotificationType.WAITING, NotificationType.RESOLVED]
    survey = deps.surveys.get(resolved.ticket_id, 1)
    assert survey is not None and survey.status is SurveyStatus.SCHEDULED


def test_the_survey_is_asked_after_the_delay_unless_the_ticket_was_reopened(deps, clock):
    # Given two resolved tickets, one reopened by its requester an hour later
    kept = deps.change_desk_state(ticket_with_email(deps), desk.resolve, "ana", None)
    reopened = deps.change_desk_state(ticket_with_email(deps), desk.resolve, "ana", None)
    clock.advance(timedelta(hours=1))
    deps.change_desk_state(reopened, desk.reopen, "requester", None)
    # When less than a day has passed, nobody is asked
    assert deps.request_due_surveys() == {"asked": 0, "cancelled": 0}
    # When a day has passed
    clock.advance(timedelta(hours=24))
    assert deps.request_due_surveys() == {"asked": 1, "cancelled": 1}
    # Then only the ticket still resolved is asked, with a link that carries its survey token
    asked = [item for item in deps.notifications.for_ticket(kept.ticket_id) if item.type.value == "csat.requested"]
    assert len(asked) == 2 and "survey_token=" in asked[0].params["survey_link"]
    assert not [
        item for item in deps.notifications.for_ticket(reopened.ticket_id) if item.type.value == "csat.requested"
    ]


def test_a_rating_is_accepted_once_per_resolution(deps, publisher):
    ticket = ticket_with_email(deps)
    with pytest.raises(NotResolved):
        deps.record_satisfaction(ticket, 5, None)
    resolved = deps.change_desk_state(ticket, desk.resolve, "ana", None)
    survey = deps.record_satisfaction(resolved, 4, "Muy rápido, gracias")
    assert survey.rating == 4 and survey.comment_message_id is not None
    # The comment is a message of the conversation, queued for translation like any other
    comment = deps.messages.get(ticket.ticket_id, survey.comment_message_id)
    assert comment is not None and comment.text == "Muy rápido, gracias"
    assert publisher.on(queue(aws_resource_names.TRANSLATE))
    with pytest.raises(AlreadyAnswered):
        deps.record_satisfaction(resolved, 1, None)
    # A comment does not reopen the ticket, as a requester's message would
    assert deps.tickets.get(ticket.ticket_id).desk.state is desk.DeskState.RESOLVED
