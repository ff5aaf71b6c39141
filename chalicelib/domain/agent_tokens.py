"""Signed agent tokens: who the agent is, which regions they work and which languages they read.

A token is `<claims>.<signature>`, both base64url: the claims are JSON, the signature is
HMAC-SHA256 over the encoded claims with the stage's secret. Stateless, so the API's authorizer
checks it without a database read; short-lived, so a leaked token expires on its own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.catalog import REGIONS

_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
MAX_LIFETIME = timedelta(days=7)


class InvalidAgentToken(ValueError):
    """Malformed, wrongly signed or expired."""


@dataclass(frozen=True)
class Agent:
    name: str
    regions: tuple[str, ...]
    languages: tuple[str, ...]  # the languages the agent reads and writes, first = their own
    expires_at: int  # epoch seconds

    @property
    def language(self) -> str | None:
        return self.languages[0] if self.languages else None

    def works(self, region: str | None) -> bool:
        return region is not None and (region in self.regions or "global" in self.regions)


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
    }
    payload = _encode(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_sign(payload, secret)}"


def verify_agent_token(token: str, secret: str, now: datetime) -> Agent:
    try:
        payload, signature = token.split(".")
    except ValueError:
        raise InvalidAgentToken("not an agent token") from None
    if not hmac.compare_digest(signature, _sign(payload, secret)):
        raise InvalidAgentToken("bad signature")
    try:
        claims = json.loads(_decode(payload))
        agent = Agent(
            name=str(claims["sub"]),
            regions=tuple(str(region) for region in claims["regions"]),
            languages=tuple(str(language) for language in claims.get("languages", [])),
            expires_at=int(claims["exp"]),
        )
    except (ValueError, KeyError, TypeError):
        raise InvalidAgentToken("unreadable claims") from None
    if agent.expires_at <= now.timestamp():
        raise InvalidAgentToken("expired")
    if agent.expires_at > (now + MAX_LIFETIME).timestamp() + 60:
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
