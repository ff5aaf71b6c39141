"""Agents from the organisation's identity provider (issue 9): in a stage configured with an
OIDC issuer (a Cognito user pool or any other), the agent routes accept its JWTs, verified
against its JWKS (a local issuer here), with desks from a claim or from groups."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import jwt
import pytest

from chalicelib.composition_root import dependencies
from chalicelib.safeguard_settings import IdentityProvider
from tests.fakes.oidc_issuer import FakeIssuer, issuer_server
from tests.pipeline.conftest import create_ticket, get_ticket, with_settings

GERMAN = {"description": "Ich wurde zweimal belastet", "requester": {"country": "DE"}}
CLIENT_ID = "desk-console-client"


@pytest.fixture(scope="module")
def issuer_process() -> Iterator[FakeIssuer]:
    with issuer_server() as fake:
        yield fake


@pytest.fixture
def issuer(aws: None, issuer_process: FakeIssuer) -> FakeIssuer:
    """The stage trusts the local issuer (JWKS at its /.well-known/jwks.json)."""
    issuer_process.reset()
    provider = IdentityProvider(
        issuer=issuer_process.issuer, jwks_url=f"{issuer_process.issuer}/.well-known/jwks.json", audience=CLIENT_ID
    )
    safeguards = dataclasses.replace(dependencies().settings.safeguards, identity_provider=provider)
    with_settings(safeguards=safeguards)
    return issuer_process


@pytest.fixture
def routed(api: Any, pipeline: Any) -> str:
    created = create_ticket(api, GERMAN)
    pipeline.drain()
    return created["ticket_id"]


def desk(api: Any, token: str) -> int:
    return api.http.get("/desk/emea/tickets", headers={"Authorization": f"Bearer {token}"}).status_code


def test_an_agent_of_the_organisation_works_their_desk_with_the_providers_token(api, issuer, routed):
    # Given an ID token of the organisation's pool naming the emea desk by group
    token = issuer.token(**{"cognito:username": "lea", "cognito:groups": ["desk-emea", "staff"], "aud": CLIENT_ID})

    # When lea calls the desk's routes and reads the ticket with it
    # Then she is lea of emea, writing English by default
    assert desk(api, token) == 200
    answer = get_ticket(api, routed, token)
    assert answer.status == 200
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    reply = api.http.post(f"/tickets/{routed}/replies", headers=headers, body=json.dumps({"text": "On it."}))
    assert reply.status_code == 201, reply.body
    # And claiming the next ticket puts it in her name
    claimed = api.http.post("/desk/emea/claim", headers=headers, body="")
    assert claimed.status_code == 200 and json.loads(claimed.body)["desk"]["assignee"] == "lea"


def test_regions_and_languages_may_come_from_claims(api, issuer, routed):
    token = issuer.token(
        email="kai@example.org", aud=CLIENT_ID, **{"custom:regions": "emea,apac", "custom:languages": "de,en"}
    )
    assert desk(api, token) == 200 and get_ticket(api, routed, token).status == 200


@pytest.mark.parametrize(
    "forge",
    [
        lambda issuer: issuer.token(aud="another-app", **{"cognito:groups": ["desk-emea"]}),
        lambda issuer: issuer.token(aud=CLIENT_ID, issuer="https://evil.example", **{"cognito:groups": ["desk-emea"]}),
        lambda issuer: issuer.token(aud=CLIENT_ID, lifetime=-120, **{"cognito:groups": ["desk-emea"]}),
        lambda issuer: issuer.token(aud=CLIENT_ID, **{"cognito:groups": ["staff"]}),  # no desk
        lambda issuer: jwt.encode(
            {
                "iss": issuer.issuer,
                "sub": "x",
                "aud": CLIENT_ID,
                "iat": 1,
                "exp": 4102444800,
                "cognito:groups": ["desk-emea"],
            },
            "a-shared-secret-nobody-should-trust",
            algorithm="HS256",
        ),
        lambda issuer: issuer.token(aud=CLIENT_ID, **{"cognito:groups": ["desk-emea"]})[:-4] + "AAAA",
    ],
    ids=["other audience", "other issuer", "expired", "no desk", "hmac with a guessed key", "bad signature"],
)
def test_tokens_the_provider_did_not_issue_for_this_desk_are_refused(api, issuer, routed, forge):
    token = forge(issuer)
    assert desk(api, token) == 403
    assert get_ticket(api, routed, token).status == 404


def test_a_rotated_signing_key_is_picked_up(api, issuer, routed):
    issuer.rotate()
    token = issuer.token(aud=CLIENT_ID, **{"cognito:username": "lea", "cognito:groups": ["desk-emea"]})
    assert desk(api, token) == 200


def test_revoking_the_agent_refuses_their_provider_tokens_too(api, issuer, routed):
    token = issuer.token(aud=CLIENT_ID, **{"cognito:username": "lea", "cognito:groups": ["desk-emea"]})
    assert desk(api, token) == 200
    dependencies().revoke_agent_tokens.every_token_of("lea")
    dependencies().identify_agent._cache.clear()
    assert desk(api, token) == 403


def test_without_a_configured_issuer_provider_tokens_open_nothing(api, aws, issuer_process, routed):
    token = issuer_process.token(aud=CLIENT_ID, **{"cognito:username": "lea", "cognito:groups": ["desk-emea"]})
    assert desk(api, token) == 403
