"""Validation of the public intake body: turns untrusted JSON into a NewTicket or a clear error."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.catalog import known_categories
from chalicelib.domain.ticket import Evidence, Requester

MAX_BODY_BYTES = 64 * 1024
MAX_SUBJECT = 200
MAX_DESCRIPTION = 10_000
MAX_EVIDENCE = 20
MAX_EVIDENCE_VALUE = 2_000
EVIDENCE_KINDS = frozenset({"screenshot", "recording", "link", "error_code", "order_id", "transaction_id"})
TIERS = frozenset({"standard", "business"})
TOP_LEVEL_FIELDS = frozenset({"subject", "description", "category", "requester", "evidence"})
REQUESTER_FIELDS = frozenset({"id", "email", "locale", "country", "tier"})

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
# BCP 47 as apps send it: a 2-3 letter language, then optional script/region/variant subtags.
_LOCALE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,3}$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{8,255}")


class ValidationError(ValueError):
    """Bad input from the caller; the API answers 400 with this code, message and field."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class NewTicket:
    description: str
    subject: str | None
    category: str
    requester: Requester
    evidence: tuple[Evidence, ...]

    def fingerprint_fields(self) -> dict[str, Any]:
        """What an idempotent replay must repeat exactly."""
        return {
            "subject": self.subject,
            "description": self.description,
            "category": self.category,
            "requester": vars(self.requester),
            "evidence": [vars(item) for item in self.evidence],
        }


def parse_new_ticket(body: Any) -> NewTicket:
    if not isinstance(body, dict):
        raise ValidationError("invalid_body", "the request body must be a JSON object")
    unknown = sorted(set(body) - TOP_LEVEL_FIELDS)
    if unknown:
        raise ValidationError("unknown_field", f"unknown field {unknown[0]!r}", unknown[0])
    description = _text(body, "description", required=True, maximum=MAX_DESCRIPTION)
    assert description is not None
    subject = _text(body, "subject", required=False, maximum=MAX_SUBJECT)
    category = _category(body.get("category"))
    requester = _requester(body.get("requester"))
    evidence = _evidence(body.get("evidence"))
    return NewTicket(description, subject, category, requester, evidence)


def check_idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise ValidationError(
            "invalid_idempotency_key",
            "Idempotency-Key must be 8 to 255 visible ASCII characters",
            "Idempotency-Key",
        )
    return key


def _text(body: dict[str, Any], name: str, *, required: bool, maximum: int) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise ValidationError("missing_field", f"{name} is required", name)
        return None
    if not isinstance(value, str):
        raise ValidationError("invalid_type", f"{name} must be a string", name)
    value = value.strip()
    if not value:
        if required:
            raise ValidationError("empty_field", f"{name} must not be empty", name)
        return None
    if len(value) > maximum:
        raise ValidationError("too_long", f"{name} is {len(value)} characters; the limit is {maximum}", name)
    check_text_characters(value, name)
    return value


def check_text_characters(value: str, field: str) -> None:
    """NUL and lone UTF-16 surrogates (half an emoji, cut by a client) cannot be stored as UTF-8."""
    if "\x00" in value:
        raise ValidationError("invalid_characters", f"{field} contains a NUL character", field)
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise ValidationError("invalid_characters", f"{field} contains an unpaired surrogate (half an emoji?)", field)


def _category(value: Any) -> str:
    if value is None or value == "":
        return "other"
    if not isinstance(value, str):
        raise ValidationError("invalid_type", "category must be a string", "category")
    normalised = value.strip().lower()
    if normalised not in known_categories():
        raise ValidationError(
            "unknown_category",
            f"unknown category {value!r}; use one listed under Category in /openapi.json",
            "category",
        )
    return normalised


def _requester(value: Any) -> Requester:
    if value is None:
        return Requester()
    if not isinstance(value, dict):
        raise ValidationError("invalid_type", "requester must be an object", "requester")
    unknown = sorted(set(value) - REQUESTER_FIELDS)
    if unknown:
        raise ValidationError("unknown_field", f"unknown field requester.{unknown[0]}", f"requester.{unknown[0]}")
    fields: dict[str, Any] = {}
    for name in ("id", "email", "locale", "country", "tier"):
        raw = value.get(name)
        if raw is None:
            continue
        if not isinstance(raw, str):
            raise ValidationError("invalid_type", f"requester.{name} must be a string", f"requester.{name}")
        check_text_characters(raw, f"requester.{name}")
        fields[name] = raw.strip()
    if "id" in fields and not 1 <= len(fields["id"]) <= 128:
        raise ValidationError("invalid_value", "requester.id must be 1 to 128 characters", "requester.id")
    if "email" in fields and (len(fields["email"]) > 254 or not _EMAIL.match(fields["email"])):
        raise ValidationError("invalid_email", "requester.email is not an e-mail address", "requester.email")
    if "locale" in fields and not _LOCALE.match(fields["locale"]):
        raise ValidationError(
            "invalid_locale", "requester.locale must be a BCP 47 tag such as es-MX", "requester.locale"
        )
    if "country" in fields:
        if not _COUNTRY.match(fields["country"]):
            raise ValidationError(
                "invalid_country",
                "requester.country must be an ISO 3166-1 alpha-2 code such as MX",
                "requester.country",
            )
        fields["country"] = fields["country"].upper()
    if "tier" in fields:
        fields["tier"] = fields["tier"].lower()
        if fields["tier"] not in TIERS:
            raise ValidationError("invalid_tier", f"requester.tier must be one of {sorted(TIERS)}", "requester.tier")
    return Requester(**{name: text for name, text in fields.items() if text})


def _evidence(value: Any) -> tuple[Evidence, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValidationError("invalid_type", "evidence must be a list", "evidence")
    if len(value) > MAX_EVIDENCE:
        raise ValidationError("too_many", f"at most {MAX_EVIDENCE} evidence items", "evidence")
    items = []
    for index, item in enumerate(value):
        where = f"evidence[{index}]"
        if not isinstance(item, dict) or set(item) - {"kind", "value"}:
            raise ValidationError("invalid_type", f"{where} must be an object with kind and value", where)
        kind, text = item.get("kind"), item.get("value")
        if not isinstance(kind, str) or kind not in EVIDENCE_KINDS:
            raise ValidationError(
                "invalid_evidence_kind", f"{where}.kind must be one of {sorted(EVIDENCE_KINDS)}", f"{where}.kind"
            )
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_EVIDENCE_VALUE:
            raise ValidationError(
                "invalid_value", f"{where}.value must be 1 to {MAX_EVIDENCE_VALUE} characters", f"{where}.value"
            )
        check_text_characters(text, f"{where}.value")
        items.append(Evidence(kind=kind, value=text.strip()))
    return tuple(items)
