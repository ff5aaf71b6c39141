"""One bad record in an SQS batch: reported alone when partial responses are on, fail closed when off.

Lambda deletes every message of a batch the handler returns from, unless the event source
mapping has ReportBatchItemFailures and the answer lists the failed ones. REPORT_BATCH_ITEM_FAILURES
says whether that mapping setting is on; when it is off, a failed record must fail the batch.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib import aws_resource_names
from chalicelib.workers.sqs_batch import BatchFailed
from tests.pipeline.conftest import (
    all_desk_messages,
    create_ticket,
    queue_depth,
    send_raw,
    view,
    with_settings,
)

POLISH = {
    "description": "Moje konto zostało zablokowane bez żadnego powodu i nie mogę się zalogować.",
    "category": "account.banned",
    "requester": {"country": "PL"},
}

MALFORMED = [
    pytest.param("{this is not json", id="not-json"),
    pytest.param(json.dumps({"type": "ticket.received", "v": 2, "ticket_id": "01J0000000000000000000000A"}), id="v2"),
    pytest.param(json.dumps({"type": "ticket.received", "v": 1}), id="no-ticket-id"),
    pytest.param(json.dumps({"type": "ticket.exploded", "v": 1, "ticket_id": "01J0000000000000000000000A"}), id="type"),
    pytest.param(json.dumps(["ticket.received", 1]), id="array"),
    pytest.param(json.dumps({"type": "ticket.received", "v": 1, "ticket_id": "X" * 3000}), id="not-a-ticket-id"),
]


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


@pytest.fixture
def detect_calls(pipeline) -> list[dict[str, Any]]:
    """What the detect handler was given and what it answered (or raised), per call."""
    calls: list[dict[str, Any]] = []
    poller = pipeline.pollers[aws_resource_names.DETECT]
    handler = poller.handler

    def recording(event: dict[str, Any], context: Any) -> Any:
        call: dict[str, Any] = {"message_ids": [record["messageId"] for record in event["Records"]]}
        calls.append(call)
        try:
            call["answer"] = handler(event, context)
        except Exception as error:
            call["raised"] = error
            raise
        return call["answer"]

    poller.handler = recording
    return calls


@pytest.mark.parametrize("body", MALFORMED)
def test_with_partial_responses_only_the_malformed_record_is_reported(api, pipeline, detect_calls, body):
    # Given two good tickets and one malformed message waiting together on the detect queue
    good = [create_ticket(api, POLISH), create_ticket(api, {**POLISH, "requester": {"country": "CZ"}})]
    bad_id = send_raw(aws_resource_names.DETECT, body)

    # When the detect worker takes them in one batch (REPORT_BATCH_ITEM_FAILURES is on in tests)
    assert pipeline.step(aws_resource_names.DETECT) == 3

    # Then only the malformed record is reported failed
    assert detect_calls[0]["answer"] == {"batchItemFailures": [{"itemIdentifier": bad_id}]}
    # And it alone stays on the queue (SQS retries it, then dead-letters it)
    assert queue_depth(aws_resource_names.DETECT) == 1
    # And the good tickets go on to their desks
    pipeline.drain()
    assert [view(api, ticket)["status"] for ticket in good] == ["routed", "routed"]
    desks = all_desk_messages(pipeline)
    assert sorted(message["ticket_id"] for message in desks["emea"]) == sorted(ticket["ticket_id"] for ticket in good)


def test_a_claim_check_for_an_unknown_ticket_is_reported_for_retry(api, pipeline, detect_calls):
    # Given a good ticket and a claim check naming a ticket that is not in the table
    good = create_ticket(api, POLISH)
    ghost = json.dumps({"type": "ticket.received", "v": 1, "ticket_id": "01J0000000000000000000000A"})
    ghost_id = send_raw(aws_resource_names.DETECT, ghost)

    # When both arrive in one batch
    pipeline.step(aws_resource_names.DETECT)

    # Then the unknown one is retried (and will reach the dead-letter queue), the good one goes on
    assert detect_calls[0]["answer"] == {"batchItemFailures": [{"itemIdentifier": ghost_id}]}
    pipeline.drain()
    assert view(api, good)["status"] == "routed"


def test_without_partial_responses_a_malformed_record_fails_the_whole_batch(api, pipeline, detect_calls):
    # Given an event source mapping without ReportBatchItemFailures
    with_settings(report_batch_item_failures=False)
    # And two good tickets and one malformed message waiting together
    create_ticket(api, POLISH)
    create_ticket(api, POLISH)
    send_raw(aws_resource_names.DETECT, "{this is not json")

    # When the detect worker takes them in one batch
    received = pipeline.step(aws_resource_names.DETECT)

    # Then the handler raises instead of answering a failure list AWS would ignore
    assert received == 3
    assert "answer" not in detect_calls[0]
    assert isinstance(detect_calls[0]["raised"], BatchFailed)
    # And nothing was deleted: all three come back after the visibility timeout
    assert queue_depth(aws_resource_names.DETECT) == 3


def test_without_partial_responses_a_clean_batch_is_acknowledged(api, pipeline, detect_calls):
    # Given partial responses off and only good messages
    with_settings(report_batch_item_failures=False)
    created = create_ticket(api, POLISH)

    # When the pipeline runs
    pipeline.drain()

    # Then nothing raised, and the ticket is routed
    assert all("raised" not in call for call in detect_calls)
    assert view(api, created)["status"] == "routed"
    assert queue_depth(aws_resource_names.DETECT) == 0
