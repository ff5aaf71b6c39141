"""devstack's QueuePoller against a moto queue: partial failures, crashes, and the dead-letter queue."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import aws_resource_names
from chalicelib.adapters.aws import client
from devstack.poller import QueuePoller
from tests.integration.builders import STAGE
from tests.queues import queue_url

QUEUE = aws_resource_names.queue_name(STAGE, aws_resource_names.DETECT)
DEAD_LETTERS = aws_resource_names.dead_letter_queue_name(STAGE, aws_resource_names.DETECT)


@pytest.fixture
def instant_retry_queue(aws: None) -> str:
    """The detect queue with no visibility timeout, so an unhandled message is visible again at once."""
    client("sqs").set_queue_attributes(QueueUrl=queue_url(QUEUE), Attributes={"VisibilityTimeout": "0"})
    return QUEUE


def send(*bodies: str) -> None:
    sqs = client("sqs")
    for body in bodies:
        sqs.send_message(QueueUrl=queue_url(QUEUE), MessageBody=body)


def waiting(name: str) -> list[str]:
    sqs, url = client("sqs"), queue_url(name)
    bodies: list[str] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=3600).get("Messages", [])
        if not batch:
            return sorted(bodies)
        bodies.extend(message["Body"] for message in batch)


def poller(handler: Any) -> QueuePoller:
    return QueuePoller(client("sqs"), QUEUE, handler, "detect_language", wait_seconds=0)


def test_a_successful_batch_is_deleted_and_the_handler_sees_lambda_shaped_records(instant_retry_queue: str):
    # Given three messages
    send("a", "b", "c")
    events: list[dict[str, Any]] = []

    def handler(event: dict[str, Any], context: Any) -> None:
        events.append(event)

    # When one poll hands them to a handler that succeeds
    result = poller(handler).poll_once(wait_seconds=0)

    # Then the handler got SQS records from this queue, and the queue is empty
    records = events[0]["Records"]
    assert sorted(record["body"] for record in records) == ["a", "b", "c"]
    assert {record["eventSource"] for record in records} == {"aws:sqs"}
    assert {record["eventSourceARN"].rsplit(":", 1)[1] for record in records} == {QUEUE}
    assert (result.received, result.deleted, result.failed, result.crashed) == (3, 3, 0, False)
    assert waiting(QUEUE) == []


def test_batch_item_failures_delete_only_the_successes(instant_retry_queue: str):
    # Given four messages, two of which the handler cannot process
    send("ok-1", "bad-1", "ok-2", "bad-2")

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        failed = [record["messageId"] for record in event["Records"] if record["body"].startswith("bad")]
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}

    # When polled once
    result = poller(handler).poll_once(wait_seconds=0)

    # Then only the failures are left for a retry
    assert (result.received, result.deleted, result.failed, result.crashed) == (4, 2, 2, False)
    assert waiting(QUEUE) == ["bad-1", "bad-2"]


def test_a_handler_that_raises_leaves_the_whole_batch(instant_retry_queue: str):
    # Given three messages and a handler that crashes
    send("a", "b", "c")

    def handler(event: dict[str, Any], context: Any) -> None:
        raise RuntimeError("boom")

    # When polled once
    result = poller(handler).poll_once(wait_seconds=0)

    # Then nothing was deleted: every message comes back
    assert (result.received, result.deleted, result.crashed) == (3, 0, True)
    assert waiting(QUEUE) == ["a", "b", "c"]


def test_an_empty_queue_polls_as_nothing(instant_retry_queue: str):
    result = poller(lambda event, context: None).poll_once(wait_seconds=0)
    assert (result.received, result.deleted, result.failed, result.crashed) == (0, 0, 0, False)


def test_a_message_that_keeps_failing_lands_in_the_dead_letter_queue_after_five_receives(instant_retry_queue: str):
    # Given a poison message and a handler that always reports it failed
    send("poison")
    attempts: list[str] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        attempts.extend(record["body"] for record in event["Records"])
        return {"batchItemFailures": [{"itemIdentifier": record["messageId"]} for record in event["Records"]]}

    consumer = poller(handler)

    # When the queue is polled more times than maxReceiveCount
    for _ in range(8):
        consumer.poll_once(wait_seconds=0)

    # Then the handler saw it exactly five times, and it now waits in the DLQ, not the queue
    assert attempts == ["poison"] * 5
    assert waiting(QUEUE) == []
    assert waiting(DEAD_LETTERS) == ["poison"]


def test_a_crashing_handler_also_dead_letters_after_five_receives(instant_retry_queue: str):
    send("poison")
    calls: list[int] = []

    def handler(event: dict[str, Any], context: Any) -> None:
        calls.append(len(event["Records"]))
        raise RuntimeError("boom")

    consumer = poller(handler)
    for _ in range(8):
        consumer.poll_once(wait_seconds=0)

    assert calls == [1] * 5
    assert waiting(DEAD_LETTERS) == ["poison"]
