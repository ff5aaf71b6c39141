"""The local stack `make run` serves (devstack.LocalStack: chalice.local over real HTTP, the
pollers, an embedded moto server), started once for the fuzzing tests, and the callers they
fuzz it as: nobody, a requester (the token of a ticket they created) and an agent."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from devstack.stack import LocalStack

ROUTE_WAIT_SECONDS = 15.0
GERMAN = {
    "subject": "Doppelte Abbuchung",
    "description": "Ich wurde zweimal für dieselbe Bestellung belastet und habe keine Rückerstattung erhalten.",
    "category": "payment.charged_twice",
    "requester": {"id": "u-881", "locale": "de-DE", "country": "DE", "email": "kunde@example.com"},
}


@dataclass(frozen=True)
class Caller:
    """Who the fuzzer is, and the ids that caller's requests reach something real with."""

    name: str
    authorization: str | None  # the Authorization header, None: none
    path_ids: dict[str, str]  # path parameter -> an id that exists


@pytest.fixture(scope="package")
def stack() -> Iterator[LocalStack]:
    with LocalStack(port=0, honour_env_endpoint=False, log_level="ERROR", sweep_interval_seconds=5.0) as local:
        local.wait_until_healthy()
        yield local


def call(stack: LocalStack, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(f"{stack.base_url}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def routed_ticket(stack: LocalStack) -> dict[str, Any]:
    """A ticket created over HTTP, once the pollers have put it on a desk."""
    status, created = call(stack, "POST", "/tickets", GERMAN)
    assert status == 201, created
    deadline = time.monotonic() + ROUTE_WAIT_SECONDS
    while time.monotonic() < deadline:
        status, view = call(stack, "GET", f"/tickets/{created['ticket_id']}", token=created["access_token"])
        if status == 200 and view["status"] == "routed":
            return created
        time.sleep(0.1)
    raise AssertionError(f"not routed within {ROUTE_WAIT_SECONDS:g} s")


def agent_token(regions: tuple[str, ...] = ("global",)) -> str:
    """Minted as `python -m chalicelib.cli agent-token` does, with the running stage's secret."""
    from chalicelib.composition_root import dependencies
    from chalicelib.domain.agent_tokens import Agent, mint_agent_token

    secret = dependencies().agent_token_secret
    assert secret is not None
    return mint_agent_token(Agent("fuzzer", regions, ("en", "de"), int(time.time()) + 3600), secret)


@pytest.fixture(scope="package")
def callers(stack: LocalStack) -> dict[str, Caller]:
    # A requester with a routed ticket and an upload granted; an agent of every region, with an
    # incident of their own.
    created = routed_ticket(stack)
    agent = agent_token()
    status, incident = call(
        stack, "POST", "/incidents", {"title": "Payments down", "description": "Cards fail", "regions": ["emea"]}, agent
    )
    assert status == 201, incident
    status, evidence = call(
        stack,
        "POST",
        f"/tickets/{created['ticket_id']}/evidence",
        {"filename": "screen.png", "content_type": "image/png", "size": 2048},
        created["access_token"],
    )
    assert status == 201, evidence
    ids = {
        "ticket_id": created["ticket_id"],
        "incident_id": incident["incident_id"],
        "evidence_id": evidence["evidence_id"],
    }
    return {
        "nobody": Caller("nobody", None, ids),
        "requester": Caller("requester", f"Bearer {created['access_token']}", ids),
        "agent": Caller("agent", f"Bearer {agent}", ids),
    }
