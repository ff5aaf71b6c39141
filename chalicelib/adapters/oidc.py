"""Agent tokens from the organisation's identity provider: JWTs (a Cognito user pool's ID or
access tokens, or any OIDC issuer's), verified against the issuer's JWKS with PyJWT.

Checked: the signature (RS256/ES256 only, so a token cannot pick `none` or an HMAC keyed with the
public key), `iss`, `exp` (and `nbf`, `iat`), the audience (`aud`, or Cognito access tokens'
`client_id`) when one is configured. The agent's desks come from a claim ("emea,apac" or a list)
or from groups named `<prefix><region>`; a token naming no desk is refused.
"""

from __future__ import annotations

import hashlib
from typing import Any

import jwt

from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.catalog import REGIONS
from chalicelib.observability import logger
from chalicelib.safeguard_settings import IdentityProvider

ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384"]
_NAME_CLAIMS = ("cognito:username", "username", "preferred_username", "email", "sub")


class OidcAgentTokens:
    def __init__(self, provider: IdentityProvider, jwks: jwt.PyJWKClient | None = None) -> None:
        self.provider = provider
        # The key set is fetched on first use and kept 5 minutes; an unknown `kid` (a rotated key)
        # refetches it, at most every 30 s.
        self._jwks = jwks or jwt.PyJWKClient(provider.jwks_url, lifespan=300, timeout=3)

    def __call__(self, token: str) -> Agent | None:
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                issuer=self.provider.issuer,
                options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": False},
                leeway=60,
            )
        except (jwt.PyJWTError, ValueError) as error:
            logger.info("identity provider token refused", extra={"reason": type(error).__name__})
            return None
        if not self._audience_matches(claims):
            return None
        return self._agent(claims, token)

    def _audience_matches(self, claims: dict[str, Any]) -> bool:
        wanted = self.provider.audience
        if wanted is None:
            return True
        audience = claims.get("aud", claims.get("client_id"))
        return wanted in (audience if isinstance(audience, list) else [audience])

    def _agent(self, claims: dict[str, Any], token: str) -> Agent | None:
        regions = _listed(claims.get(self.provider.regions_claim))
        prefix = self.provider.group_prefix
        regions += [
            group[len(prefix) :]
            for group in _listed(claims.get(self.provider.groups_claim))
            if group.startswith(prefix)
        ]
        regions = [region for region in dict.fromkeys(regions) if region in REGIONS]
        name = next((str(claims[claim]) for claim in _NAME_CLAIMS if claims.get(claim)), "")
        if not regions or not name:
            return None
        languages = [language.lower() for language in _listed(claims.get(self.provider.languages_claim))] or ["en"]
        # Revocation names a token by its `jti` (Cognito access tokens carry one); else by a hash.
        token_id = str(claims.get("jti") or claims.get("origin_jti") or hashlib.sha256(token.encode()).hexdigest()[:32])
        return Agent(
            name=name[:64],
            regions=tuple(regions),
            languages=tuple(languages),
            expires_at=int(claims["exp"]),
            token_id=token_id,
            issued_at=int(claims["iat"]),
        )


def _listed(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.replace(" ", ",").split(",") if part.strip()]
    if isinstance(value, list):
        return [str(part).strip() for part in value if str(part).strip()]
    return []
