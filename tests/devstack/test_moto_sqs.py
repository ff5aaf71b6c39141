"""devstack.moto_sqs: moto's SQS receive and delete without deep copies or rescans answer as SQS
does: visibility timeout, receive counts, filtered attributes, redrive to the dead-letter queue,
invalid receipt handles, and no message handed to two receivers at once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest


@pytest.fixture
def sqs(patched_moto: None) -> Iterator[Any]:
    """moto in-process (mock_aws) with devstack's patches applied."""
    yield boto3.client("sqs", region_name="us-east-1")


def receive(sqs: Any, url: str, count: int = 10, **extra: Any) -> list[dict[str, Any]]:
    answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=count, MessageSystemAttributeNames=["All"], **extra)
    return list(answer.get("Messages", []))


def test_a_received_message_stays_hidden_for_its_visibility_timeout_and_counts_its_receives(sqs: Any):
    # Given a queue with one message
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="one")
    # When it is received with a visibility timeout, then again at once, then after a zero timeout
    first = receive(sqs, url, VisibilityTimeout=30)
    hidden = receive(sqs, url)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"], VisibilityTimeout=0)
    again = receive(sqs, url)
    # Then the second receive gets nothing, and the third gets it with a new handle and a count of 2
    assert [message["Body"] for message in first] == ["one"] and hidden == []
    assert again[0]["MessageId"] == first[0]["MessageId"]
    assert again[0]["ReceiptHandle"] != first[0]["ReceiptHandle"]
    assert (first[0]["Attributes"]["ApproximateReceiveCount"], again[0]["Attributes"]["ApproximateReceiveCount"]) == (
        "1",
        "2",
    )


def test_a_receive_filters_message_attributes_without_losing_them_for_the_next(sqs: Any):
    # Given a message with two attributes
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    attributes = {name: {"DataType": "String", "StringValue": name} for name in ("kind", "trace")}
    sqs.send_message(QueueUrl=url, MessageBody="one", MessageAttributes=attributes)
    # When one receive asks for one attribute and, once it is visible again, another asks for all
    first = receive(sqs, url, MessageAttributeNames=["kind"], VisibilityTimeout=0)
    second = receive(sqs, url, MessageAttributeNames=["All"])
    # Then each gets what it asked for
    assert set(first[0]["MessageAttributes"]) == {"kind"}
    assert set(second[0]["MessageAttributes"]) == {"kind", "trace"}


def test_a_message_received_max_receive_count_times_moves_to_the_dead_letter_queue(sqs: Any):
    # Given a queue that dead-letters after 2 receives, and a message on it
    dlq_url = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    url = sqs.create_queue(QueueName="work", Attributes={"RedrivePolicy": redrive})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    # When it is received and given back twice, then received once more
    for _ in range(2):
        assert [message["Body"] for message in receive(sqs, url, VisibilityTimeout=0)] == ["poison"]
    third = receive(sqs, url)
    # Then the third receive gets nothing and the message waits on the dead-letter queue
    assert third == []
    assert [message["Body"] for message in receive(sqs, dlq_url)] == ["poison"]


def test_a_delete_takes_the_message_once_and_refuses_a_handle_no_message_had(sqs: Any):
    # Given two messages, received
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    for body in ("one", "two"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    received = receive(sqs, url, VisibilityTimeout=0)
    # When the first is deleted twice (a retried delete), and a made-up handle is deleted
    handle = received[0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.delete_message(QueueUrl=url, ReceiptHandle="not-a-handle")
    # Then only the other message is left
    assert [message["Body"] for message in receive(sqs, url)] == [received[1]["Body"]]


def test_receivers_racing_on_one_queue_never_get_the_same_message(sqs: Any):
    # Given 200 messages and 4 threads receiving at once with a long visibility timeout
    url = sqs.create_queue(QueueName="work", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    for start in range(0, 200, 10):
        entries = [{"Id": str(index), "MessageBody": str(start + index)} for index in range(10)]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    taken: list[str] = []
    lock = threading.Lock()

    def drain() -> None:
        while batch := receive(sqs, url):
            with lock:
                taken.extend(message["Body"] for message in batch)

    threads = [threading.Thread(target=drain) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Then every message was received exactly once
    assert sorted(taken, key=int) == [str(number) for number in range(200)]


def test_a_fifo_queue_still_asks_for_a_group_and_drops_a_content_duplicate(sqs: Any):
    # Given a FIFO queue with content-based deduplication and one without
    deduplicated = sqs.create_queue(
        QueueName="work.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    plain = sqs.create_queue(QueueName="plain.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    # When the same body is sent twice to the first, and a message without a group to the second
    for _ in range(2):
        sqs.send_message(QueueUrl=deduplicated, MessageBody="same", MessageGroupId="g")
    with pytest.raises(sqs.exceptions.ClientError) as refused:
        sqs.send_message(QueueUrl=plain, MessageBody="no group")
    # Then the first holds one message and the second refused the send for its missing group
    assert [message["Body"] for message in receive(sqs, deduplicated)] == ["same"]
    assert "MessageGroupId" in str(refused.value)
    # And the queues' attributes are still all there when asked for
    attributes = sqs.get_queue_attributes(QueueUrl=deduplicated, AttributeNames=["All"])["Attributes"]
    assert attributes["ContentBasedDeduplication"] == "true" and "ApproximateNumberOfMessages" in attributes
