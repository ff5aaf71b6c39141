"""The local stage's clock moves forward on request, for demos of deadlines and escalation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from chalicelib.domain.agent_tokens import Agent, mint_agent_token
from chalicelib.domain.clock import movable_clock
from chalicelib.domain.ticket import parse_iso, utc_now
from tests.pipeline.conftest import create_ticket


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


@pytest.fixture(autouse=True)
def real_time_after() -> Iterator[None]:
    yield
    movable_clock.reset()


def move(api, body: dict) -> tuple[int, dict]:
    answer = api.http.post("/dev/clock", headers={"Content-Type": "application/json"}, body=json.dumps(body))
    return answer.status_code, json.loads(answer.body)


def test_moving_the_clock_moves_what_the_desk_stamps(api, pipeline):
    # Given the local stage's clock moved 30 hours ahead
    status, state = move(api, {"advance_hours": 30})
    assert status == 200 and state["offset_seconds"] == 30 * 3600
    # When a ticket is posted
    created = create_ticket(api, {"description": "Mi pedido no llegó", "requester": {"country": "MX"}})
    # Then it is stamped in the moved time, as every worker and deadline will see it
    assert parse_iso(created["created_at"]) - utc_now() > timedelta(hours=29)
    assert json.loads(api.http.get("/dev/clock").body)["offset_seconds"] == 30 * 3600


@pytest.mark.parametrize(
    "body",
    [{"advance_hours": -1}, {"to": "2001-01-01T00:00:00Z"}, {"advance_hours": "soon"}, {"fast": 1}, {}],
)
def test_the_clock_never_goes_back_and_bad_requests_are_refused(api, body):
    status, answer = move(api, body)
    if "to" in body:
        # moving "to" the past is a no-op: the clock stays where it is
        assert status == 200 and answer["offset_seconds"] == 0
    else:
        assert status == 400 and "error" in answer


def test_reset_returns_to_real_time(api):
    move(api, {"advance_seconds": 600})
    status, state = move(api, {"reset": True})
    assert status == 200 and state["offset_seconds"] == 0


def test_moving_the_clock_does_not_expire_agent_tokens(api, pipeline):
    # Given a fresh 12-hour agent token and the desk's clock moved three days on
    expires = int((utc_now() + timedelta(hours=12)).timestamp())
    token = mint_agent_token(Agent("ana", ("latam",), ("es",), expires), "test-stage-agent-token-secret")
    move(api, {"advance_hours": 72})
    # Then the token still opens the desk: expiry is checked against real time
    answer = api.http.get("/desk/latam/tickets?state=open", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
