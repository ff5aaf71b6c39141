"""Signed agent tokens: who the agent is, which regions they work and which languages they read.

A token is `<claims>.<signature>`, both base64url: the claims are JSON, the signature is
HMAC-SHA256 over the encoded claims with the stage's secret. The signature is checked without a
database read; a token lives one shift (12 h by default, at most 7 days) and carries an id (`jti`)
and its issue time (`iat`), so an operator can revoke one token, or every token of an agent issued
until now (`is_revoked`, over what `AgentRevocations` stores).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.catalog import REGIONS

_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
MAX_LIFETIME = timedelta(days=7)  # the ceiling; a stage's own (AGENT_TOKEN_MAX_HOURS) is a shift
SHIFT = timedelta(hours=12)
_TOKEN_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class InvalidAgentToken(ValueError):
    """Malformed, wrongly signed or expired."""


@dataclass(frozen=True)
class Agent:
    name: str
    regions: tuple[str, ...]
    languages: tuple[str, ...]  # the languages the agent reads and writes, first = their own
    expires_at: int  # epoch seconds
    token_id: str = ""  # `jti`: what `agent-token revoke --token-id` names; minted when empty
    issued_at: int = 0  # `iat`, epoch seconds; the mint time when 0

    @property
    def language(self) -> str | None:
        return self.languages[0] if self.languages else None

    def works(self, region: str | None) -> bool:
        return region is not None and (region in self.regions or "global" in self.regions)


@dataclass(frozen=True)
class Revocation:
    """What the store says about an agent and one of their tokens."""

    agent_issued_before: int | None = None  # every token of the agent issued before this is revoked
    token_revoked: bool = False


def is_revoked(agent: Agent, revocation: Revocation) -> bool:
    cutoff = revocation.agent_issued_before
    return revocation.token_revoked or (cutoff is not None and agent.issued_at <= cutoff)


def new_token_id() -> str:
    return secrets.token_urlsafe(12)


def mint_agent_token(agent: Agent, secret: str) -> str:
    if not _NAME.match(agent.name):
        raise ValueError("agent names are 1-64 letters, digits, '.', '_', '@' or '-'")
    unknown = sorted(set(agent.regions) - set(REGIONS))
    if unknown or not agent.regions:
        raise ValueError(f"regions must be among {list(REGIONS)}; got {list(agent.regions)}")
    claims = {
        "sub": agent.name,
        "regions": list(agent.regions),
        "languages": list(agent.languages),
        "exp": agent.expires_at,
        "iat": agent.issued_at or int(time.time()),
        "jti": agent.token_id or new_token_id(),
    }
    payload = _encode(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_sign(payload, secret)}"


def verify_agent_token(token: str, secret: str, now: datetime, max_lifetime: timedelta = MAX_LIFETIME) -> Agent:
    """The agent a token names; InvalidAgentToken when it is forged, expired, lives longer than
    `max_lifetime` (the stage's shift) or has no id to revoke it by. Revocation is the caller's."""
    try:
        payload, signature = token.split(".")
    except ValueError:
        raise InvalidAgentToken("not an agent token") from None
    if not signature.isascii() or not hmac.compare_digest(signature, _sign(payload, secret)):
        raise InvalidAgentToken("bad signature")
    try:
        claims = json.loads(_decode(payload))
        agent = Agent(
            name=str(claims["sub"]),
            regions=tuple(str(region) for region in claims["regions"]),
            languages=tuple(str(language) for language in claims.get("languages", [])),
            expires_at=int(claims["exp"]),
            token_id=str(claims["jti"]),
            issued_at=int(claims["iat"]),
        )
    except (ValueError, KeyError, TypeError):
        # Tokens minted before ids existed land here too: nothing could revoke them.
        raise InvalidAgentToken("unreadable claims") from None
    if not _TOKEN_ID.match(agent.token_id):
        raise InvalidAgentToken("unreadable token id")
    if agent.expires_at <= now.timestamp():
        raise InvalidAgentToken("expired")
    if agent.issued_at > now.timestamp() + 60:
        raise InvalidAgentToken("issued in the future")
    lifetime = min(max_lifetime, MAX_LIFETIME).total_seconds() + 60  # a minute of clock skew
    if agent.expires_at > now.timestamp() + lifetime or agent.expires_at - agent.issued_at > lifetime:
        raise InvalidAgentToken("lifetime too long")
    return agent


def _sign(payload: str, secret: str) -> str:
    if len(secret) < 16:
        raise ValueError("the agent token secret must be at least 16 characters")
    digest = hmac.new(secret.encode(), b"polyglot-desk/agent/" + payload.encode(), hashlib.sha256).digest()
    return _encode(digest)


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
