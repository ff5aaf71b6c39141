"""Ticket ids and requester access tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

# Crockford's base32: no I, L, O, U, so ids read back unambiguously over the phone.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ticket_id(now_ms: int | None = None) -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, 26 characters.

    Ids sort by creation time (lexicographically) and cannot be guessed from a neighbour's id.
    """
    millis = int(time.time() * 1000) if now_ms is None else now_ms
    value = (millis << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def is_ticket_id(candidate: str) -> bool:
    return len(candidate) == 26 and all(char in _CROCKFORD for char in candidate)


def new_access_token() -> str:
    """256 random bits, URL-safe; shown to the requester once and stored only as a hash."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), stored_hash)


def seal_token(token: str, idempotency_key: str) -> str:
    """Encrypt `token` so that only a caller holding `idempotency_key` can read it back.

    A replayed POST must return the same access token, yet the table keeps no token in clear:
    the idempotency record holds the token XOR a pad derived from the client's key (itself
    stored only as a hash).
    """
    raw = token.encode("ascii")
    pad = _pad(idempotency_key, len(raw))
    return bytes(a ^ b for a, b in zip(raw, pad, strict=True)).hex()


def unseal_token(sealed: str, idempotency_key: str) -> str:
    raw = bytes.fromhex(sealed)
    pad = _pad(idempotency_key, len(raw))
    return bytes(a ^ b for a, b in zip(raw, pad, strict=True)).decode("ascii")


def _pad(key: str, length: int) -> bytes:
    return hashlib.shake_256(b"polyglot-desk/access-token/" + key.encode("utf-8")).digest(length)


def idempotency_record_key(idempotency_key: str, scope: str | None = None) -> str:
    """The record's key: the client's key within the requester's scope (their id or e-mail), so
    that two requesters who pick the same key never meet (anonymous requesters share one scope)."""
    scoped = f"{scope or 'anonymous'}\n{idempotency_key}"
    return hashlib.sha256(b"polyglot-desk/idempotency/" + scoped.encode("utf-8")).hexdigest()
