"""Tokens with a lifetime and a way out (issue 9): the requester's token expires a while after
the resolution and can be rotated by its holder; agent tokens live a shift and can be revoked,
one by id or every one of an agent, and the API refuses them within its cache's time."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.composition_root import dependencies, override_dependencies
from chalicelib.domain.agent_tokens import Agent, mint_agent_token
from chalicelib.domain.requester_links import link_token
from chalicelib.domain.ticket import utc_now
from tests.pipeline.conftest import create_ticket, get_ticket, with_settings

SECRET = "test-stage-agent-token-secret"
GERMAN = {"description": "Ich wurde zweimal belastet", "requester": {"country": "DE", "email": "kim@example.de"}}


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


def agent_token(name: str = "lea", hours: float = 8, issued_hours_ago: float = 0, token_id: str = "") -> str:
    now = utc_now()
    agent = Agent(
        name,
        ("emea",),
        ("en",),
        int((now + timedelta(hours=hours)).timestamp()),
        token_id=token_id,
        issued_at=int((now - timedelta(hours=issued_hours_ago)).timestamp()),
    )
    return mint_agent_token(agent, SECRET)


def call(api: Any, method: str, path: str, token: str, payload: Any = None) -> tuple[int, Any, dict[str, str]]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    answer = getattr(api.http, method)(path, headers=headers, body=json.dumps(payload) if payload is not None else "")
    return answer.status_code, json.loads(answer.body) if answer.body else None, answer.headers


def resolved_ticket(api: Any, pipeline: Any) -> dict[str, Any]:
    created = create_ticket(api, GERMAN)
    pipeline.drain()
    status, _, _ = call(api, "post", f"/tickets/{created['ticket_id']}/resolve", agent_token())
    assert status == 200
    return created


def later(days: float) -> None:
    moment = utc_now() + timedelta(days=days)
    override_dependencies(clock=lambda: moment)


# --- the requester's token ---------------------------------------------------------------


def test_the_requesters_token_and_link_expire_thirty_days_after_the_resolution(api, pipeline):
    # Given a ticket its desk resolved
    created = resolved_ticket(api, pipeline)
    ticket_id, token = created["ticket_id"], created["access_token"]
    link = link_token(SECRET, ticket_id)

    # When 29 days have passed, the token and the notification's link still open it
    later(29)
    assert get_ticket(api, ticket_id, token).status == 200
    assert get_ticket(api, ticket_id, link).status == 200

    # When 31 days have passed, neither does: the same 404 as an unknown ticket
    later(31)
    for stale in (token, link):
        answer = get_ticket(api, ticket_id, stale)
        assert answer.status == 404 and answer.body["error"]["code"] == "not_found"
    # And the desk still reads it
    assert get_ticket(api, ticket_id, agent_token()).status == 200


def test_the_lifetime_after_resolution_is_configurable_and_an_open_ticket_never_expires(api, pipeline):
    created = create_ticket(api, GERMAN)
    pipeline.drain()
    with_settings(
        safeguards=dataclasses.replace(
            dependencies().settings.safeguards, requester_token_after_resolution_seconds=3600
        )
    )
    later(400)  # an unresolved ticket: its token lives on
    assert get_ticket(api, created["ticket_id"], created["access_token"]).status == 200


def test_a_reopened_ticket_opens_again_for_its_requester(api, pipeline):
    created = resolved_ticket(api, pipeline)
    status, _, _ = call(api, "post", f"/tickets/{created['ticket_id']}/reopen", agent_token())
    assert status == 200
    later(60)
    assert get_ticket(api, created["ticket_id"], created["access_token"]).status == 200


def test_the_holder_rotates_their_token_and_the_old_one_stops_working(api):
    # Given a ticket and its requester's token
    created = create_ticket(api, GERMAN)
    ticket_id, old = created["ticket_id"], created["access_token"]

    # When they rotate it
    status, body, headers = call(api, "post", f"/tickets/{ticket_id}/access-token", old)

    # Then they get a new token, the new one opens the ticket and the old one no longer does
    assert status == 201 and body["ticket_id"] == ticket_id and body["access_token"] != old
    assert headers.get("Cache-Control") == "no-store"
    assert get_ticket(api, ticket_id, body["access_token"]).status == 200
    assert get_ticket(api, ticket_id, old).status == 404
    # And rotating with the old one fails like an unknown ticket; the new one rotates again
    assert call(api, "post", f"/tickets/{ticket_id}/access-token", old)[0] == 404
    again = call(api, "post", f"/tickets/{ticket_id}/access-token", body["access_token"])
    assert again[0] == 201 and get_ticket(api, ticket_id, again[1]["access_token"]).status == 200


def test_only_the_access_token_rotates_not_a_link_or_an_agent(api, pipeline):
    created = create_ticket(api, GERMAN)
    pipeline.drain()
    ticket_id = created["ticket_id"]
    for token in (link_token(SECRET, ticket_id), agent_token(), "not-a-token"):
        status, body, _ = call(api, "post", f"/tickets/{ticket_id}/access-token", token)
        assert status == 404 and body["error"]["code"] == "not_found"
    assert get_ticket(api, ticket_id, created["access_token"]).status == 200


# --- agent tokens ------------------------------------------------------------------------


def test_an_agent_token_longer_than_a_shift_is_refused(api, pipeline):
    created = create_ticket(api, GERMAN)
    pipeline.drain()
    assert get_ticket(api, created["ticket_id"], agent_token(hours=11)).status == 200
    assert get_ticket(api, created["ticket_id"], agent_token(hours=13)).status == 404
    # API Gateway's authorizer turns it away from the desk's routes (403, as for any bad token)
    status, _, _ = call(api, "get", "/desk/emea/tickets", agent_token(hours=13))
    assert status == 403


def run_cli(*argv: str) -> int:
    from chalicelib.cli.__main__ import main

    return main(["agent-token", *argv])


def test_revoking_an_agent_refuses_every_token_issued_until_then_within_the_cache_time(api, pipeline, capsys):
    # Given a routed ticket and two of lea's tokens (one minted a minute ago), and bob's
    created = create_ticket(api, GERMAN)
    pipeline.drain()
    path = f"/tickets/{created['ticket_id']}"
    leas = [agent_token("lea", issued_hours_ago=1 / 60), agent_token("lea")]
    bobs = agent_token("bob")
    assert all(get_ticket(api, created["ticket_id"], token).status == 200 for token in [*leas, bobs])

    # When an operator revokes lea (and the API's cache has run out)
    assert run_cli("revoke", "--agent", "lea", "--stage", "test") == 0
    assert "revoked every token of lea" in capsys.readouterr().out
    dependencies().identify_agent._cache.clear()

    # Then both of lea's tokens are refused on every route, and bob's still works
    for token in leas:
        assert get_ticket(api, created["ticket_id"], token).status == 404
        assert call(api, "post", f"{path}/replies", token, {"text": "Hallo"})[0] == 403
    assert get_ticket(api, created["ticket_id"], bobs).status == 200


def test_the_api_remembers_a_revocation_check_for_at_most_its_cache_time(api, pipeline):
    created = create_ticket(api, GERMAN)
    pipeline.drain()
    token = agent_token("lea")
    assert get_ticket(api, created["ticket_id"], token).status == 200  # checked, remembered
    dependencies().revoke_agent_tokens.every_token_of("lea")
    # Within the cache's time the remembered answer may still hold; past it, never
    gate = dependencies().identify_agent
    assert gate.cache_seconds <= 60
    for key, (revocation, fetched) in list(gate._cache.items()):
        gate._cache[key] = (revocation, fetched - gate.cache_seconds - 1)
    assert get_ticket(api, created["ticket_id"], token).status == 404


def test_revoking_one_token_by_id_leaves_the_agents_other_tokens(api, pipeline, capsys):
    created = create_ticket(api, GERMAN)
    pipeline.drain()
    leaked, other = agent_token("lea", token_id="leaked-token-01"), agent_token("lea", token_id="other-token-002")

    assert run_cli("revoke", "--token-id", "leaked-token-01", "--stage", "test") == 0

    assert get_ticket(api, created["ticket_id"], leaked).status == 404
    assert get_ticket(api, created["ticket_id"], other).status == 200


def test_revoke_needs_exactly_one_target(capsys):
    assert run_cli("revoke", "--stage", "test") == 2
    assert run_cli("revoke", "--agent", "lea", "--token-id", "abc12345", "--stage", "test") == 2
    assert "exactly one" in capsys.readouterr().err


def test_minting_prints_the_token_and_its_id_and_caps_the_lifetime_at_a_shift(aws, capsys):
    assert run_cli("--agent", "lea", "--regions", "emea", "--stage", "test") == 0
    captured = capsys.readouterr()
    assert captured.out.count(".") == 1 and "token id:" in captured.err
    assert run_cli("--agent", "lea", "--regions", "emea", "--hours", "13", "--stage", "test") == 2


# --- timing ------------------------------------------------------------------------------------


def test_every_not_found_takes_at_least_the_floor_whether_the_ticket_exists_or_not(api):
    # Given a floor of 80 ms and a ticket that exists
    with_settings(safeguards=dataclasses.replace(dependencies().settings.safeguards, not_found_floor_seconds=0.08))
    created = create_ticket(api, GERMAN)
    from chalicelib.domain.ids import new_ticket_id

    # When a wrong token asks for it, and for an id nobody has
    for ticket_id in (created["ticket_id"], new_ticket_id()):
        began = time.monotonic()
        answer = get_ticket(api, ticket_id, "a-wrong-token-of-some-length")
        # Then both are the same 404, neither sooner than the floor
        assert answer.status == 404 and time.monotonic() - began >= 0.08
    # And the requester's own read is not held back by it
    assert get_ticket(api, created["ticket_id"], created["access_token"]).status == 200


def test_api_gateway_keeps_the_authorizers_answer_short_enough_for_a_revocation_to_bite_within_a_minute():
    import app

    (authorizer,) = [item for item in app.app.builtin_auth_handlers if item.name == "agent_authorizer"]
    ceiling = 60  # API Gateway's cache, plus the revocation cache at its default
    assert authorizer.ttl_seconds + dependencies().settings.safeguards.revocation_cache_seconds <= ceiling
