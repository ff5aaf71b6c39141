"""SqsPublisher: batched sends, and an honest list of what did not go out."""

from __future__ import annotations

from typing import Any

from chalicelib import aws_resource_names
from chalicelib.adapters.aws import client
from chalicelib.adapters.sqs_publisher import SqsPublisher
from chalicelib.domain.ids import new_ticket_id
from chalicelib.domain.messages import claim_check
from chalicelib.domain.ports import OutgoingMessage
from chalicelib.domain.ticket import Status
from tests.integration.builders import STAGE, drain

DETECT = aws_resource_names.queue_name(STAGE, aws_resource_names.DETECT)
ROUTE = aws_resource_names.queue_name(STAGE, aws_resource_names.ROUTE)


def messages_to(queue: str, count: int) -> list[OutgoingMessage]:
    found = []
    for _ in range(count):
        ticket_id = new_ticket_id()
        found.append(OutgoingMessage(queue, claim_check(Status.RECEIVED, ticket_id, "corr").to_body(), ticket_id))
    return found


def count_batch_calls() -> list[int]:
    """Record the number of entries of every SendMessageBatch the SQS client makes."""
    sizes: list[int] = []

    def spy(params: dict[str, Any], **_: Any) -> None:
        sizes.append(len(params["Entries"]))

    client("sqs").meta.events.register("provide-client-params.sqs.SendMessageBatch", spy)
    return sizes


def test_more_than_ten_messages_go_out_in_batches_of_ten(aws: None):
    # Given 23 claim checks for the detect queue
    outgoing = messages_to(DETECT, 23)
    batch_sizes = count_batch_calls()

    # When they are published
    unsent = SqsPublisher().send(outgoing)

    # Then all arrive, in three SendMessageBatch calls of at most ten
    assert unsent == set()
    assert sorted(batch_sizes) == [3, 10, 10]
    assert sorted(body["ticket_id"] for body in drain(DETECT)) == sorted(message.message_id for message in outgoing)


def test_messages_for_several_queues_each_reach_their_own_queue(aws: None):
    to_detect, to_route = messages_to(DETECT, 3), messages_to(ROUTE, 12)

    unsent = SqsPublisher().send([*to_route[:6], *to_detect, *to_route[6:]])

    assert unsent == set()
    assert {body["ticket_id"] for body in drain(DETECT)} == {message.message_id for message in to_detect}
    assert {body["ticket_id"] for body in drain(ROUTE)} == {message.message_id for message in to_route}


def test_messages_for_a_missing_queue_are_reported_unsent_and_the_rest_still_go(aws: None):
    # Given messages for a queue that does not exist, mixed with good ones
    lost = messages_to(aws_resource_names.queue_name(STAGE, "no-such-queue"), 12)
    good = messages_to(DETECT, 2)

    # When published
    unsent = SqsPublisher().send([*lost, *good])

    # Then exactly the lost ones are reported, and the good ones arrived
    assert unsent == {message.message_id for message in lost}
    assert {body["ticket_id"] for body in drain(DETECT)} == {message.message_id for message in good}


def test_publishing_nothing_sends_nothing(aws: None):
    batch_sizes = count_batch_calls()
    assert SqsPublisher().send([]) == set()
    assert batch_sizes == []
