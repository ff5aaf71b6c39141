"""The request models (api/contract/requests.py): what they accept, what they hand the domain,
and the code, field and message of every 400 they produce."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.api.contract import (
    NewTicket,
    ValidationError,
    check_idempotency_key,
    parse_desk_note,
    parse_message_text,
    parse_new_ticket,
)
from chalicelib.api.contract.requests import MAX_MESSAGE, MAX_NOTE, Category
from chalicelib.domain import intake
from chalicelib.domain.catalog import known_categories
from chalicelib.domain.ticket import Evidence, Requester


def refusal(parse: Any, body: Any) -> tuple[str, str | None, str]:
    with pytest.raises(ValidationError) as refused:
        parse(body)
    return refused.value.code, refused.value.field, refused.value.message


# --- every code the request models produce, with its field -------------------------------------

EVERY_CODE = [
    pytest.param(parse_new_ticket, ["x"], "invalid_body", None, id="invalid_body"),
    pytest.param(parse_new_ticket, {"description": "x", "colour": 1}, "unknown_field", "colour", id="unknown_field"),
    pytest.param(parse_new_ticket, {}, "missing_field", "description", id="missing_field"),
    pytest.param(parse_new_ticket, {"description": " "}, "empty_field", "description", id="empty_field"),
    pytest.param(parse_new_ticket, {"description": 1}, "invalid_type", "description", id="invalid_type"),
    pytest.param(parse_new_ticket, {"description": "x" * 10_001}, "too_long", "description", id="too_long"),
    pytest.param(parse_new_ticket, {"description": "a\x00"}, "invalid_characters", "description", id="nul"),
    pytest.param(
        parse_new_ticket, {"description": "x", "category": "zz"}, "unknown_category", "category", id="category"
    ),
    pytest.param(
        parse_new_ticket, {"description": "x", "requester": {"id": ""}}, "invalid_value", "requester.id", id="id"
    ),
    pytest.param(
        parse_new_ticket,
        {"description": "x", "requester": {"email": "a@b"}},
        "invalid_email",
        "requester.email",
        id="email",
    ),
    pytest.param(
        parse_new_ticket,
        {"description": "x", "requester": {"locale": "e"}},
        "invalid_locale",
        "requester.locale",
        id="locale",
    ),
    pytest.param(
        parse_new_ticket,
        {"description": "x", "requester": {"country": "MEX"}},
        "invalid_country",
        "requester.country",
        id="country",
    ),
    pytest.param(
        parse_new_ticket,
        {"description": "x", "requester": {"tier": "gold"}},
        "invalid_tier",
        "requester.tier",
        id="tier",
    ),
    pytest.param(
        parse_new_ticket,
        {"description": "x", "evidence": [{"kind": "video", "value": "v"}]},
        "invalid_evidence_kind",
        "evidence[0].kind",
        id="evidence_kind",
    ),
    pytest.param(
        parse_new_ticket,
        {"description": "x", "evidence": [{"kind": "link"}] * 21},
        "too_many",
        "evidence",
        id="too_many",
    ),
    pytest.param(parse_message_text, {"text": "hi", "language": "esp"}, "invalid_language", "language", id="language"),
    pytest.param(parse_desk_note, {"note": 5}, "invalid_note", "note", id="note"),
    pytest.param(check_idempotency_key, "short", "invalid_idempotency_key", "Idempotency-Key", id="idempotency_key"),
]


@pytest.mark.parametrize(("parse", "body", "code", "field"), EVERY_CODE)
def test_every_error_code_names_its_field(parse: Any, body: Any, code: str, field: str | None):
    # Given a body with one thing wrong
    # When it is parsed
    refused_code, refused_field, message = refusal(parse, body)

    # Then the error says what, and where (None: the whole body)
    assert (refused_code, refused_field) == (code, field)
    assert message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "the request body must be a JSON object"),
        ({"description": "x", "priority": "urgent"}, "unknown field 'priority'"),
        ({"description": "x", "requester": {"name": "Ana"}}, "unknown field requester.name"),
        ({}, "description is required"),
        ({"description": None}, "description is required"),
        ({"description": ""}, "description must not be empty"),
        ({"description": 5}, "description must be a string"),
        ({"description": " " + "x" * 10_001 + " "}, "description is 10001 characters; the limit is 10000"),
        ({"description": "a\x00"}, "description contains a NUL character"),
        ({"description": "a\ud83d"}, "description contains an unpaired surrogate (half an emoji?)"),
        ({"description": "x", "requester": "u-1"}, "requester must be an object"),
        ({"description": "x", "requester": {"email": 7}}, "requester.email must be a string"),
        ({"description": "x", "requester": {"id": "u" * 129}}, "requester.id must be 1 to 128 characters"),
        ({"description": "x", "requester": {"tier": "gold"}}, "requester.tier must be one of ['business', 'standard']"),
        ({"description": "x", "evidence": "x"}, "evidence must be a list"),
        ({"description": "x", "evidence": [{"kind": "link"}] * 21}, "at most 20 evidence items"),
        ({"description": "x", "evidence": [1]}, "evidence[0] must be an object with kind and value"),
        (
            {"description": "x", "evidence": [{"kind": "link", "value": ""}]},
            "evidence[0].value must be 1 to 2000 characters",
        ),
        (
            {"description": "x", "category": "Billing"},
            "unknown category 'Billing'; use one listed under Category in /openapi.json",
        ),
    ],
)
def test_the_messages_are_the_ones_clients_have_always_read(body: Any, message: str):
    # Then each 400 keeps its wording, with the dotted path of the field in it
    assert refusal(parse_new_ticket, body)[2] == message


# --- which error a body with several gets ------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        # unknown fields first (by name), then description, subject, category, requester, evidence
        ({"zeta": 1, "alpha": 2, "description": 5}, "alpha"),
        ({"description": 5, "subject": 5, "category": 5}, "description"),
        ({"description": "x", "subject": 5, "category": 5, "requester": 5}, "subject"),
        ({"description": "x", "category": 5, "requester": 5, "evidence": 5}, "category"),
        ({"description": "x", "requester": 5, "evidence": 5}, "requester"),
        ({"description": "x", "evidence": [{"kind": "link", "value": "v"}, {"kind": "x"}, 1]}, "evidence[1].kind"),
        # inside the requester: unknown fields, then every field's type, then the values in order
        ({"description": "x", "requester": {"zz": 1, "id": 5}}, "requester.zz"),
        ({"description": "x", "requester": {"id": "", "email": 7}}, "requester.email"),
        ({"description": "x", "requester": {"email": "bad", "locale": "bad locale"}}, "requester.email"),
        # an evidence list over the limit is refused as such before its items are read
        ({"description": "x", "evidence": [1] * 21}, "evidence"),
    ],
)
def test_a_body_with_several_errors_gets_the_first_in_the_contracts_order(body: dict[str, Any], field: str):
    assert refusal(parse_new_ticket, body)[1] == field


# --- what the domain receives ------------------------------------------------------------------


def test_a_valid_body_becomes_the_domains_new_ticket():
    # Given a body with padded text, mixed-case values and every optional part
    body = {
        "subject": "  Pago  ",
        "description": " Mi tarjeta fue rechazada. ",
        "category": " Payment.Failed ",
        "requester": {"id": " u-1 ", "locale": "es-MX", "country": "mx", "tier": "Business"},
        "evidence": [{"kind": "order_id", "value": " A-1 "}],
    }

    # When it is parsed
    new = parse_new_ticket(body)

    # Then the domain gets its plain dataclasses, trimmed and normalised
    assert new == intake.NewTicket(
        description="Mi tarjeta fue rechazada.",
        subject="Pago",
        category="payment.failed",
        requester=Requester(id="u-1", locale="es-MX", country="MX", tier="business"),
        evidence=(Evidence("order_id", "A-1"),),
    )


@pytest.mark.parametrize("empty", [None, {}])
def test_no_requester_is_the_default_requester(empty: dict[str, Any] | None):
    assert parse_new_ticket({"description": "x", "requester": empty}).requester == Requester()


def test_nothing_is_coerced_a_number_is_not_text():
    # Given numbers where the contract wants text
    for body in ({"description": 42}, {"description": "x", "requester": {"country": 52}}):
        # Then they are refused, not turned into "42"
        assert refusal(parse_new_ticket, body)[0] == "invalid_type"


def test_the_model_offers_every_known_category_and_defaults_to_other():
    assert {category.value for category in Category} == known_categories()
    assert NewTicket.model_validate({"description": "x"}).category.value == "other"


# --- messages and replies ----------------------------------------------------------------------


def test_a_message_is_trimmed_and_its_language_lower_cased():
    assert parse_message_text({"text": "  hola ", "language": "ES"}) == ("hola", "es")
    assert parse_message_text({"text": "hola"}) == ("hola", None)
    assert parse_message_text({"text": "hola", "language": None}) == ("hola", None)


@pytest.mark.parametrize(
    ("body", "code", "field", "message"),
    [
        (["hi"], "invalid_body", None, "the request body must be a JSON object"),
        ({"text": "hi", "x": 1, "b": 2}, "unknown_field", "b", "unknown field 'b'"),
        ({}, "missing_field", "text", "text is required"),
        ({"text": "   "}, "missing_field", "text", "text is required"),
        ({"text": 5}, "missing_field", "text", "text is required"),
        ({"text": "x" * (MAX_MESSAGE + 1)}, "too_long", "text", "text is 10001 characters; the limit is 10000"),
        ({"text": "a\x00"}, "invalid_characters", "text", "text contains a NUL character"),
        (
            {"text": "hi", "language": 5},
            "invalid_language",
            "language",
            "language must be an ISO 639-1 code such as es",
        ),
        (
            {"text": "hi", "language": "e1"},
            "invalid_language",
            "language",
            "language must be an ISO 639-1 code such as es",
        ),
    ],
)
def test_a_bad_message_is_refused_as_before(body: Any, code: str, field: str | None, message: str):
    assert refusal(parse_message_text, body) == (code, field, message)


# --- desk notes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "note"),
    [
        (None, None),  # no body at all
        (["not", "an", "object"], None),  # ignored, as it always was
        ({}, None),
        ({"note": None}, None),
        ({"note": "   "}, None),
        ({"note": " need receipt "}, "need receipt"),
        ({"note": "n" * MAX_NOTE, "other": 1}, "n" * MAX_NOTE),  # other fields are ignored
    ],
)
def test_a_desk_note_is_optional_and_trimmed(body: Any, note: str | None):
    assert parse_desk_note(body) == note


@pytest.mark.parametrize("value", [5, ["a"], True, "n" * (MAX_NOTE + 1)])
def test_a_note_that_is_not_short_text_is_refused(value: Any):
    assert refusal(parse_desk_note, {"note": value}) == (
        "invalid_note",
        "note",
        "note must be a string of at most 500 characters",
    )
