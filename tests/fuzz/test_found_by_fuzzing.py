"""What schemathesis found against the local stack, each reproduced over real HTTP: text a token
never has is refused like a wrong token instead of crashing the comparison (500); a null in an
incident's categories is refused instead of narrowing the incident to "other" tickets."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from devstack.stack import LocalStack
from tests.fuzz.conftest import agent_token, call, routed_ticket

pytestmark = pytest.mark.slow


def raw_call(stack: LocalStack, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, Any]:
    """A request whose headers http.client sends as Latin-1, as a browser or curl may."""
    parts = urlsplit(stack.base_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    connection.request(method, path, body=body or None, headers={"Content-Type": "application/json", **headers})
    answer = connection.getresponse()
    return answer.status, json.loads(answer.read() or b"null")


@pytest.fixture(scope="module")
def resolved(stack: LocalStack) -> dict[str, Any]:
    """A routed ticket an agent has resolved: its survey can be rated."""
    created = routed_ticket(stack)
    status, body = call(stack, "POST", f"/tickets/{created['ticket_id']}/resolve", {}, agent_token())
    assert status == 200, body
    return created


@pytest.mark.parametrize(
    "token", ["caf\xe9", "lt_caf\xe9", "x.\xe9", "\xe9.\xe9"], ids=["text", "link-token", "agent-token", "dotted"]
)
def test_a_token_with_text_no_token_has_is_the_same_404_as_a_wrong_one(stack: LocalStack, resolved, token: str):
    # When a requester's route is called with a bearer token no token of ours could be (it was a 500)
    path = f"/tickets/{resolved['ticket_id']}"
    status, body = raw_call(stack, "GET", path, {"Authorization": f"Bearer {token}"})

    # Then it is the answer a wrong token gets
    assert (status, body) == raw_call(stack, "GET", path, {"Authorization": "Bearer wrong"})
    assert status == 404


def test_the_authorizer_denies_an_agent_token_with_text_no_token_has(stack: LocalStack, resolved):
    # When an agent route is called with such a token (the authorizer raised: a 500)
    status, body = raw_call(stack, "GET", "/desk/emea/tickets", {"Authorization": "Bearer x.\xe9"})

    # Then API Gateway's authorizer denies it, as any other bad token
    assert status == 403
    assert body == {"Message": "User is not authorized to access this resource"}


def test_a_survey_token_with_text_no_token_has_is_not_found(stack: LocalStack, resolved):
    # When the resolved ticket is rated with such a survey token (found as a 500 by schemathesis)
    survey_token = quote("caf\xe9")
    path = f"/tickets/{resolved['ticket_id']}/satisfaction?survey_token={survey_token}"
    status, body = raw_call(stack, "POST", path, {}, b'{"rating": 2}')

    # Then it is the 404 of a wrong survey token, and nothing is recorded
    assert (status, body["error"]["code"]) == (404, "not_found")
    assert call(stack, "GET", f"/tickets/{resolved['ticket_id']}", token=resolved["access_token"])[0] == 200


def test_a_null_among_an_incidents_categories_is_refused(stack: LocalStack):
    # When an agent opens an incident with a null category (it was stored as "other")
    incident = {"title": "Payments down", "description": "Cards fail", "categories": ["payment.failed", None]}
    status, body = call(stack, "POST", "/incidents", incident, agent_token())

    # Then it is refused, naming the item
    assert status == 400
    assert body["error"] == {
        "code": "invalid_value",
        "message": "categories[1] must be a category",
        "field": "categories[1]",
    }
