"""Nothing is lost when a process dies between "ticket written" and "message sent".

The intake and every worker write the ticket first and send its claim check second. When the
send is lost, the ticket rests in its status; the scheduled sweeper finds tickets resting
longer than SWEEP_AFTER_SECONDS and re-sends their claim check.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from chalicelib import aws_resource_names
from chalicelib.adapters.aws import client
from chalicelib.composition_root import dependencies, override_dependencies
from tests.pipeline.conftest import (
    SelectivelyFailingPublisher,
    UnusablePublisher,
    all_desk_messages,
    create_ticket,
    move_clock_past_sweep_window,
    post_ticket,
    queue_depth,
    restore_real_publisher,
    stored_ticket,
    stored_ticket_ids,
    view,
    with_settings,
)

PORTUGUESE = {
    "description": "Meu pagamento foi recusado duas vezes e mesmo assim o valor foi descontado da minha conta.",
    "category": "payment.charged_twice",
    "requester": {"country": "BR"},
}


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


def desk_ticket_ids(pipeline) -> dict[str, list[str]]:
    return {
        region: [message["ticket_id"] for message in messages]
        for region, messages in all_desk_messages(pipeline).items()
        if messages
    }


def sweep_later() -> dict[str, int]:
    """The scheduled sweeper, run once SWEEP_AFTER_SECONDS have passed."""
    move_clock_past_sweep_window()
    return dependencies().sweep()


# --- The intake's send is lost -----------------------------------------------------------------


def test_a_lost_detect_message_is_re_sent_by_the_sweeper_and_the_ticket_is_routed(api, pipeline):
    # Given an intake whose message to the detect queue is lost after the ticket was written
    override_dependencies(publisher=UnusablePublisher())

    # When a requester reports a problem
    created = create_ticket(api, PORTUGUESE)

    # Then they are answered 201 all the same (their ticket exists), and it waits in received
    assert created["status"] == "received"
    assert view(api, created)["status"] == "received"
    assert queue_depth(aws_resource_names.DETECT) == 0

    # When SQS is reachable again and the sweeper runs past the resting time
    restore_real_publisher()
    counts = sweep_later()
    pipeline.drain()

    # Then the ticket was re-sent once and reached its desk once
    assert counts["resent"] == 1
    assert view(api, created)["status"] == "routed"
    assert desk_ticket_ids(pipeline) == {"latam": [created["ticket_id"]]}


def test_an_sqs_outage_during_intake_still_answers_201_and_the_sweeper_recovers(api, pipeline, monkeypatch):
    # Given SQS unreachable from the intake (the real publisher, its SendMessageBatch failing)
    def unreachable(**kwargs: Any) -> Any:
        raise EndpointConnectionError(endpoint_url="https://sqs.us-east-1.amazonaws.com")

    monkeypatch.setattr(client("sqs"), "send_message_batch", unreachable)

    # When a requester reports a problem
    answer = post_ticket(api, PORTUGUESE)

    # Then the ticket is accepted and stored
    assert answer.status == 201, answer.body
    assert stored_ticket_ids() == [answer.body["ticket_id"]]

    # When SQS is back and the sweeper runs
    monkeypatch.undo()
    sweep_later()
    pipeline.drain()

    # Then the ticket is routed
    assert desk_ticket_ids(pipeline) == {"latam": [answer.body["ticket_id"]]}


class CrashingPublisher:
    """A publisher that blows up instead of reporting the unsent messages."""

    def send(self, messages: Any) -> set[str]:
        raise RuntimeError("connection pool is closed")


def test_a_publisher_that_raises_after_the_ticket_is_written_still_answers_201(api):
    # Given an intake whose publisher raises after the ticket was written
    override_dependencies(publisher=CrashingPublisher())

    # When a requester reports a problem
    answer = post_ticket(api, PORTUGUESE)

    # Then they are told it was received: it was, and the sweeper will forward it
    assert answer.status == 201, answer.body
    assert stored_ticket_ids() == [answer.body["ticket_id"]]


def test_the_sweeper_leaves_a_ticket_alone_until_it_has_rested_long_enough(api):
    # Given a ticket whose detect message was lost a moment ago
    override_dependencies(publisher=UnusablePublisher())
    create_ticket(api, PORTUGUESE)
    restore_real_publisher()

    # When the sweeper runs before SWEEP_AFTER_SECONDS have passed
    counts = dependencies().sweep()

    # Then it re-sends nothing yet
    assert counts["resent"] == 0
    assert queue_depth(aws_resource_names.DETECT) == 0


# --- A worker's forward send is lost -----------------------------------------------------------


def test_a_lost_translate_message_is_re_sent_by_the_sweeper(api, pipeline):
    # Given the detect worker's send to the translate queue failing
    publisher = SelectivelyFailingPublisher(aws_resource_names.TRANSLATE)
    override_dependencies(publisher=publisher)

    # When a Portuguese ticket goes through the pipeline
    created = create_ticket(api, PORTUGUESE)
    pipeline.drain()

    # Then it rests in detected, its message lost, no desk told
    assert [message.queue for message in publisher.lost] == [dependencies().settings.queue_name("translate")]
    assert view(api, created)["status"] == "detected"
    assert queue_depth(aws_resource_names.TRANSLATE) == 0
    assert desk_ticket_ids(pipeline) == {}

    # When SQS works again and the sweeper runs
    restore_real_publisher()
    counts = sweep_later()
    pipeline.drain()

    # Then the ticket goes on from where it stopped and reaches its desk once
    assert counts["resent"] == 1
    ticket = view(api, created)
    assert ticket["status"] == "routed"
    assert ticket["language"]["code"] == "pt"
    assert desk_ticket_ids(pipeline) == {"latam": [created["ticket_id"]]}
    # And detection ran once: the ticket's history has no repeated step
    actors = [event["by"] for event in stored_ticket(created["ticket_id"]).history]
    assert actors == ["intake", "detect_language", "translate_ticket", "route_ticket"]


def test_a_lost_desk_message_is_re_sent_once_by_the_sweeper(api, pipeline):
    # Given the route worker's send to the regional desk failing
    override_dependencies(publisher=SelectivelyFailingPublisher(aws_resource_names.desk_role("latam")))

    # When a ticket is routed
    created = create_ticket(api, PORTUGUESE)
    pipeline.drain()

    # Then the ticket says routed, but the desk has not heard of it
    assert view(api, created)["status"] == "routed"
    assert desk_ticket_ids(pipeline) == {}

    # When SQS works again and the sweeper runs, twice
    restore_real_publisher()
    first = sweep_later()
    second = dependencies().sweep()

    # Then the desk is told exactly once
    assert first["resent"] == 1 and second["resent"] == 0
    assert desk_ticket_ids(pipeline) == {"latam": [created["ticket_id"]]}


def test_the_sweeper_gives_up_after_its_attempt_limit_and_leaves_the_ticket_to_an_operator(api):
    # Given a ticket whose messages keep getting lost, and at most two re-sends allowed
    with_settings(sweep_max_attempts=2)
    publisher = UnusablePublisher()
    override_dependencies(publisher=publisher)
    created = create_ticket(api, PORTUGUESE)

    # When the sweeper runs four times, each a resting period after the last
    runs = []
    for windows in (1, 2, 3, 4):
        move_clock_past_sweep_window(windows)
        runs.append(dependencies().sweep())

    # Then it re-sent twice, gave up on the third run, and left the ticket alone on the fourth
    assert [run["given_up"] for run in runs] == [0, 0, 1, 0]
    assert len(publisher.attempts) == 1 + 2  # the intake's send and the two re-sends
    # And the ticket is still there, waiting for an operator, not lost
    assert view(api, created)["status"] == "received"


def test_the_sweeper_re_sends_nothing_for_tickets_that_went_through(api, pipeline):
    # Given tickets that went through the pipeline normally
    create_ticket(api, PORTUGUESE)
    create_ticket(api, {**PORTUGUESE, "requester": {"country": "PT"}})
    pipeline.drain()
    delivered = desk_ticket_ids(pipeline)

    # When the sweeper runs long after
    counts = sweep_later()

    # Then it has nothing to do and no desk hears about them again
    assert counts == {"resent": 0, "given_up": 0, "skipped": 0}
    assert sorted(delivered) == ["emea", "latam"]
    assert desk_ticket_ids(pipeline) == {}
