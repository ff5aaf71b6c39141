"""Validation of the public intake body (api/contract/requests.py): every 400 names its code and field."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.api.contract import ValidationError, check_idempotency_key, parse_new_ticket
from chalicelib.api.contract.requests import MAX_EVIDENCE, MAX_EVIDENCE_VALUE
from chalicelib.domain.intake import MAX_DESCRIPTION, MAX_SUBJECT
from chalicelib.domain.ticket import Evidence, Requester


def body(**changes: Any) -> dict[str, Any]:
    """A valid intake body; `changes` replace top-level fields (None removes one)."""
    base: dict[str, Any] = {
        "subject": "Pago rechazado",
        "description": "Mi tarjeta fue rechazada al pagar la suscripción.",
        "category": "payment.failed",
        "requester": {
            "id": "u-123",
            "email": "ana@example.com",
            "locale": "es-MX",
            "country": "MX",
            "tier": "standard",
        },
        "evidence": [{"kind": "transaction_id", "value": "TXN-42"}],
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not None}


def with_requester(**changes: Any) -> dict[str, Any]:
    requester = {**body()["requester"], **changes}
    return body(requester={name: value for name, value in requester.items() if value is not None})


def rejected(payload: Any) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        parse_new_ticket(payload)
    return refused.value


# --- the happy path ---------------------------------------------------------------------


def test_a_complete_body_becomes_a_new_ticket():
    # Given a well-formed body
    # When it is parsed
    new = parse_new_ticket(body())

    # Then every part is kept
    assert new.subject == "Pago rechazado"
    assert new.description == "Mi tarjeta fue rechazada al pagar la suscripción."
    assert new.category == "payment.failed"
    assert new.requester == Requester(id="u-123", email="ana@example.com", locale="es-MX", country="MX")
    assert new.evidence == (Evidence("transaction_id", "TXN-42"),)


def test_a_description_alone_is_enough():
    # Given only the required field
    new = parse_new_ticket({"description": "help"})

    # Then the rest takes its defaults
    assert new.subject is None
    assert new.category == "other"
    assert new.requester == Requester()
    assert new.requester.tier == "standard"
    assert new.evidence == ()


def test_text_is_trimmed_and_a_blank_subject_counts_as_none():
    # Given padded text and a blank subject
    new = parse_new_ticket(body(description="  \n hola  \t", subject="   "))

    # Then the stored text is trimmed and the subject dropped
    assert new.description == "hola"
    assert new.subject is None


def test_the_country_is_upper_cased():
    assert parse_new_ticket(with_requester(country="mx")).requester.country == "MX"


def test_the_category_is_lower_cased_and_trimmed():
    assert parse_new_ticket(body(category=" Payment.Failed ")).category == "payment.failed"


@pytest.mark.parametrize("category", [None, ""])
def test_no_category_means_other(category: str | None):
    # None leaves the field out of the body
    assert parse_new_ticket(body(category=category)).category == "other"


def test_a_top_level_category_is_accepted():
    assert parse_new_ticket(body(category="account")).category == "account"


def test_the_tier_is_lower_cased():
    assert parse_new_ticket(with_requester(tier="Business")).requester.tier == "business"


def test_limits_are_inclusive():
    # Given text exactly at each limit
    new = parse_new_ticket(
        body(
            description="d" * MAX_DESCRIPTION,
            subject="s" * MAX_SUBJECT,
            evidence=[{"kind": "link", "value": "v" * MAX_EVIDENCE_VALUE}] * MAX_EVIDENCE,
        )
    )

    # Then it is all accepted
    assert len(new.description) == MAX_DESCRIPTION
    assert len(new.subject or "") == MAX_SUBJECT
    assert len(new.evidence) == MAX_EVIDENCE


def test_every_evidence_kind_of_the_contract_is_accepted():
    kinds = ["screenshot", "recording", "link", "error_code", "order_id", "transaction_id"]
    new = parse_new_ticket(body(evidence=[{"kind": kind, "value": f"v-{kind}"} for kind in kinds]))
    assert [item.kind for item in new.evidence] == kinds


def test_the_fingerprint_covers_what_a_replay_must_repeat():
    # Given two bodies that differ only in the description
    first = parse_new_ticket(body())
    second = parse_new_ticket(body(description="Otra cosa"))

    # Then their fingerprint fields differ, and the same body gives the same fields
    assert first.fingerprint_fields() != second.fingerprint_fields()
    assert first.fingerprint_fields() == parse_new_ticket(body()).fingerprint_fields()


# --- 400s -------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [[], "text", 42, None])
def test_a_body_that_is_not_an_object_is_refused(payload: Any):
    error = rejected(payload)
    assert error.code == "invalid_body"


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        (body(description=None), "missing_field", "description"),
        (body(description=""), "empty_field", "description"),
        (body(description=" \n\t "), "empty_field", "description"),
        (body(description="x" * (MAX_DESCRIPTION + 1)), "too_long", "description"),
        (body(subject="x" * (MAX_SUBJECT + 1)), "too_long", "subject"),
        (body(description="bad\x00byte"), "invalid_characters", "description"),
        (body(subject="bad\x00byte"), "invalid_characters", "subject"),
    ],
    ids=["missing", "empty", "blank", "description-too-long", "subject-too-long", "nul-description", "nul-subject"],
)
def test_bad_text_is_refused_with_its_code_and_field(payload: dict[str, Any], code: str, field: str):
    error = rejected(payload)
    assert (error.code, error.field) == (code, field)
    assert error.message


def test_the_too_long_message_states_the_length_and_the_limit():
    error = rejected(body(description="x" * (MAX_DESCRIPTION + 5)))
    assert str(MAX_DESCRIPTION + 5) in error.message
    assert str(MAX_DESCRIPTION) in error.message


def test_an_unknown_top_level_field_is_refused_by_name():
    # Given a caller trying to set its own priority
    error = rejected(body(priority="urgent"))

    # Then the field is named
    assert (error.code, error.field) == ("unknown_field", "priority")


def test_an_unknown_requester_field_is_refused_by_its_dotted_name():
    error = rejected(with_requester(name="Ana"))
    assert (error.code, error.field) == ("unknown_field", "requester.name")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (body(description=123), "description"),
        (body(subject=["a"]), "subject"),
        (body(category=5), "category"),
        (body(requester="u-123"), "requester"),
        (body(requester=["u-123"]), "requester"),
        (with_requester(email=7), "requester.email"),
        (with_requester(country=True), "requester.country"),
        (with_requester(id={"x": 1}), "requester.id"),
        (body(evidence={"kind": "link", "value": "x"}), "evidence"),
        (body(evidence=["https://example.com"]), "evidence[0]"),
        (body(evidence=[{"kind": "link", "value": "x", "note": "extra"}]), "evidence[0]"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(payload: dict[str, Any], field: str):
    error = rejected(payload)
    assert (error.code, error.field) == ("invalid_type", field)


@pytest.mark.parametrize(
    "email", ["not-an-email", "a@b", "two@@example.com", "sp ace@example.com", "", "x" * 250 + "@e.io"]
)
def test_a_bad_email_is_refused(email: str):
    error = rejected(with_requester(email=email))
    assert (error.code, error.field) == ("invalid_email", "requester.email")


@pytest.mark.parametrize("locale", ["spanish please", "e", "es-MX-", "toolonglanguage", "es--MX", ""])
def test_a_bad_locale_is_refused(locale: str):
    error = rejected(with_requester(locale=locale))
    assert (error.code, error.field) == ("invalid_locale", "requester.locale")


@pytest.mark.parametrize("locale", ["es", "es-MX", "pt_BR", "zh-Hant-TW", "es-419", "fil-PH"])
def test_common_locales_are_accepted(locale: str):
    assert parse_new_ticket(with_requester(locale=locale)).requester.locale == locale


@pytest.mark.parametrize("country", ["MEX", "M", "1A", "", "M-"])
def test_a_bad_country_is_refused(country: str):
    error = rejected(with_requester(country=country))
    assert (error.code, error.field) == ("invalid_country", "requester.country")


@pytest.mark.parametrize("tier", ["gold", "", "premium"])
def test_an_unknown_tier_is_refused(tier: str):
    error = rejected(with_requester(tier=tier))
    assert (error.code, error.field) == ("invalid_tier", "requester.tier")


@pytest.mark.parametrize("requester_id", ["", "   ", "u" * 129])
def test_a_requester_id_out_of_bounds_is_refused(requester_id: str):
    error = rejected(with_requester(id=requester_id))
    assert (error.code, error.field) == ("invalid_value", "requester.id")


@pytest.mark.parametrize("category", ["payment.crypto", "billing", "payment.", "other.thing"])
def test_an_unknown_category_is_refused(category: str):
    error = rejected(body(category=category))
    assert (error.code, error.field) == ("unknown_category", "category")
    assert "/openapi.json" in error.message


def test_an_unknown_evidence_kind_is_refused_at_its_index():
    error = rejected(body(evidence=[{"kind": "link", "value": "ok"}, {"kind": "video", "value": "x"}]))
    assert (error.code, error.field) == ("invalid_evidence_kind", "evidence[1].kind")


def test_more_than_the_evidence_limit_is_refused():
    error = rejected(body(evidence=[{"kind": "link", "value": "x"}] * (MAX_EVIDENCE + 1)))
    assert (error.code, error.field) == ("too_many", "evidence")


@pytest.mark.parametrize("value", ["", "   ", "v" * (MAX_EVIDENCE_VALUE + 1), 42, None])
def test_an_evidence_value_that_is_empty_too_long_or_not_text_is_refused(value: Any):
    error = rejected(body(evidence=[{"kind": "order_id", "value": value}]))
    assert (error.code, error.field) == ("invalid_value", "evidence[0].value")


@pytest.mark.parametrize("kind", [["link"], {"type": "link"}])
def test_an_evidence_kind_that_is_not_a_string_is_a_400_not_a_crash(kind: Any):
    error = rejected(body(evidence=[{"kind": kind, "value": "x"}]))
    assert (error.code, error.field) == ("invalid_evidence_kind", "evidence[0].kind")


# --- Idempotency-Key --------------------------------------------------------------------


def test_no_idempotency_key_is_fine():
    assert check_idempotency_key(None) is None


@pytest.mark.parametrize("key", ["abcdefgh", "3f1c2d9e-7a5b-4c1e-9f00-1234567890ab", "k" * 255, "!~" * 4])
def test_a_visible_ascii_idempotency_key_of_8_to_255_chars_is_accepted(key: str):
    assert check_idempotency_key(key) == key


@pytest.mark.parametrize("key", ["short", "", "k" * 256, "has space in it", "clé-ünïcode", "tab\there!"])
def test_a_bad_idempotency_key_is_refused_naming_the_header(key: str):
    with pytest.raises(ValidationError) as refused:
        check_idempotency_key(key)
    assert (refused.value.code, refused.value.field) == ("invalid_idempotency_key", "Idempotency-Key")
