"""devstack.poller's batching window (Lambda's MaximumBatchingWindowInSeconds): a batch that is
not full is topped up for at most the window; a full one is handled at once."""

from __future__ import annotations

from typing import Any

from devstack.poller import QueuePoller


class ScriptedSqs:
    """Answers receive_message from a script of message lists; records what was deleted."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.receives = 0
        self.deleted: list[str] = []

    def get_queue_url(self, QueueName: str) -> dict[str, str]:
        return {"QueueUrl": f"https://sqs.local/{QueueName}"}

    def get_queue_attributes(self, **_: Any) -> dict[str, Any]:
        return {"Attributes": {"QueueArn": "arn:aws:sqs:us-east-1:123456789012:q"}}

    def receive_message(self, **_: Any) -> dict[str, Any]:
        self.receives += 1
        bodies = self.answers.pop(0) if self.answers else []
        return {"Messages": [{"MessageId": body, "ReceiptHandle": body, "Body": body} for body in bodies]}

    def delete_message_batch(self, Entries: list[dict[str, str]], **_: Any) -> None:
        self.deleted.extend(entry["ReceiptHandle"] for entry in Entries)


def poll(sqs: ScriptedSqs, batch_size: int, window: float) -> list[list[str]]:
    batches: list[list[str]] = []

    def handler(event: dict[str, Any], context: Any) -> None:
        batches.append([record["body"] for record in event["Records"]])

    QueuePoller(sqs, "q", handler, "detect_language", batch_size=batch_size, batch_window_seconds=window).poll_once(0)
    return batches


def test_messages_arriving_within_the_window_join_the_first_ones_batch():
    # Given one message now, none a moment later, then two more
    sqs = ScriptedSqs(["a"], [], ["b", "c"])

    # When a poller with a 1 s window polls once
    batches = poll(sqs, batch_size=10, window=1.0)

    # Then the handler got the three in one batch, and all three were deleted
    assert batches == [["a", "b", "c"]]
    assert sorted(sqs.deleted) == ["a", "b", "c"]


def test_without_a_window_the_handler_gets_what_one_receive_returned():
    sqs = ScriptedSqs(["a"], ["b", "c"])
    assert poll(sqs, batch_size=10, window=0.0) == [["a"]]
    assert sqs.receives == 1


def test_a_full_batch_does_not_wait_for_the_window():
    # Given two messages at once and a batch size of two; When polled with a long window
    sqs = ScriptedSqs(["a", "b"], ["c"])
    batches = poll(sqs, batch_size=2, window=30.0)

    # Then the batch went out after one receive
    assert batches == [["a", "b"]]
    assert sqs.receives == 1
