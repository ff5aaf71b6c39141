"""POST /tickets as a client sees it: what is accepted, what is refused, and what gets stored."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from chalicelib import aws_resource_names
from chalicelib.composition_root import override_dependencies
from tests.pipeline.conftest import (
    create_ticket,
    get_ticket,
    post_raw,
    post_ticket,
    queue_depth,
    stored_ticket_ids,
    table_items,
    take_messages,
)

ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
MAX_BODY = 64 * 1024

SPANISH = {
    "subject": "Pago rechazado",
    "description": "No puedo pagar mi suscripción, la tarjeta es rechazada cada vez aunque tengo saldo.",
    "category": "payment.failed",
    "requester": {"id": "u-123", "email": "ana@example.com", "locale": "es-MX", "country": "MX", "tier": "standard"},
    "evidence": [{"kind": "transaction_id", "value": "TX-99812"}],
}


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


def assert_nothing_stored() -> None:
    assert table_items() == [], "a refused request must leave no trace in the table"
    assert queue_depth(aws_resource_names.DETECT) == 0, "a refused request must not reach the detect queue"


def error_of(answer: Any) -> dict[str, Any]:
    assert isinstance(answer.body, dict) and set(answer.body) == {"error"}, answer.body
    error = answer.body["error"]
    assert isinstance(error.get("code"), str) and error["code"]
    assert isinstance(error.get("message"), str) and error["message"]
    return error


# --- Accepted --------------------------------------------------------------------------------


def test_a_valid_ticket_is_answered_201_stored_and_queued_for_detection(api):
    # Given a complete Spanish ticket
    # When the app posts it
    answer = post_ticket(api, SPANISH)

    # Then the requester gets an id, a token and the status, and where to look the ticket up
    assert answer.status == 201, answer.body
    created = answer.body
    assert ULID.match(created["ticket_id"]), created["ticket_id"]
    assert isinstance(created["access_token"], str) and len(created["access_token"]) >= 32
    assert created["status"] == "received"
    assert answer.headers["Location"] == f"/tickets/{created['ticket_id']}"
    # And the ticket is in the table, with one claim check (ids only) waiting on the detect queue
    assert stored_ticket_ids() == [created["ticket_id"]]
    assert take_messages(aws_resource_names.DETECT) == [
        {
            "type": "ticket.received",
            "v": 1,
            "ticket_id": created["ticket_id"],
            "correlation_id": answer.headers["X-Correlation-Id"],
        }
    ]


def test_the_access_token_is_never_stored_in_clear(api):
    # Given an accepted ticket (with an idempotency record too)
    created = create_ticket(api, SPANISH, {"Idempotency-Key": "token-at-rest-0001"})

    # When an operator dumps the table
    dumped = json.dumps(table_items(), default=str)

    # Then the requester's token appears nowhere in it
    assert created["access_token"] not in dumped


def test_the_callers_correlation_id_is_echoed_and_carried_by_the_claim_check(api):
    # Given a client that sends its own correlation id
    answer = post_ticket(api, SPANISH, {"X-Correlation-Id": "app-req-4711-abcdef"})

    # Then the answer echoes it and the detect message carries it on
    assert answer.status == 201
    assert answer.headers["X-Correlation-Id"] == "app-req-4711-abcdef"
    assert take_messages(aws_resource_names.DETECT)[0]["correlation_id"] == "app-req-4711-abcdef"


def test_only_a_description_is_required(api):
    # When a client sends the bare minimum
    created = create_ticket(api, {"description": "My live stream keeps disconnecting."})

    # Then it is accepted with the default category
    assert created["status"] == "received"
    assert get_ticket(api, created["ticket_id"], created["access_token"]).body["category"] == "other"


def test_a_json_content_type_with_a_charset_is_accepted(api):
    # Given the header most HTTP libraries send
    answer = post_ticket(api, SPANISH, {"Content-Type": "application/json; charset=utf-8"})

    # Then the ticket is accepted like any other
    assert answer.status == 201, answer.body


def test_fields_at_their_length_limits_are_accepted(api):
    # Given a 200-character subject and a 10,000-character description (multi-byte letters)
    payload = {"subject": "ñ" * 200, "description": "ü" * 10_000}

    # Then both limits are inclusive
    assert post_ticket(api, payload).status == 201


# --- Refused: 400 ----------------------------------------------------------------------------

BAD_BODIES = [
    pytest.param(b'{"description": "broken', "invalid_json", None, id="invalid-json"),
    pytest.param(b"", "invalid_body", None, id="empty-body"),
    pytest.param(b"\xff\xfe{}", "invalid_encoding", None, id="not-utf-8"),
    pytest.param(b'["my payment failed"]', "invalid_body", None, id="array-not-object"),
    pytest.param(b'"my payment failed"', "invalid_body", None, id="string-not-object"),
    pytest.param(b"null", "invalid_body", None, id="null-not-object"),
    pytest.param({"subject": "help"}, "missing_field", "description", id="missing-description"),
    pytest.param({"description": ""}, "empty_field", "description", id="empty-description"),
    pytest.param({"description": "   \n\t "}, "empty_field", "description", id="blank-description"),
    pytest.param({"description": 42}, "invalid_type", "description", id="description-not-a-string"),
    pytest.param({"description": "x" * 10_001}, "too_long", "description", id="description-too-long"),
    pytest.param({"description": "ok", "subject": "s" * 201}, "too_long", "subject", id="subject-too-long"),
    pytest.param({"description": "bad\x00byte"}, "invalid_characters", "description", id="nul-in-description"),
    pytest.param({"description": "ok", "priority": "urgent"}, "unknown_field", "priority", id="unknown-field"),
    pytest.param({"description": "ok", "category": "billing.refund"}, "unknown_category", "category", id="category"),
    pytest.param({"description": "ok", "category": 7}, "invalid_type", "category", id="category-not-a-string"),
    pytest.param({"description": "ok", "requester": "u-1"}, "invalid_type", "requester", id="requester-not-object"),
    pytest.param(
        {"description": "ok", "requester": {"phone": "+34600000000"}},
        "unknown_field",
        "requester.phone",
        id="requester-unknown-field",
    ),
    pytest.param(
        {"description": "ok", "requester": {"id": "u" * 129}}, "invalid_value", "requester.id", id="requester-id-long"
    ),
    pytest.param(
        {"description": "ok", "requester": {"email": "ana.example.com"}},
        "invalid_email",
        "requester.email",
        id="requester-email",
    ),
    pytest.param(
        {"description": "ok", "requester": {"locale": "español"}},
        "invalid_locale",
        "requester.locale",
        id="requester-locale",
    ),
    pytest.param(
        {"description": "ok", "requester": {"country": "MEX"}},
        "invalid_country",
        "requester.country",
        id="requester-country",
    ),
    pytest.param(
        {"description": "ok", "requester": {"tier": "gold"}}, "invalid_tier", "requester.tier", id="requester-tier"
    ),
    pytest.param(
        {"description": "ok", "requester": {"country": 52}},
        "invalid_type",
        "requester.country",
        id="requester-country-not-a-string",
    ),
    pytest.param(
        {"description": "ok", "evidence": [{"kind": "photo", "value": "a.png"}]},
        "invalid_evidence_kind",
        "evidence[0].kind",
        id="evidence-kind",
    ),
    pytest.param(
        {"description": "ok", "evidence": [{"kind": "link", "value": "x" * 2001}]},
        "invalid_value",
        "evidence[0].value",
        id="evidence-value-too-long",
    ),
    pytest.param(
        {"description": "ok", "evidence": [{"kind": "link", "value": "x"}] * 21},
        "too_many",
        "evidence",
        id="too-much-evidence",
    ),
]


@pytest.mark.parametrize(("body", "code", "field"), BAD_BODIES)
def test_bad_input_gets_a_clear_400_and_stores_nothing(api, body, code, field):
    # Given a body the contract refuses
    raw = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")

    # When it is posted
    answer = post_raw(api, raw)

    # Then the client is told what is wrong and where
    assert answer.status == 400, answer.body
    error = error_of(answer)
    assert error["code"] == code
    assert error.get("field") == field
    # And nothing was stored or queued
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        pytest.param(b"[" * 30_000 + b"]" * 30_000, None, id="deeply-nested-array"),
        pytest.param(
            b'{"description": ' + b"[" * 30_000 + b"]" * 30_000 + b"}",
            None,
            id="deeply-nested-field",
        ),
        pytest.param(b'{"description": "Mi pago fall\\u00f3 \\ud83d"}', "description", id="half-an-emoji"),
        pytest.param(b'{"description": "ok", "subject": "\\udca9"}', "subject", id="lone-low-surrogate"),
    ],
)
def test_json_the_parser_lets_through_but_the_contract_refuses_gets_400_not_500(api, raw, field):
    # Given a body json.loads accepts or chokes on in an unusual way
    # When it is posted
    answer = post_raw(api, raw)

    # Then the client gets the contract's 400, not an internal error, and nothing is stored
    assert answer.status == 400, answer.body
    assert error_of(answer).get("field") == field
    assert_nothing_stored()


def test_a_malformed_correlation_id_is_replaced_by_a_fresh_one(api):
    # Given a correlation id that would corrupt log lines
    answer = post_ticket(api, SPANISH, {"X-Correlation-Id": "abc def\tinjected=1"})

    # Then the app uses an id of its own, and the claim check carries that one
    assert answer.status == 201
    own = answer.headers["X-Correlation-Id"]
    assert re.fullmatch(r"[A-Za-z0-9._:-]{8,128}", own)
    assert take_messages(aws_resource_names.DETECT)[0]["correlation_id"] == own


# --- Refused: 413 and 415 ----------------------------------------------------------------------


class MustNotBeCalled:
    """Stands in for the store or the publisher: any use is an AWS call the request must not make."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls: list[str] = []

    def __getattr__(self, attribute: str) -> Any:
        self.calls.append(attribute)
        raise AssertionError(f"{self.name}.{attribute} was called")


def body_of_exactly(size: int) -> bytes:
    """A valid ticket whose JSON encoding is exactly `size` bytes (padded with evidence)."""
    full = [{"kind": "link", "value": "é" * 2000} for _ in range(16)]
    payload: dict[str, Any] = {"description": "see the attached links", "evidence": [*full, {"kind": "link"}]}
    payload["evidence"][-1]["value"] = "a"
    base = len(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    payload["evidence"][-1]["value"] = "a" * (1 + size - base)
    encoded = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    assert len(encoded) == size
    return encoded


def test_a_body_over_64_kib_gets_413_before_any_aws_call(api):
    # Given a store and a publisher that must not be touched
    store, publisher = MustNotBeCalled("store"), MustNotBeCalled("publisher")
    override_dependencies(tickets=store, idempotency=store, publisher=publisher)

    # When a body one byte over 64 KiB arrives
    answer = post_raw(api, body_of_exactly(MAX_BODY + 1))

    # Then it is refused as too large without reading or writing anything
    assert answer.status == 413, answer.body
    assert error_of(answer)["code"] == "payload_too_large"
    assert store.calls == [] and publisher.calls == []


def test_the_size_limit_counts_bytes_not_characters(api):
    # Given 30,000 Chinese characters: under 64 K characters, but 90,000 bytes of UTF-8
    raw = json.dumps({"description": "账" * 30_000}, ensure_ascii=False).encode("utf-8")

    # Then the body is too large
    assert post_raw(api, raw).status == 413
    assert_nothing_stored()


def test_a_body_of_exactly_64_kib_is_not_too_large(api):
    # Given a valid ticket of exactly 65,536 bytes
    # Then it is accepted
    assert post_raw(api, body_of_exactly(MAX_BODY)).status == 201


@pytest.mark.parametrize("content_type", ["application/xml", "multipart/form-data; boundary=frontier"])
def test_a_body_of_another_media_type_gets_415_and_stores_nothing(api, content_type):
    # When a request arrives declaring a media type the intake does not read
    response = api.http.post("/tickets", headers={"Content-Type": content_type}, body="<ticket>help</ticket>")

    # Then Chalice refuses the media type and nothing is stored
    assert response.status_code == 415
    assert_nothing_stored()


def test_json_sent_by_plain_curl_as_a_form_is_accepted(api):
    # Given `curl -d '{...}'`, which labels a JSON body application/x-www-form-urlencoded
    raw = json.dumps(SPANISH).encode("utf-8")

    # Then the JSON is read all the same
    answer = post_raw(api, raw, {"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status == 201, answer.body


# --- Idempotency-Key ---------------------------------------------------------------------------


def test_a_replay_with_the_same_key_and_body_returns_the_same_ticket_and_token(api):
    # Given a ticket posted with an idempotency key
    key = {"Idempotency-Key": "retry-7f3a9c2e-0001"}
    first = post_ticket(api, SPANISH, key)
    assert first.status == 201
    assert "Idempotent-Replayed" not in first.headers

    # When the app retries the same request (its connection dropped before the answer)
    replay = post_ticket(api, SPANISH, key)

    # Then it gets the same ticket and the same token, marked as a replay
    assert replay.status == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.body["ticket_id"] == first.body["ticket_id"]
    assert replay.body["access_token"] == first.body["access_token"]
    assert replay.headers["Location"] == first.headers["Location"]
    # And only one ticket exists, sent once to detection
    assert stored_ticket_ids() == [first.body["ticket_id"]]
    assert len(take_messages(aws_resource_names.DETECT)) == 1
    # And the replayed token opens the ticket
    assert get_ticket(api, replay.body["ticket_id"], replay.body["access_token"]).status == 200


def test_a_replay_is_recognised_whatever_the_json_formatting(api):
    # Given a ticket posted with an idempotency key
    key = {"Idempotency-Key": "retry-formatting-0002"}
    first = post_ticket(api, SPANISH, key)

    # When the retry serialises the same content with other spacing and key order
    reordered = json.dumps(dict(reversed(list(SPANISH.items()))), indent=2, ensure_ascii=True)
    replay = post_raw(api, reordered.encode("ascii"), key)

    # Then it is the same request
    assert replay.status == 201
    assert replay.body["ticket_id"] == first.body["ticket_id"]


def test_two_racing_requests_with_the_same_key_create_one_ticket(api):
    # Given a request with an idempotency key that has just stored its ticket
    key = {"Idempotency-Key": "racing-retry-000005"}
    first = post_ticket(api, SPANISH, key)
    # When a concurrent retry tries to store its own ticket (intake writes before it reads: the
    # write is conditional on the key being new)
    second = post_ticket(api, SPANISH, key)

    # Then it loses the conditional write and answers the first request's ticket and token
    assert second.status == 201, second.body
    assert second.headers["Idempotent-Replayed"] == "true"
    assert (second.body["ticket_id"], second.body["access_token"]) == (
        first.body["ticket_id"],
        first.body["access_token"],
    )
    assert stored_ticket_ids() == [first.body["ticket_id"]]
    assert len(take_messages(aws_resource_names.DETECT)) == 1


def test_the_same_key_with_a_different_body_gets_422_and_no_second_ticket(api):
    # Given a ticket posted with an idempotency key
    key = {"Idempotency-Key": "retry-reused-key-0003"}
    first = post_ticket(api, SPANISH, key)

    # When the key is reused for another request
    other = post_ticket(api, {**SPANISH, "description": "Otro problema distinto."}, key)

    # Then the client is told the key is taken, and nothing new was created
    assert other.status == 422, other.body
    error = error_of(other)
    assert error["code"] == "idempotency_key_reused"
    assert error["field"] == "Idempotency-Key"
    assert stored_ticket_ids() == [first.body["ticket_id"]]


def test_different_keys_create_different_tickets(api):
    # Given the same body posted twice under two keys (two genuine reports)
    first = create_ticket(api, SPANISH, {"Idempotency-Key": "report-one-00000001"})
    second = create_ticket(api, SPANISH, {"Idempotency-Key": "report-two-00000002"})

    # Then there are two tickets
    assert first["ticket_id"] != second["ticket_id"]
    assert stored_ticket_ids() == sorted([first["ticket_id"], second["ticket_id"]])


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("short", id="too-short"),
        pytest.param("has spaces in it", id="spaces"),
        pytest.param("k" * 256, id="too-long"),
    ],
)
def test_a_malformed_idempotency_key_gets_400_and_stores_nothing(api, key):
    # When a request carries a key outside 8..255 visible ASCII characters
    answer = post_ticket(api, SPANISH, {"Idempotency-Key": key})

    # Then it is refused, naming the header, and nothing is stored
    assert answer.status == 400, answer.body
    error = error_of(answer)
    assert error["code"] == "invalid_idempotency_key"
    assert error["field"] == "Idempotency-Key"
    assert_nothing_stored()


def test_headers_are_case_insensitive_for_the_idempotency_key(api):
    # Given the same key sent once in canonical case and once in lower case
    first = create_ticket(api, SPANISH, {"Idempotency-Key": "case-check-000004"})
    replay = post_ticket(api, SPANISH, {"idempotency-key": "case-check-000004"})

    # Then the second is a replay of the first
    assert replay.status == 201
    assert replay.body["ticket_id"] == first["ticket_id"]
