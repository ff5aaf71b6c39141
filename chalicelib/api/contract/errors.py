"""The error body, and pydantic's validation errors turned into the contract's 400.

Every refused request answers `{"error": {"code", "message", "field"}}`. Request models raise
our own codes (`refuse`) where the contract has one; pydantic's built-in errors (a missing
field, a number for text, an unknown field, a text over its limit...) are mapped here. Of all
the errors in a body the client is told the first, in the order the contract has always
checked: an object's unknown fields first, then its fields in the order the model declares
them, list items in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import MISSING, BaseModel, Field
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from chalicelib.api.contract.base import ViewModel
from chalicelib.api.contract.refusal import ValidationError as ValidationError

Loc = tuple[int | str, ...]
Model = TypeVar("Model", bound=BaseModel)

# pydantic's error type -> our code and message ({field}: the dotted path, e.g. requester.email).
_BUILT_IN: dict[str, tuple[str, str]] = {
    "missing": ("missing_field", "{field} is required"),
    "string_type": ("invalid_type", "{field} must be a string"),
    "model_type": ("invalid_type", "{field} must be an object"),
    "list_type": ("invalid_type", "{field} must be a list"),
    "string_too_short": ("empty_field", "{field} must not be empty"),
    "string_too_long": ("too_long", "{field} is {length} characters; the limit is {max_length}"),
    "too_long": ("too_many", "at most {max_length} {field} items"),
}


# The codes request models raise themselves (`refuse`).
OWN_CODES = frozenset(
    {
        "missing_field",
        "invalid_type",
        "invalid_value",
        "invalid_characters",
        "unknown_category",
        "invalid_email",
        "invalid_locale",
        "invalid_country",
        "invalid_tier",
        "invalid_evidence_kind",
        "invalid_language",
        "invalid_note",
    }
)


class ErrorDetail(ViewModel):
    code: str = Field(description="Stable and machine-readable, e.g. missing_field, unknown_field, not_found")
    message: str = Field(description="For people; the wording may change")
    field: str | MISSING = Field(
        default=MISSING,
        description="The offending field as a dotted path (requester.email, evidence[0].kind) or header",
    )


class Error(ViewModel):
    """Every refused request: one error, with the field to fix when there is one."""

    error: ErrorDetail

    @classmethod
    def of(cls, code: str, message: str, field: str | None = None) -> Error:
        return cls(error=ErrorDetail(code=code, message=message, field=MISSING if field is None else field))


def refuse(code: str, message: str, at: str | None = None) -> PydanticCustomError:
    """Our own error, raised from a model's validator. A message that starts with `{field}` gets
    the field's path there; `at` names the field when a model-level check raises it."""
    return PydanticCustomError(code, message, {"at": at} if at else None)


def validated(model: type[Model], data: Any) -> Model:
    """`data` as `model`, or the contract's ValidationError for its first error."""
    unwritable = _unwritable_name(data)
    if unwritable is not None:
        # No field of ours has such a name; pydantic would refuse the whole body without one.
        path = field_path(unwritable)
        raise ValidationError("unknown_field", f"unknown field {path}", path)
    try:
        return model.model_validate(data)
    except PydanticValidationError as error:
        raise contract_error(error.errors()) from None


def _unwritable_name(data: Any, at: Loc = ()) -> Loc | None:
    """Where the body uses a name that cannot be written as UTF-8 text (half an emoji)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if any("\ud800" <= char <= "\udfff" for char in key):
                return (*at, key)
            found = _unwritable_name(value, (*at, key))
            if found is not None:
                return found
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found = _unwritable_name(item, (*at, index))
            if found is not None:
                return found
    return None


def contract_error(errors: Sequence[ErrorDetails]) -> ValidationError:
    located = [(_loc(error), error) for error in errors]
    loc, first = min(located, key=_check_order(located))
    return _translated(loc, first)


def _loc(error: ErrorDetails) -> Loc:
    at = (error.get("ctx") or {}).get("at")
    return (*error["loc"], at) if at else tuple(error["loc"])


def _check_order(located: list[tuple[Loc, ErrorDetails]]) -> Any:
    """pydantic lists errors field by field in declaration order, but an object's unknown
    fields last; the contract reports them first, by name."""
    first_seen: dict[Loc, int] = {}
    for index, (loc, _) in enumerate(located):
        for end in range(1, len(loc) + 1):
            first_seen.setdefault(loc[:end], index)

    def key(item: tuple[Loc, ErrorDetails]) -> list[tuple[int, str, int]]:
        loc, error = item
        unknown = error["type"] == "extra_forbidden"
        return [
            (0, str(loc[-1]), 0) if unknown and end == len(loc) else (1, "", first_seen[loc[:end]])
            for end in range(1, len(loc) + 1)
        ]

    return key


def _translated(loc: Loc, error: ErrorDetails) -> ValidationError:
    kind, path = error["type"], field_path(loc)
    if not loc:
        return ValidationError("invalid_body", "the request body must be a JSON object")
    if kind == "extra_forbidden":
        named = repr(path) if len(loc) == 1 else path
        return ValidationError("unknown_field", f"unknown field {named}", path)
    if kind == "string_type" and error["input"] is None:
        kind = "missing"  # null where text is required: as good as absent
    if kind in _BUILT_IN:
        code, template = _BUILT_IN[kind]
        context = {**(error.get("ctx") or {}), "field": path}
        if isinstance(error["input"], str):
            context["length"] = len(error["input"])
        return ValidationError(code, template.format(**context), path)
    message = error["msg"]
    if kind in OWN_CODES:
        if message.startswith("{field}"):
            message = path + message.removeprefix("{field}")
        return ValidationError(kind, message, path)
    return ValidationError("invalid_value", f"{path}: {message}", path)


def field_path(loc: Loc) -> str:
    """("evidence", 0, "kind") -> "evidence[0].kind"; names the client chose come back printable."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{printable(part)}" if path else printable(part))
    return path


MAX_ECHOED_NAME = 64


def printable(text: str) -> str:
    """A client's text safe to echo in an error: control characters and lone surrogates (which
    cannot be written as UTF-8) escaped as \\uXXXX, at most 64 characters."""
    escaped = "".join(
        char if char.isprintable() and not "\ud800" <= char <= "\udfff" else f"\\u{ord(char):04x}" for char in text
    )
    return escaped if len(escaped) <= MAX_ECHOED_NAME else escaped[: MAX_ECHOED_NAME - 1] + "…"
