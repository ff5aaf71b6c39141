"""What every route needs of the contract before any model: the body's size limit and the
contract's 400. No pydantic here, so that a route answers its errors (and `import app`) without
loading the models."""

from __future__ import annotations

MAX_BODY_BYTES = 64 * 1024  # checked on the raw body, before parsing (api/http.py)


class ValidationError(ValueError):
    """Bad input from the caller; the API answers 400 with this code, message and field."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
