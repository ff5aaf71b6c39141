"""Request bodies: what a client may send, validated by the models /openapi.json documents.

`parse_*` turn a parsed JSON body into what the routes hand to the domain, or raise the
contract's ValidationError (errors.py): text is trimmed, a blank subject is no subject, the
category, country and tier are normalised, and nothing is coerced (a number is not text).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints, TypeAdapter, model_validator
from pydantic import ValidationError as PydanticValidationError

from chalicelib.api.contract.base import RequestModel
from chalicelib.api.contract.errors import ValidationError, refuse, validated
from chalicelib.api.contract.refusal import MAX_BODY_BYTES as MAX_BODY_BYTES
from chalicelib.domain import intake
from chalicelib.domain import ticket as domain
from chalicelib.domain.catalog import known_categories
from chalicelib.domain.intake import MAX_DESCRIPTION, MAX_SUBJECT

MAX_EVIDENCE = 20
MAX_EVIDENCE_VALUE = 2_000
MAX_REQUESTER_ID = 128
MAX_EMAIL = 254
MAX_MESSAGE = MAX_DESCRIPTION
MAX_NOTE = 500

EvidenceKind = Literal["error_code", "link", "order_id", "recording", "screenshot", "transaction_id"]
EVIDENCE_KINDS = frozenset(get_args(EvidenceKind))
TIERS = ("business", "standard")

EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"
# BCP 47 as apps send it: a 2-3 letter language, then optional script/region/variant subtags.
LOCALE_PATTERN = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,3}$"
COUNTRY_PATTERN = r"^[A-Za-z]{2}$"
_EMAIL, _LOCALE, _COUNTRY = (re.compile(pattern) for pattern in (EMAIL_PATTERN, LOCALE_PATTERN, COUNTRY_PATTERN))

IdempotencyKey = Annotated[str, StringConstraints(min_length=8, max_length=255, pattern=r"^[\x21-\x7e]{8,255}$")]
_IDEMPOTENCY_KEY: TypeAdapter[str] = TypeAdapter(IdempotencyKey)

# Every category of chalicelib/data/categories.json: each top-level name and each parent.child.
Category = StrEnum("Category", {name: name for name in sorted(known_categories())})
Category.__doc__ = "What the problem is about; 'other' when the app does not know."


# --- the checks the models share ---------------------------------------------------------


def _characters(value: Any) -> Any:
    """NUL and lone UTF-16 surrogates (half an emoji, cut by a client) cannot be stored as UTF-8.
    Checked before pydantic's own string check, which refuses surrogates without saying why."""
    if not isinstance(value, str):
        return value
    if "\x00" in value:
        raise refuse("invalid_characters", "{field} contains a NUL character")
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise refuse("invalid_characters", "{field} contains an unpaired surrogate (half an emoji?)")
    return value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _blank_is_none(value: Any) -> Any:
    return (value.strip() or None) if isinstance(value, str) else value


def _category(value: Any) -> Any:
    if value is None or value == "":
        return Category("other")
    if not isinstance(value, str):
        raise refuse("invalid_type", "{field} must be a string")
    try:
        return Category(value.strip().lower())
    except ValueError:
        raise refuse(
            "unknown_category", f"unknown category {value!r}; use one listed under Category in /openapi.json"
        ) from None


# --- POST /tickets ---------------------------------------------------------------------------


def _requester_text(normalise: Any = None, **schema: Any) -> Any:
    """Optional text: type and characters checked per field, then trimmed (and normalised); the
    values are checked once every field has the right type (Requester._values)."""
    steps = [BeforeValidator(_characters), AfterValidator(_strip)]
    if normalise is not None:
        steps.append(AfterValidator(normalise))
    return Annotated[str, Field(**schema), *steps] | None


RequesterId = _requester_text(json_schema_extra={"minLength": 1, "maxLength": MAX_REQUESTER_ID})
Email = _requester_text(json_schema_extra={"format": "email", "maxLength": MAX_EMAIL})
Locale = _requester_text(json_schema_extra={"pattern": LOCALE_PATTERN})
Country = _requester_text(str.upper, json_schema_extra={"pattern": COUNTRY_PATTERN})
Tier = _requester_text(str.lower, json_schema_extra={"enum": list(TIERS)})


class Requester(RequestModel):
    """Who reports the problem, as the app knows them; every field is optional."""

    # The schema keywords of these types document what `_values` enforces with our own codes.
    id: RequesterId = None
    email: Email = None
    locale: Locale = Field(None, description="BCP 47 tag of the app's language", examples=["es-MX"])
    country: Country = Field(None, description="ISO 3166-1 alpha-2; decides the region", examples=["MX"])
    tier: Tier = "standard"

    @model_validator(mode="after")
    def _values(self) -> Requester:
        if self.id is not None and not 1 <= len(self.id) <= MAX_REQUESTER_ID:
            raise refuse("invalid_value", f"{{field}} must be 1 to {MAX_REQUESTER_ID} characters", "id")
        if self.email is not None and (len(self.email) > MAX_EMAIL or not _EMAIL.match(self.email)):
            raise refuse("invalid_email", "{field} is not an e-mail address", "email")
        if self.locale is not None and not _LOCALE.match(self.locale):
            raise refuse("invalid_locale", "{field} must be a BCP 47 tag such as es-MX", "locale")
        if self.country is not None and not _COUNTRY.match(self.country):
            raise refuse("invalid_country", "{field} must be an ISO 3166-1 alpha-2 code such as MX", "country")
        if self.tier is not None and self.tier not in TIERS:
            raise refuse("invalid_tier", f"{{field}} must be one of {sorted(TIERS)}", "tier")
        return self

    def to_domain(self) -> domain.Requester:
        given = {name: getattr(self, name) for name in type(self).model_fields}
        return domain.Requester(**{name: text for name, text in given.items() if text})


def _evidence_kind(value: Any) -> Any:
    if not isinstance(value, str) or value not in EVIDENCE_KINDS:
        raise refuse("invalid_evidence_kind", f"{{field}} must be one of {sorted(EVIDENCE_KINDS)}")
    return value


def _evidence_value(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_EVIDENCE_VALUE:
        raise refuse("invalid_value", f"{{field}} must be 1 to {MAX_EVIDENCE_VALUE} characters")
    return value


class Evidence(RequestModel):
    """Something that helps an agent: an order or transaction id, a link, an error code..."""

    kind: Annotated[EvidenceKind, BeforeValidator(_evidence_kind)]
    value: Annotated[
        str,
        StringConstraints(min_length=1, max_length=MAX_EVIDENCE_VALUE),
        BeforeValidator(_characters),
        BeforeValidator(_evidence_value),
        AfterValidator(_strip),
    ]

    @model_validator(mode="before")
    @classmethod
    def _an_object_with_kind_and_value(cls, data: Any) -> Any:
        if not isinstance(data, dict) or set(data) - {"kind", "value"}:
            raise refuse("invalid_type", "{field} must be an object with kind and value")
        return {"kind": None, "value": None, **data}  # an absent kind or value is a bad one

    def to_domain(self) -> domain.Evidence:
        return domain.Evidence(kind=self.kind, value=self.value)


class NewTicket(RequestModel):
    """A problem reported in any language. Only the description is required."""

    # Fields in the order they are checked: a body with several errors is told the first.
    description: Annotated[
        str,
        StringConstraints(min_length=1, max_length=MAX_DESCRIPTION),
        BeforeValidator(_characters),
        BeforeValidator(_strip),
    ]
    subject: Annotated[
        Annotated[str, StringConstraints(max_length=MAX_SUBJECT)] | None,
        BeforeValidator(_characters),
        BeforeValidator(_blank_is_none),
    ] = None
    # None only in the schema: _category takes null (and "") as "other", as it always did.
    category: Annotated[Category | None, BeforeValidator(_category)] = Category("other")
    requester: Requester | None = None
    evidence: Annotated[list[Evidence], Field(max_length=MAX_EVIDENCE)] | None = None

    def to_domain(self) -> intake.NewTicket:
        return intake.NewTicket(
            description=self.description,
            subject=self.subject,
            category=(self.category or Category("other")).value,
            requester=self.requester.to_domain() if self.requester else domain.Requester(),
            evidence=tuple(item.to_domain() for item in self.evidence or ()),
        )


def parse_new_ticket(body: Any) -> intake.NewTicket:
    return validated(NewTicket, body).to_domain()


def check_idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    try:
        return _IDEMPOTENCY_KEY.validate_python(key)
    except PydanticValidationError:
        raise ValidationError(
            "invalid_idempotency_key",
            "Idempotency-Key must be 8 to 255 visible ASCII characters",
            "Idempotency-Key",
        ) from None


# --- POST /tickets/{id}/messages and /replies --------------------------------------------


def _required_text(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        raise refuse("missing_field", "{field} is required")
    return value.strip()


def _language(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2}", value):
        raise refuse("invalid_language", "{field} must be an ISO 639-1 code such as es")
    return value.lower()


class NewMessage(RequestModel):
    """A requester's message or an agent's reply, in any language."""

    text: Annotated[
        str,
        StringConstraints(min_length=1, max_length=MAX_MESSAGE),
        BeforeValidator(_characters),
        BeforeValidator(_required_text),
    ]
    language: Annotated[str | None, BeforeValidator(_language)] = Field(
        default=None, description="ISO 639-1; detected when omitted", examples=["es"]
    )


def parse_message_text(body: Any) -> tuple[str, str | None]:
    """(text, declared language) from a message or reply body."""
    message = validated(NewMessage, body)
    return message.text, message.language


# --- POST /tickets/{id}/waiting, /resolve, /reopen ---------------------------------------


def _note(value: Any) -> Any:
    if value is not None and (not isinstance(value, str) or len(value) > MAX_NOTE):
        raise refuse("invalid_note", f"{{field}} must be a string of at most {MAX_NOTE} characters")
    _characters(value)  # a note goes into the audit trail, stored as UTF-8 like any text
    return value


class DeskNote(RequestModel):
    """What an agent may attach to a desk change; other fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    note: Annotated[
        Annotated[str, StringConstraints(max_length=MAX_NOTE)] | None,
        BeforeValidator(_note),
        AfterValidator(_blank_is_none),
    ] = Field(default=None, description="Kept in the audit trail (desk.events)")


def parse_desk_note(body: Any) -> str | None:
    """The note of a desk change; None without a body, or when the body is not an object."""
    if not isinstance(body, dict):
        return None
    return validated(DeskNote, body).note
