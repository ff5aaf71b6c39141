"""Notifications as pure rules: ids, retries and their pauses, the claim check, and the webhook
signature a receiver checks."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.domain.notifications import (
    MAX_ATTEMPTS,
    Channel,
    DeliveryStatus,
    MalformedCheck,
    NotificationCheck,
    NotificationType,
    delivered,
    failed_attempt,
    new_notification,
    parse_notification_check,
    retry_pause,
)
from chalicelib.domain.ticket import iso
from chalicelib.domain.webhook_signature import sign, verify
from tests.integration.builders import T0

TICKET = "01JABCDEFGHJKMNPQRSTVWXYZ0"


def queued(channel: Channel = Channel.EMAIL):
    return new_notification(
        TICKET, NotificationType.ACKNOWLEDGED, "routed", channel, "es", {"ticket_number": TICKET}, T0, timedelta(60)
    )


def test_the_same_cause_gives_the_same_id_per_channel():
    # Given one acknowledgement requested twice, on two channels
    email, again, webhook = queued(), queued(), queued(Channel.WEBHOOK)
    # Then the ids repeat per channel (a repeated request is a duplicate) and differ across them
    assert email.notification_id == again.notification_id == "ticket.acknowledged#routed#email"
    assert webhook.notification_id != email.notification_id


def test_a_failed_send_waits_longer_each_time_and_gives_up_after_the_last_attempt():
    # Given a notification whose channel keeps failing
    notification = queued()
    pauses = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        notification = failed_attempt(notification, "webhook answered 503", T0)
        pauses.append(retry_pause(attempt))
        # Then it stays queued, due again after a growing pause, until the last attempt
        if attempt < MAX_ATTEMPTS:
            assert notification.status is DeliveryStatus.QUEUED
            assert notification.next_attempt_at == iso(T0 + retry_pause(attempt))
    assert pauses == sorted(pauses) and pauses[0] == timedelta(seconds=30)
    assert max(pauses) <= timedelta(hours=1)
    assert notification.status is DeliveryStatus.FAILED
    assert notification.attempts == MAX_ATTEMPTS and notification.last_error == "webhook answered 503"


def test_a_failure_nothing_can_fix_is_final_at_once():
    after = failed_attempt(queued(), "template missing", T0, final=True)
    assert after.status is DeliveryStatus.FAILED and after.attempts == 1


def test_a_sent_notification_records_when_and_leaves_the_queue():
    after = delivered(queued(), T0 + timedelta(seconds=3))
    assert after.status is DeliveryStatus.SENT and after.at == iso(T0 + timedelta(seconds=3))
    assert not after.queued and after.version == 2


def test_a_notification_survives_the_round_trip_to_the_store():
    notification = failed_attempt(queued(Channel.WEBHOOK), "timeout", T0)
    assert type(notification).from_record(json.loads(json.dumps(notification.to_record()))) == notification


def test_the_claim_check_round_trips_and_refuses_what_it_cannot_read():
    check = NotificationCheck(TICKET, "reply.added#01JABCDEFGHJKMNPQRSTVWXYZ1#webhook", "corr-1")
    assert parse_notification_check(json.dumps(check.to_body())) == check
    for raw in (
        "not json",
        json.dumps({**check.to_body(), "v": 2}),
        json.dumps({**check.to_body(), "ticket_id": "../etc"}),
        json.dumps({**check.to_body(), "notification_id": "reply.added#x#pigeon"}),
        json.dumps({**check.to_body(), "notification_id": "party.invite#x#email"}),
    ):
        with pytest.raises(MalformedCheck):
            parse_notification_check(raw)


# --- the webhook signature -------------------------------------------------------------------

SECRET = "whsec-test"
BODY = b'{"type":"reply.added","text":"Hola"}'
NOW = 1_900_000_000


def test_a_receiver_accepts_what_was_signed_with_its_key():
    assert verify(SECRET, sign(SECRET, BODY, NOW), BODY, now=NOW + 10)


@pytest.mark.parametrize(
    ("header", "body", "now"),
    [
        (sign(SECRET, BODY, NOW), BODY + b" ", NOW),  # the body was changed
        (sign("another key", BODY, NOW), BODY, NOW),  # signed by someone else
        (sign(SECRET, BODY, NOW), BODY, NOW + 301),  # replayed after the tolerance
        (sign(SECRET, BODY, NOW).replace(f"t={NOW}", f"t={NOW + 5}"), BODY, NOW),  # timestamp moved
        ("", BODY, NOW),
        ("t=abc,v1=00", BODY, NOW),
        ("garbage", BODY, NOW),
    ],
)
def test_a_receiver_refuses_anything_else(header, body, now):
    assert not verify(SECRET, header, body, now=now)


def test_during_a_key_rotation_either_signature_passes():
    old = sign("old key", BODY, NOW).split("v1=")[1]
    header = sign(SECRET, BODY, NOW) + f",v1={old}"
    assert verify(SECRET, header, BODY, now=NOW) and verify("old key", header, BODY, now=NOW)
