"""Agent tokens: signed, scoped to regions, living a shift, revocable by id or by agent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.agent_tokens import (
    Agent,
    InvalidAgentToken,
    Revocation,
    _encode,
    _sign,
    is_revoked,
    mint_agent_token,
    verify_agent_token,
)

SECRET = "a-secret-of-sufficient-length"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def agent(hours: float = 8, regions: tuple[str, ...] = ("emea", "apac"), issued: datetime = NOW) -> Agent:
    expires = int((NOW + timedelta(hours=hours)).timestamp())
    return Agent("ana", regions, ("en", "es"), expires, token_id="tok-ana-0001", issued_at=int(issued.timestamp()))


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


def test_a_token_lives_at_most_the_stages_shift() -> None:
    # Given a stage whose shift is 12 hours
    shift = timedelta(hours=12)
    # Then an 8-hour token passes and a 13-hour one is refused, however it was minted
    assert verify_agent_token(mint_agent_token(agent(hours=8), SECRET), SECRET, NOW, shift) == agent(hours=8)
    with pytest.raises(InvalidAgentToken, match="too long"):
        verify_agent_token(mint_agent_token(agent(hours=13), SECRET), SECRET, NOW, shift)
    # And one issued long ago and expiring in an hour still lived longer than a shift
    old = agent(hours=1, issued=NOW - timedelta(hours=12))
    with pytest.raises(InvalidAgentToken, match="too long"):
        verify_agent_token(mint_agent_token(old, SECRET), SECRET, NOW, shift)


def test_a_token_without_an_id_or_issued_in_the_future_is_refused() -> None:
    # Given the claims of a token minted before tokens carried ids (nothing could revoke it)
    claims = b'{"exp":%d,"languages":["en"],"regions":["emea"],"sub":"ana"}' % int(NOW.timestamp() + 3600)
    payload = _encode(claims)
    with pytest.raises(InvalidAgentToken):
        verify_agent_token(f"{payload}.{_sign(payload, SECRET)}", SECRET, NOW)
    # And a token whose issue time is ahead of the clock
    with pytest.raises(InvalidAgentToken, match="future"):
        verify_agent_token(mint_agent_token(agent(issued=NOW + timedelta(minutes=5)), SECRET), SECRET, NOW)


def test_revocation_covers_one_token_or_every_token_of_the_agent_issued_until_the_cutoff() -> None:
    ana = agent()
    assert not is_revoked(ana, Revocation())
    assert is_revoked(ana, Revocation(token_revoked=True))
    assert is_revoked(ana, Revocation(agent_issued_before=ana.issued_at))
    # A token minted after the cutoff (a new shift) works
    assert not is_revoked(ana, Revocation(agent_issued_before=ana.issued_at - 1))
