"""The safeguards' settings (issue 9): token lifetimes, revocation, request budgets, the 404
floor and the organisation's identity provider. Part of `Settings` (settings.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chalicelib.settings_values import SettingsError, _bool, _number, _url


@dataclass(frozen=True)
class IdentityProvider:
    """An organisation's OIDC issuer (a Cognito user pool or any other) whose ID or access tokens
    the agent routes accept beside the desk's own: verified against its JWKS; the agent's regions
    and languages come from claims, or from groups named `<group_prefix><region>`."""

    issuer: str  # OIDC_ISSUER, e.g. https://cognito-idp.<region>.amazonaws.com/<pool id>
    jwks_url: str  # OIDC_JWKS_URL; default <issuer>/.well-known/jwks.json
    audience: str | None = None  # OIDC_AUDIENCE: the app client id (checked against aud / client_id)
    regions_claim: str = "custom:regions"  # OIDC_REGIONS_CLAIM: "emea,apac" or a list
    languages_claim: str = "custom:languages"  # OIDC_LANGUAGES_CLAIM
    groups_claim: str = "cognito:groups"  # OIDC_GROUPS_CLAIM
    group_prefix: str = "desk-"  # OIDC_GROUP_PREFIX: group desk-emea grants the emea desk


@dataclass(frozen=True)
class SafeguardSettings:
    """Token lifetimes, revocation and request budgets (issue 9)."""

    # A requester's token stops opening their ticket this long after it is resolved.
    requester_token_after_resolution_seconds: float = 30 * 86400.0  # REQUESTER_TOKEN_DAYS_AFTER_RESOLUTION
    agent_token_max_seconds: float = 12 * 3600.0  # AGENT_TOKEN_MAX_HOURS: a shift (at most 168)
    # How long an API process trusts what it read about revocations (at most 60 s).
    revocation_cache_seconds: float = 30.0  # AGENT_REVOCATION_CACHE_SECONDS
    rate_limits: bool = True  # RATE_LIMITS=off turns the per-requester and per-IP budgets off
    # Every "no such ticket" takes at least this long, so that timing does not tell an unknown id
    # from somebody else's ticket (NOT_FOUND_FLOOR_MS; 0 turns it off).
    not_found_floor_seconds: float = 0.03
    identity_provider: IdentityProvider | None = None


def _safeguard_settings(env: Mapping[str, str]) -> SafeguardSettings:
    agent_hours = _number(env, "AGENT_TOKEN_MAX_HOURS", 12, 0.25)
    if agent_hours > 168:
        raise SettingsError(f"AGENT_TOKEN_MAX_HOURS must be at most 168 (7 days), got {agent_hours}")
    cache = _number(env, "AGENT_REVOCATION_CACHE_SECONDS", 30, 0)
    if cache > 60:
        raise SettingsError(f"AGENT_REVOCATION_CACHE_SECONDS must be at most 60, got {cache}")
    return SafeguardSettings(
        requester_token_after_resolution_seconds=_number(env, "REQUESTER_TOKEN_DAYS_AFTER_RESOLUTION", 30, 0) * 86400,
        agent_token_max_seconds=agent_hours * 3600,
        revocation_cache_seconds=cache,
        rate_limits=_bool(env, "RATE_LIMITS", True),
        not_found_floor_seconds=_number(env, "NOT_FOUND_FLOOR_MS", 30, 0) / 1000,
        identity_provider=_identity_provider(env),
    )


def _identity_provider(env: Mapping[str, str]) -> IdentityProvider | None:
    issuer = _url(env, "OIDC_ISSUER")
    if issuer is None:
        return None
    issuer = issuer.rstrip("/")

    def text(name: str, default: str) -> str:
        return (env.get(name) or "").strip() or default

    return IdentityProvider(
        issuer=issuer,
        jwks_url=_url(env, "OIDC_JWKS_URL") or f"{issuer}/.well-known/jwks.json",
        audience=(env.get("OIDC_AUDIENCE") or "").strip() or None,
        regions_claim=text("OIDC_REGIONS_CLAIM", "custom:regions"),
        languages_claim=text("OIDC_LANGUAGES_CLAIM", "custom:languages"),
        groups_claim=text("OIDC_GROUPS_CLAIM", "cognito:groups"),
        group_prefix=text("OIDC_GROUP_PREFIX", "desk-"),
    )
