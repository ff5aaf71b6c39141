"""A local OpenID Connect issuer: a JWKS at /.well-known/jwks.json and the tokens it signs (RS256,
like a Cognito user pool). Its keys are made fresh for each server; `rotate()` adds a new key and
signs with it from then on, as a pool does when it rotates."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.fakes.http_fake import Answer, FakeProvider, Recorded, serving


def _key() -> tuple[str, rsa.RSAPrivateKey]:
    return uuid.uuid4().hex[:12], rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeIssuer(FakeProvider):
    keys: list[tuple[str, rsa.RSAPrivateKey]] = field(default_factory=lambda: [_key()])

    @property
    def issuer(self) -> str:
        return self.url

    def rotate(self) -> None:
        self.keys.append(_key())

    def answer(self, request: Recorded) -> Answer:
        if request.path != "/.well-known/jwks.json":
            return Answer(404, {"error": "not found"})
        jwks = []
        for kid, private in self.keys:
            public = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
            jwks.append({**public, "kid": kid, "use": "sig", "alg": "RS256"})
        return Answer(200, {"keys": jwks})

    def token(self, lifetime: float = 3600, issuer: str | None = None, **claims: Any) -> str:
        kid, private = self.keys[-1]
        now = int(time.time())
        body = {
            "iss": issuer or self.issuer,
            "sub": str(uuid.uuid4()),
            "iat": now,
            "exp": now + int(lifetime),
            "token_use": "id",
            "jti": uuid.uuid4().hex,
            **claims,
        }
        return jwt.encode(body, private, algorithm="RS256", headers={"kid": kid})


@contextmanager
def issuer_server() -> Iterator[FakeIssuer]:
    with serving(FakeIssuer()) as fake:
        yield fake
