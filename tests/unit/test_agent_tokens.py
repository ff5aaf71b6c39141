"""Agent tokens: signed, scoped to regions, short-lived."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.agent_tokens import Agent, InvalidAgentToken, mint_agent_token, verify_agent_token

SECRET = "a-secret-of-sufficient-length"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def agent(hours: float = 8, regions: tuple[str, ...] = ("emea", "apac")) -> Agent:
    return Agent("ana", regions, ("en", "es"), int((NOW + timedelta(hours=hours)).timestamp()))


def test_a_minted_token_verifies_to_the_same_agent() -> None:
    assert verify_agent_token(mint_agent_token(agent(), SECRET), SECRET, NOW) == agent()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        lambda token: mint_agent_token(agent(regions=("na",)), SECRET).split(".")[0] + "." + token.split(".")[1],
        lambda token: token.replace(".", ""),
        lambda token: "",
    ],
    ids=["signature", "claims swapped", "no separator", "empty"],
)
def test_a_tampered_token_is_refused(tamper) -> None:
    with pytest.raises(InvalidAgentToken):
        verify_agent_token(tamper(mint_agent_token(agent(), SECRET)), SECRET, NOW)


def test_another_stages_secret_does_not_verify() -> None:
    with pytest.raises(InvalidAgentToken):
        verify_agent_token(mint_agent_token(agent(), SECRET), "another-secret-of-sufficient-length", NOW)


def test_an_expired_token_or_one_living_too_long_is_refused() -> None:
    with pytest.raises(InvalidAgentToken, match="expired"):
        verify_agent_token(mint_agent_token(agent(hours=-0.1), SECRET), SECRET, NOW)
    with pytest.raises(InvalidAgentToken, match="too long"):
        verify_agent_token(mint_agent_token(agent(hours=24 * 30), SECRET), SECRET, NOW)


def test_an_agent_works_only_their_regions_unless_global() -> None:
    assert agent().works("emea") and not agent().works("latam") and not agent().works(None)
    assert agent(regions=("global",)).works("latam")


def test_unknown_regions_and_short_secrets_are_refused_at_minting() -> None:
    with pytest.raises(ValueError):
        mint_agent_token(agent(regions=("mars",)), SECRET)
    with pytest.raises(ValueError):
        mint_agent_token(agent(), "short")
