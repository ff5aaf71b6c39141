"""Holes an outside probe of the local stack found (issue 9, first list), each reproduced here
first: an agent reading tickets before they reach a desk, text the store cannot hold, names
echoed back unescaped, and a clock moved past the end of time."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain.agent_tokens import Agent, mint_agent_token
from chalicelib.domain.ticket import utc_now
from tests.pipeline.conftest import create_ticket, get_ticket, post_raw, stored_ticket, stored_ticket_ids

SECRET = "test-stage-agent-token-secret"
GERMAN = {"description": "Ich wurde zweimal belastet", "requester": {"country": "DE"}}


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


def agent_token(regions: tuple[str, ...]) -> str:
    expires = int((utc_now() + timedelta(hours=8)).timestamp())
    return mint_agent_token(Agent("probe", regions, ("en",), expires), SECRET)


def send(api: Any, method: str, path: str, body: bytes, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    answer = getattr(api.http, method)(path, headers=headers, body=body)
    return answer.status_code, json.loads(answer.body) if answer.body else None


# --- an agent and a ticket not yet on any desk ------------------------------------------


@pytest.mark.parametrize("regions", [("apac",), ("emea",), ("global",)])
def test_no_agent_reads_a_ticket_before_it_reaches_a_desk(api, regions):
    # Given a German ticket just taken in (not routed yet: no worker has run)
    created = create_ticket(api, GERMAN)

    # When an agent of any region, even the one it will reach, asks for it
    answer = get_ticket(api, created["ticket_id"], agent_token(regions))

    # Then it is as unknown to them as a ticket that does not exist
    assert answer.status == 404 and answer.body["error"]["code"] == "not_found"


def test_no_agent_replies_to_a_ticket_before_it_reaches_a_desk(api):
    created = create_ticket(api, GERMAN)
    reply = json.dumps({"text": "Hello from apac"}).encode()

    status, body = send(api, "post", f"/tickets/{created['ticket_id']}/replies", reply, agent_token(("apac",)))

    assert status == 404 and body["error"]["code"] == "not_found"
    assert stored_ticket(created["ticket_id"]).version == 1  # nothing written


def test_once_routed_the_regions_agent_reads_it_and_others_still_do_not(api, pipeline):
    created = create_ticket(api, GERMAN)
    pipeline.drain()
    assert get_ticket(api, created["ticket_id"], agent_token(("emea",))).status == 200
    assert get_ticket(api, created["ticket_id"], agent_token(("global",))).status == 200
    assert get_ticket(api, created["ticket_id"], agent_token(("apac",))).status == 404


# --- text the store cannot hold, and names echoed back ----------------------------------


@pytest.mark.parametrize("note", ["\\ud800", "before\\u0000after"])
def test_a_desk_note_with_half_an_emoji_or_nul_is_refused_and_nothing_is_written(api, pipeline, note):
    # Given a routed ticket an emea agent may change
    created = create_ticket(api, GERMAN)
    pipeline.drain()
    before = stored_ticket(created["ticket_id"])

    # When the note carries a lone surrogate or a NUL (raw JSON escapes, as a client would send)
    status, body = send(
        api,
        "post",
        f"/tickets/{created['ticket_id']}/resolve",
        f'{{"note": "{note}"}}'.encode(),
        agent_token(("emea",)),
    )

    # Then 400 names the field, and the ticket is untouched
    assert status == 400 and body["error"]["code"] == "invalid_characters" and body["error"]["field"] == "note"
    assert stored_ticket(created["ticket_id"]) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"description": "hola", "\\ud800": 1}', "\\ud800"),
        (b'{"description": "hola", "requester": {"\\udfff\\u0007": "x"}}', "requester.\\udfff\\u0007"),
    ],
)
def test_an_unknown_field_whose_name_cannot_be_written_is_named_escaped(api, body, field):
    # When the unknown field's name is half an emoji (or a control character)
    answer = post_raw(api, body)

    # Then the answer is a well-formed 400 that names it escaped, and nothing is stored
    assert answer.status == 400, answer.body
    assert answer.body["error"]["code"] == "unknown_field" and answer.body["error"]["field"] == field
    assert stored_ticket_ids() == []


@pytest.mark.parametrize("language", ["日本", "ßß", "e1"])
def test_a_message_language_must_be_two_ascii_letters(api, pipeline, language):
    created = create_ticket(api, GERMAN)
    message = json.dumps({"text": "Noch etwas", "language": language}).encode()

    status, body = send(api, "post", f"/tickets/{created['ticket_id']}/messages", message, created["access_token"])

    assert status == 400 and body["error"]["code"] == "invalid_language" and body["error"]["field"] == "language"


# --- the local stage's clock ------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [b'{"advance_hours": 1e308}', b'{"advance_seconds": 1e300}', b'{"to": "9999-12-31T00:00:00Z"}']
)
def test_the_dev_clock_refuses_to_move_past_the_last_date_it_can_show(api, body):
    status, answer = send(api, "post", "/dev/clock", body)
    assert status == 400 and answer["error"]["code"] == "invalid_value"
    # And the clock still works
    assert send(api, "get", "/dev/clock", b"")[0] == 200


# --- answers the document did not list ----------------------------------------------------

AGENT_ROUTES = [
    ("post", "/tickets/{id}/replies", b'{"text": "hi"}'),
    ("post", "/tickets/{id}/resolve", b""),
    ("get", "/desk/emea/tickets", None),
    ("post", "/desk/emea/claim", b""),
]


def documented(api: Any, method: str, path: str) -> set[str]:
    document = json.loads(api.http.get("/openapi.json").body)
    template = path.replace("{id}", "{ticket_id}").replace("/emea/", "/{region}/")
    return set(document["paths"][template][method]["responses"])


@pytest.mark.parametrize(("method", "path", "body"), AGENT_ROUTES)
def test_an_agent_route_refuses_a_requesters_token_as_documented(api, method, path, body):
    # Given a requester's own access token
    created = create_ticket(api, GERMAN)
    concrete = path.replace("{id}", created["ticket_id"])

    # When it is used on an agent route, and when no token is sent at all
    headers = {"Authorization": f"Bearer {created['access_token']}", "Content-Type": "application/json"}
    denied = getattr(api.http, method)(concrete, headers=headers, **({"body": body} if body is not None else {}))
    anonymous = getattr(api.http, method)(concrete, headers={"Content-Type": "application/json"})

    # Then the authorizer answers 403 and 401, and the document lists both for that route
    assert (denied.status_code, anonymous.status_code) == (403, 401)
    assert {"401", "403"} <= documented(api, method, path)


@pytest.mark.parametrize(
    ("path", "token_of"), [("/tickets/{id}/messages", "requester"), ("/tickets/{id}/replies", "agent")]
)
def test_an_oversized_message_is_a_documented_413(api, pipeline, path, token_of):
    created = create_ticket(api, GERMAN)
    pipeline.drain()
    token = created["access_token"] if token_of == "requester" else agent_token(("emea",))
    huge = json.dumps({"text": "a" * 70_000}).encode()

    status, body = send(api, "post", path.replace("{id}", created["ticket_id"]), huge, token)

    assert status == 413 and body["error"]["code"] == "payload_too_large"
    assert "413" in documented(api, "post", path)


def test_a_desk_change_with_a_body_that_is_not_json_is_a_documented_400(api, pipeline):
    created = create_ticket(api, GERMAN)
    pipeline.drain()
    status, body = send(api, "post", f"/tickets/{created['ticket_id']}/resolve", b"{note", agent_token(("emea",)))
    assert status == 400 and body["error"]["code"] == "invalid_json"
    assert "400" in documented(api, "post", "/tickets/{id}/resolve")
