"""The notification and survey stores' contract, held by the in-memory and the DynamoDB ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.composition_root import Dependencies
from chalicelib.domain import desk
from chalicelib.domain.notifications import (
    Channel,
    NotificationType,
    delivered,
    failed_attempt,
    new_notification,
    resent,
)
from chalicelib.domain.repositories import StaleTicket, TicketExists
from chalicelib.domain.satisfaction import answered, cancelled, schedule_survey
from tests.integration.builders import T0, received_ticket, routed

TICKET = "01JABCDEFGHJKMNPQRSTVWXYZ0"
OTHER = "01JABCDEFGHJKMNPQRSTVWXYZ1"


def queued(ticket_id: str = TICKET, cause: str = "routed", channel: Channel = Channel.EMAIL, at=T0):
    return new_notification(
        ticket_id,
        NotificationType.ACKNOWLEDGED,
        cause,
        channel,
        "es",
        {"ticket_number": ticket_id},
        at,
        timedelta(seconds=60),
    )


def test_a_notification_is_stored_once_and_reads_back_unchanged(store: Dependencies):
    notification = queued()
    store.notifications.add(notification)
    with pytest.raises(TicketExists):
        store.notifications.add(notification)
    assert store.notifications.get(TICKET, notification.notification_id) == notification
    assert store.notifications.get(OTHER, notification.notification_id) is None


def test_a_save_is_conditional_on_the_version(store: Dependencies):
    notification = queued()
    store.notifications.add(notification)
    leased = resent(notification, T0, timedelta(minutes=1))
    store.notifications.save(notification, leased)
    with pytest.raises(StaleTicket):
        store.notifications.save(notification, delivered(notification, T0))  # a second worker, late
    store.notifications.save(leased, delivered(leased, T0))


def test_a_tickets_notifications_list_oldest_first_and_only_its_own(store: Dependencies):
    later = queued(cause="later", at=T0 + timedelta(minutes=5))
    store.notifications.add(later)
    store.notifications.add(queued(channel=Channel.WEBHOOK))
    store.notifications.add(queued(OTHER))
    listed = store.notifications.for_ticket(TICKET)
    assert [(item.channel, item.created_at) for item in listed] == [
        (Channel.WEBHOOK, queued().created_at),
        (Channel.EMAIL, later.created_at),
    ]


def test_only_queued_notifications_whose_attempt_is_due_are_found(store: Dependencies):
    due, not_yet, sent = queued(), queued(cause="not-yet"), queued(cause="sent")
    for notification in (due, not_yet, sent):
        store.notifications.add(notification)
    store.notifications.save(not_yet, failed_attempt(not_yet, "503", T0 + timedelta(hours=1)))
    store.notifications.save(sent, delivered(sent, T0))
    found = store.notifications.due(T0 + timedelta(minutes=30), 10)
    assert [item.notification_id for item in found] == [due.notification_id]
    assert len(store.notifications.due(T0 + timedelta(hours=3), 10)) == 2
    assert len(store.notifications.due(T0 + timedelta(hours=3), 1)) == 1


def resolved_ticket():
    ticket = routed(received_ticket(), T0)
    return desk.resolve(ticket, "ana", T0 + timedelta(minutes=30))


def test_a_survey_per_resolution_is_due_once_scheduled_and_not_after(store: Dependencies):
    survey = schedule_survey(resolved_ticket(), T0, timedelta(hours=24))
    store.surveys.add(survey)
    with pytest.raises(TicketExists):
        store.surveys.add(survey)
    assert store.surveys.get(survey.ticket_id, 1) == survey
    assert store.surveys.get(survey.ticket_id, 2) is None
    assert store.surveys.due(T0 + timedelta(hours=23), 10) == []
    assert store.surveys.due(T0 + timedelta(hours=24), 10) == [survey]
    store.surveys.save(survey, cancelled(survey))
    assert store.surveys.due(T0 + timedelta(days=3), 10) == []


def test_a_survey_is_answered_once_even_by_two_at_a_time(store: Dependencies):
    survey = schedule_survey(resolved_ticket(), T0, timedelta(0))
    store.surveys.add(survey)
    store.surveys.save(survey, answered(survey, 5, None, T0))
    with pytest.raises(StaleTicket):
        store.surveys.save(survey, answered(survey, 1, None, T0))
    stored = store.surveys.get(survey.ticket_id, 1)
    assert stored is not None and stored.rating == 5
    assert replace(stored, version=survey.version) != survey
