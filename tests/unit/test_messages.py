"""Claim-check messages between the pipeline stages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.domain.messages import ClaimCheck, MalformedMessage, claim_check, parse_claim_check
from chalicelib.domain.ticket import Status


@pytest.mark.parametrize("status", list(Status))
def test_a_claim_check_round_trips_through_its_body(status: Status):
    # Given the message announcing a ticket reached `status`
    sent = claim_check(status, "01J0000000000000000000000A", "corr-77")

    # When it goes over the wire as JSON and is read back
    received = parse_claim_check(json.dumps(sent.to_body()))

    # Then it is the same message
    assert received == sent
    assert received.type == f"ticket.{status.value}"


def test_a_claim_check_carries_ids_only():
    body = claim_check(Status.RECEIVED, "01J0000000000000000000000A", "corr-77").to_body()
    assert body == {
        "type": "ticket.received",
        "v": 1,
        "ticket_id": "01J0000000000000000000000A",
        "correlation_id": "corr-77",
    }


def test_a_message_without_correlation_id_reads_with_an_empty_one():
    raw = json.dumps({"type": "ticket.detected", "v": 1, "ticket_id": "01J0000000000000000000000A"})
    assert parse_claim_check(raw) == ClaimCheck("ticket.detected", "01J0000000000000000000000A", "")


VALID = {"type": "ticket.received", "v": 1, "ticket_id": "01J0000000000000000000000A", "correlation_id": "c"}


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not json",
        "{",
        json.dumps([VALID]),
        json.dumps("ticket.received"),
        json.dumps({**VALID, "v": 2}),
        json.dumps({key: value for key, value in VALID.items() if key != "v"}),
        json.dumps({key: value for key, value in VALID.items() if key != "ticket_id"}),
        json.dumps({key: value for key, value in VALID.items() if key != "type"}),
        json.dumps({**VALID, "ticket_id": 42}),
        json.dumps({**VALID, "type": "ticket.deleted"}),
        json.dumps({**VALID, "type": None}),
    ],
    ids=[
        "empty",
        "text",
        "truncated",
        "list",
        "string",
        "future-version",
        "no-version",
        "no-ticket-id",
        "no-type",
        "numeric-ticket-id",
        "unknown-type",
        "null-type",
    ],
)
def test_a_malformed_body_is_refused(raw: str):
    with pytest.raises(MalformedMessage):
        parse_claim_check(raw)


@pytest.mark.parametrize("raw", [None, b"\xff\xfe"])
def test_a_body_that_is_not_text_is_refused(raw: Any):
    with pytest.raises(MalformedMessage):
        parse_claim_check(raw)
