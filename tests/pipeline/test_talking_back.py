"""Talking back through the real handlers and queues: the acknowledgement, replies, waiting and
resolution reach the requester by e-mail (moto's SES) and a signed webhook (a local receiver),
in their language; a channel that is down is retried without holding up the ticket; the
satisfaction survey is asked a day after a resolution and answered once."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.adapters.aws import client
from chalicelib.composition_root import dependencies, override_dependencies
from chalicelib.domain.ticket import utc_now
from chalicelib.settings import NotificationSettings, SecretSetting
from chalicelib.workers import sweeper
from devstack.lambda_events import LambdaContext, scheduled_event
from devstack.webhook_receiver import WebhookReceiver
from tests.pipeline.conftest import create_ticket, get_ticket, openapi_validator, view
from tests.pipeline.test_desk import agent_token, call

SENDER = "desk@polyglot-desk.test"
HOOK_SECRET = "whsec-test-only"
SPANISH = "No puedo retirar mi dinero, el pago falla desde ayer y nadie me responde."
ARABIC = "لا أستطيع سحب أموالي، الدفع يفشل منذ الأمس ولا أحد يرد على رسائلي."


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


@pytest.fixture(scope="module")
def receiver_server() -> Iterator[tuple[WebhookReceiver, str]]:
    receiver = WebhookReceiver(HOOK_SECRET)
    url = receiver.start()
    yield receiver, url
    receiver.stop()


@pytest.fixture
def receiver(aws: None, receiver_server: tuple[WebhookReceiver, str]) -> WebhookReceiver:
    """The app sending e-mail through moto's SES and webhooks to the local receiver."""
    hooks, url = receiver_server
    hooks.received.clear()
    hooks.fail_with = None
    client("ses").verify_email_identity(EmailAddress=SENDER)
    ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages.clear()
    config = NotificationSettings(
        email_from=SENDER,
        webhook_url=url,
        webhook_secret=SecretSetting("NOTIFY_WEBHOOK_SECRET", HOOK_SECRET),
        public_base_url="https://help.example.com",
    )
    override_dependencies(settings=dataclasses.replace(dependencies().settings, notifications=config))
    return hooks


def sent_mails(to: str) -> list[Any]:
    messages = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    return [message for message in messages if to in message.destinations.get("ToAddresses", [])]


def new_ticket(api: Any, pipeline: Any, text: str, email: str, country: str = "MX", **requester: Any) -> dict:
    created = create_ticket(
        api,
        {
            "description": text,
            "category": "payment.failed",
            "requester": {"email": email, "country": country, **requester},
        },
    )
    pipeline.drain()
    return created


def later(by: timedelta) -> None:
    moment = utc_now() + by
    override_dependencies(clock=lambda: moment)


def sweep() -> dict[str, int]:
    """The scheduled sweeper, as EventBridge invokes it."""
    event = scheduled_event("arn:aws:events:us-east-1:123456789012:rule/sweep", "us-east-1")
    return sweeper.sweep_stuck_tickets(event, LambdaContext("sweep_stuck_tickets", 120))


def test_the_acknowledgement_reaches_the_requester_in_their_language_on_both_channels(api, pipeline, receiver):
    # Given a Spanish ticket with an e-mail address, through the pipeline to its desk
    created = new_ticket(api, pipeline, SPANISH, "lucia@example.com")
    # When the notify worker runs
    pipeline.deliver_notifications()
    # Then one e-mail went to the requester, with the ticket number
    (mail,) = sent_mails("lucia@example.com")
    assert created["ticket_id"] in mail.body
    # And the platform's webhook got one signed delivery, in Spanish
    (hook,) = receiver.received
    assert hook.signature_valid and hook.event == "ticket.acknowledged"
    assert hook.payload["language"] == "es" and hook.payload["ticket_id"] == created["ticket_id"]
    assert mail.subject == hook.payload["subject"]
    # And the requester's view records both, sent, in Spanish (valid against /openapi.json)
    body = view(api, created)
    assert [(n["type"], n["channel"], n["language"], n["status"]) for n in body["notifications"]] == [
        ("ticket.acknowledged", "email", "es", "sent"),
        ("ticket.acknowledged", "webhook", "es", "sent"),
    ]
    document = api.http.get("/openapi.json")
    errors = list(openapi_validator(json.loads(document.body), "RequesterTicket").iter_errors(body))
    assert not errors, errors


def test_a_right_to_left_language_gets_a_right_to_left_email(api, pipeline, receiver):
    created = new_ticket(api, pipeline, ARABIC, "omar@example.com", country="EG")
    pipeline.deliver_notifications()
    assert view(api, created)["notifications"][0]["language"] == "ar"
    (hook,) = receiver.received
    assert hook.payload["direction"] == "rtl"


def test_replies_waiting_and_resolution_are_announced(api, pipeline, receiver):
    created = new_ticket(api, pipeline, SPANISH, "lucia@example.com")
    ticket_id, token = created["ticket_id"], agent_token("ana", ("latam",), ("en",))
    # When an agent replies, asks for information, then resolves
    assert call(api, "post", f"/tickets/{ticket_id}/replies", token, {"text": "We refunded the payment."})[0] == 201
    pipeline.drain()
    assert call(api, "post", f"/tickets/{ticket_id}/waiting", token)[0] == 200
    assert call(api, "post", f"/tickets/{ticket_id}/resolve", token, {"note": "refunded"})[0] == 200
    pipeline.deliver_notifications()
    # Then the requester heard of each, once, on the webhook too
    events = [hook.event for hook in receiver.received]
    assert events == ["ticket.acknowledged", "reply.added", "ticket.waiting", "ticket.resolved"]
    reply = receiver.received[1].payload
    assert "We refunded the payment." in reply["text"] and "ana" in reply["text"]
    assert len(sent_mails("lucia@example.com")) == 4


def test_a_channel_that_is_down_is_retried_and_never_holds_up_the_ticket(api, pipeline, receiver):
    # Given the platform's webhook answers 503
    receiver.fail_with = 503
    created = new_ticket(api, pipeline, SPANISH, "lucia@example.com")
    pipeline.deliver_notifications()
    # Then the e-mail went out, the webhook waits for a retry, and the ticket is on its desk
    body = view(api, created)
    assert body["status"] == "routed"
    assert {n["channel"]: n["status"] for n in body["notifications"]} == {"email": "sent", "webhook": "queued"}
    # When the platform is back and the sweeper runs after the pause
    receiver.fail_with = None
    later(timedelta(minutes=5))
    assert sweep()["notifications"] == 1
    pipeline.deliver_notifications()
    # Then the webhook got it, once
    assert [hook.event for hook in receiver.received] == ["ticket.acknowledged"]
    assert {n["status"] for n in view(api, created)["notifications"]} == {"sent"}


def test_the_survey_is_asked_a_day_after_resolution_and_answered_once(api, pipeline, receiver):
    created = new_ticket(api, pipeline, SPANISH, "lucia@example.com")
    ticket_id, token = created["ticket_id"], agent_token("ana", ("latam",), ("en",))
    rate = f"/tickets/{ticket_id}/satisfaction"
    # Before it is resolved there is nothing to rate
    assert requester_post(api, rate, created["access_token"], {"rating": 5}).status_code == 409
    assert call(api, "post", f"/tickets/{ticket_id}/resolve", token)[0] == 200
    # Less than a day later nobody is asked
    later(timedelta(hours=23))
    assert sweep()["surveys_asked"] == 0
    # A day later the requester is asked, with a link that opens this survey
    later(timedelta(hours=25))
    assert sweep()["surveys_asked"] == 1
    pipeline.deliver_notifications()
    survey = next(hook for hook in receiver.received if hook.event == "csat.requested")
    link = next(word for word in survey.payload["text"].split() if "survey_token=" in word)
    survey_token = link.split("survey_token=")[1].rstrip(".")
    # Bad answers are refused and store nothing
    for bad in ({"rating": 6}, {"rating": "5"}, {"rating": 4, "extra": 1}, {"comment": "no rating"}):
        assert requester_post(api, f"{rate}?survey_token={survey_token}", None, bad).status_code == 400
    assert requester_post(api, f"{rate}?survey_token=wrong", None, {"rating": 5}).status_code == 404
    assert requester_post(api, rate, token, {"rating": 5}).status_code == 404  # agents do not rate
    # The survey link's token rates it once; a second answer is refused
    first = requester_post(api, f"{rate}?survey_token={survey_token}", None, {"rating": 5, "comment": "¡Gracias!"})
    assert first.status_code == 201, first.body
    again = requester_post(api, rate, created["access_token"], {"rating": 1})
    assert again.status_code == 409 and json.loads(again.body)["error"]["code"] == "already_rated"
    # The requester and the agents see the rating; the comment is a message of the conversation
    answer = json.loads(first.body)
    shown = view(api, created)["satisfaction"]
    assert shown["rating"] == 5 and shown["status"] == "answered"
    agent_view = get_ticket(api, ticket_id, token).body
    assert agent_view["satisfaction"]["comment_message_id"] == answer["comment_message_id"]
    assert any(message["message_id"] == answer["comment_message_id"] for message in agent_view["messages"])
    assert agent_view["desk"]["state"] == "resolved"  # a comment does not reopen the ticket


def requester_post(api: Any, path: str, token: str | None, payload: Any) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return api.http.post(path, headers=headers, body=json.dumps(payload))


def test_an_incident_update_reaches_the_requester_as_a_notification_and_a_badge(api, pipeline, receiver):
    from chalicelib.workers.incidents import fan_out_incident_updates
    from devstack.poller import QueuePoller

    # Given a Spanish ticket linked to an incident
    created = new_ticket(api, pipeline, SPANISH, "lucia@example.com")
    ticket_id, token = created["ticket_id"], agent_token("ana", ("latam",), ("en",))
    draft = {"title": "Payouts failing", "description": "Withdrawals fail.", "regions": ["latam"]}
    status, opened = call(api, "post", "/incidents", token, draft)
    assert status == 201, opened
    incident = opened["incident_id"]
    assert call(api, "post", f"/incidents/{incident}/tickets", token, {"ticket_ids": [ticket_id]})[0] == 200
    # When an update is posted and fanned out
    update = {"status": "identified", "text": "Fixed soon."}
    assert call(api, "post", f"/incidents/{incident}/updates", token, update)[0] == 202
    queue = dependencies().settings.queue_name("incidents")
    worker = QueuePoller(client("sqs"), queue, fan_out_incident_updates, "fan_out_incident_updates", wait_seconds=0)
    while worker.poll_once(wait_seconds=0).received:
        pass
    pipeline.drain()
    pipeline.deliver_notifications()
    # Then the requester sees the incident on the ticket and got one incident.update (no reply.added)
    body = view(api, created)
    # (no provider on this stage: the title as written)
    assert body["incident"] == {"id": incident, "status": "identified", "title": "Payouts failing"}
    events = [hook.event for hook in receiver.received]
    assert events == ["ticket.acknowledged", "incident.update"]
    assert [n["type"] for n in body["notifications"] if n["channel"] == "email"] == events


def test_the_link_in_a_notification_opens_that_ticket_and_no_other(api, pipeline, receiver):
    # Given two tickets, and the acknowledgement of the first
    first = new_ticket(api, pipeline, SPANISH, "lucia@example.com")
    second = new_ticket(api, pipeline, SPANISH, "marta@example.com")
    pipeline.deliver_notifications()
    hook = next(hook for hook in receiver.received if hook.payload["ticket_id"] == first["ticket_id"])
    link = next(word for word in hook.payload["text"].split() if "/t/" in word)
    # Then it is the requester's page, its token in the fragment (never sent to a server)
    page, _, fragment = link.partition("#")
    assert page == f"https://help.example.com/t/{first['ticket_id']}" and fragment.startswith("token=")
    token = fragment.removeprefix("token=").strip("\u2069 ")
    # And that token opens the first ticket as its requester, and not the second
    assert get_ticket(api, first["ticket_id"], token).status == 200
    assert get_ticket(api, second["ticket_id"], token).status == 404
