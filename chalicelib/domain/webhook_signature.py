"""The signature on every webhook the desk sends, and how a receiver checks it.

`Polyglot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, the scheme
Stripe made familiar: the timestamp is inside the signed text, so a captured delivery replayed
later fails the tolerance check, and the body cannot be changed without the key.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Polyglot-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value for `body` sent at `timestamp` (unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(
    secret: str, header: str | None, body: bytes, now: float, tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS
) -> bool:
    """True when `header` signs exactly `body` with `secret` and was made within the tolerance
    (either side of `now`: clocks drift). Any malformed header is simply not valid."""
    if not header:
        return False
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        fields.setdefault(name, []).append(value)
    try:
        timestamp = int(fields.get("t", [""])[0])
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance_seconds:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    # Several v1 values are allowed while a key is being rotated.
    return any(hmac.compare_digest(expected, candidate) for candidate in fields.get("v1", []))
