"""Request reading and response shaping shared by every route."""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from chalice import Response
from chalice.app import Request

from chalicelib.api import contract
from chalicelib.api.contract.refusal import MAX_BODY_BYTES, ValidationError

JSON_HEADERS = {"Content-Type": "application/json"}
_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


class HttpError(Exception):
    def __init__(
        self, status: int, code: str, message: str, field: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers or {}


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        headers={**JSON_HEADERS, **(headers or {})},
    )


def error_response(
    status: int, code: str, message: str, field: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    return json_response(status, contract.Error.of(code, message, field).dump(), headers)


def read_json_body(request: Request) -> Any:
    """The parsed body; 413 past 64 KiB (checked before anything else), 400 for bad JSON."""
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise HttpError(
            413, "payload_too_large", f"the request body is {len(raw)} bytes; the limit is {MAX_BODY_BYTES}"
        )
    if not raw.strip():
        raise HttpError(400, "invalid_body", "the request body is empty; send a JSON object")
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise HttpError(400, "invalid_encoding", "the request body must be UTF-8") from None
    except ValueError as error:
        raise HttpError(400, "invalid_json", f"the request body is not valid JSON: {error}") from None
    except RecursionError:
        raise HttpError(400, "invalid_json", "the request body is nested too deeply") from None


def header(request: Request, name: str) -> str | None:
    value = request.headers.get(name)
    return value if value is None else value.strip()


def correlation_id(request: Request) -> str:
    """The caller's X-Correlation-Id when it looks like one, else a fresh id."""
    given = header(request, "x-correlation-id")
    return given if given and _CORRELATION_ID.match(given) else uuid.uuid4().hex


def bearer_token(request: Request) -> str | None:
    value = header(request, "authorization")
    if not value or not value.lower().startswith("bearer "):
        return None
    token = value[7:].strip()
    return token or None


def answers_errors(route: Callable[..., Response]) -> Callable[..., Response]:
    """Turn the domain's and the request reader's errors into the contract's error body."""

    @functools.wraps(route)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return route(*args, **kwargs)
        except HttpError as error:
            return error_response(error.status, error.code, error.message, error.field, error.headers)
        except ValidationError as error:
            return error_response(400, error.code, error.message, error.field)
        except Exception as error:
            answer = _domain_refusal(error)
            if answer is None:
                raise
            return answer

    return wrapper


def _domain_refusal(error: Exception) -> Response | None:
    """The contract's answer to a domain error; None for any other. The domain's modules are
    imported here, not at the top: a module that raised is loaded already, and `import app`
    (every cold start) stays without the ones no route has touched yet."""
    from chalicelib.domain.desk import DeskTransitionError
    from chalicelib.domain.repositories import StaleTicket
    from chalicelib.domain.satisfaction import AlreadyAnswered, NotResolved
    from chalicelib.domain.submission import IdempotencyConflict

    if isinstance(error, IdempotencyConflict):
        return error_response(422, "idempotency_key_reused", str(error), "Idempotency-Key")
    if isinstance(error, DeskTransitionError):
        return error_response(409, "invalid_transition", str(error))
    if isinstance(error, AlreadyAnswered):
        return error_response(409, "already_rated", "this resolution has been rated already")
    if isinstance(error, NotResolved):
        return error_response(409, "not_resolved", "only a resolved ticket can be rated")
    if isinstance(error, StaleTicket):
        # A conditional write lost: somebody changed the ticket since it was read.
        return error_response(409, "conflict", "the ticket changed meanwhile; read it again and retry")
    return None
