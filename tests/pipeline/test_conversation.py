"""The two-way conversation: requester messages reach agents in English, agent replies reach the
requester in their language, and nothing personal reaches the translation provider."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.composition_root import dependencies
from chalicelib.domain.agent_tokens import Agent, mint_agent_token
from chalicelib.domain.ticket import utc_now
from tests.pipeline.conftest import (
    create_ticket,
    get_ticket,
    move_clock_past_sweep_window,
    openapi_validator,
    routed_ticket,
    view,
    with_settings,
)

SECRET = "test-stage-agent-token-secret"
SPANISH = {
    "description": "Me cobraron dos veces el pedido y no recibí nada, necesito ayuda urgente.",
    "category": "payment.charged_twice",
    "requester": {"id": "u-1", "country": "MX", "locale": "es-MX"},
}


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


def agent_token(
    name: str = "ana", regions: tuple[str, ...] = ("latam",), hours: float = 8, languages: tuple[str, ...] = ("en",)
) -> str:
    expires = int((utc_now() + timedelta(hours=hours)).timestamp())
    return mint_agent_token(Agent(name, regions, languages, expires), SECRET)


def post(api: Any, path: str, token: str, payload: Any) -> tuple[int, Any]:
    answer = api.http.post(
        path,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        body=json.dumps(payload, ensure_ascii=False),
    )
    return answer.status_code, json.loads(answer.body) if answer.body else None


def routed_spanish_ticket(api: Any, pipeline: Any) -> dict[str, Any]:
    return routed_ticket(api, pipeline, SPANISH)


def test_a_requester_message_reaches_agents_in_english_without_the_personal_data(api, pipeline, google_fake):
    # Given a routed Spanish ticket
    created = routed_spanish_ticket(api, pipeline)
    google_fake.received.clear()

    # When the requester adds a message with an e-mail address and a card number
    status, body = post(
        api,
        f"/tickets/{created['ticket_id']}/messages",
        created["access_token"],
        {"text": "¿Alguna novedad? Escríbanme a maria.lopez@correo.mx, la tarjeta 4111 1111 1111 1111."},
    )
    assert status == 201 and body["translation"] == {"status": "pending", "target": "en"}
    pipeline.drain()

    # Then an agent of the region reads it in English, with the values restored
    agent_view = get_ticket(api, created["ticket_id"], agent_token()).body
    message = agent_view["messages"][0]
    assert message["author"] == "requester" and message["translated"] is True
    assert message["text"].startswith("[en] ")
    assert "maria.lopez@correo.mx" in message["text"] and "4111 1111 1111 1111" in message["text"]
    assert message["original"]["language"] == "es"
    # And the provider never saw either value
    sent = " ".join(request.text for request in google_fake.received)
    assert "maria.lopez" not in sent and "4111" not in sent


def test_an_agent_reply_reaches_the_requester_in_spanish_with_the_original_kept(api, pipeline, google_fake):
    created = routed_spanish_ticket(api, pipeline)

    # When an agent replies in English
    status, body = post(api, f"/tickets/{created['ticket_id']}/replies", agent_token(), {"text": "We refunded you."})
    assert status == 201 and body["translation"]["target"] == "es"
    pipeline.drain()

    # Then the requester reads it in Spanish, and can see what the agent wrote
    message = view(api, created)["messages"][0]
    assert message == {
        "message_id": body["message_id"],
        "author": "agent",
        "created_at": body["created_at"],
        "text": "[es] We refunded you.",
        "language": "es",
        "translated": True,
        "translation_status": "done",
        "original": {"text": "We refunded you.", "language": "en"},
    }


def test_an_undeclared_reply_is_detected_not_taken_from_the_agents_token(api, pipeline, google_fake):
    # Given a Spanish requester, and an agent whose token lists Spanish first, then English
    created = routed_spanish_ticket(api, pipeline)
    bilingual = agent_token(languages=("es", "en"))

    # When the agent replies in English without saying so
    post(api, f"/tickets/{created['ticket_id']}/replies", bilingual, {"text": "We refunded the second charge today."})
    pipeline.drain()

    # Then the reply is known as English and reaches the requester translated into Spanish
    message = view(api, created)["messages"][0]
    assert message["original"]["language"] == "en"
    assert (message["translated"], message["language"]) == (True, "es")
    assert message["text"] == "[es] We refunded the second charge today."


def test_a_reply_the_agent_declares_keeps_its_declared_language(api, pipeline, google_fake):
    created = routed_spanish_ticket(api, pipeline)
    declared = {"text": "Le devolvimos el segundo cargo.", "language": "es"}
    post(api, f"/tickets/{created['ticket_id']}/replies", agent_token(languages=("en",)), declared)
    pipeline.drain()

    # Then it is taken as Spanish and needs no translation for a Spanish requester
    message = view(api, created)["messages"][0]
    assert message["original"]["language"] == "es" and message["translation_status"] == "skipped"


def test_a_reply_that_could_not_be_translated_is_never_shown_as_translated(api, pipeline, google_fake):
    created = routed_spanish_ticket(api, pipeline)

    # Given the provider is down when an agent replies
    google_fake.mode = "error"
    post(api, f"/tickets/{created['ticket_id']}/replies", agent_token(), {"text": "We refunded you."})
    pipeline.drain()

    # Then the requester sees the original, marked as not translated
    message = view(api, created)["messages"][0]
    assert (message["text"], message["translated"], message["translation_status"]) == (
        "We refunded you.",
        False,
        "pending",
    )

    # When the provider is back and the sweeper has run
    google_fake.mode = "ok"
    with_settings(breaker_cooldown_seconds=0.01)
    move_clock_past_sweep_window()
    dependencies().sweep()
    pipeline.drain()

    # Then the reply arrives in Spanish
    message = view(api, created)["messages"][0]
    assert (message["text"], message["translated"]) == ("[es] We refunded you.", True)


def test_replies_need_a_valid_agent_token_of_the_tickets_region(api, pipeline, google_fake):
    created = routed_spanish_ticket(api, pipeline)
    path = f"/tickets/{created['ticket_id']}/replies"

    # The requester's own token, a forged or expired agent token: refused before the handler
    assert post(api, path, created["access_token"], {"text": "hola"})[0] in (401, 403)
    assert post(api, path, agent_token()[:-2] + "xx", {"text": "hola"})[0] in (401, 403)
    assert post(api, path, agent_token(hours=-1), {"text": "hola"})[0] in (401, 403)
    # An agent of another region gets the same 404 as for an unknown ticket
    status, body = post(api, path, agent_token(regions=("emea",)), {"text": "hola"})
    assert (status, body["error"]["code"]) == (404, "not_found")
    # And nothing was stored
    assert view(api, created)["messages"] == []


def test_requesters_cannot_post_to_someone_elses_ticket(api, pipeline, google_fake):
    mine = routed_spanish_ticket(api, pipeline)
    theirs = routed_spanish_ticket(api, pipeline)
    status, body = post(api, f"/tickets/{theirs['ticket_id']}/messages", mine["access_token"], {"text": "hola"})
    assert (status, body["error"]["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "text"), ({"text": "  "}, "text"), ({"text": "x" * 10_001}, "text"), ({"text": "hi", "x": 1}, "x")],
)
def test_a_bad_message_is_a_400_and_stores_nothing(api, pipeline, google_fake, payload, field):
    created = routed_spanish_ticket(api, pipeline)
    status, body = post(api, f"/tickets/{created['ticket_id']}/messages", created["access_token"], payload)
    assert (status, body["error"]["field"]) == (400, field)
    assert view(api, created)["messages"] == []


def test_a_pending_ticket_translation_is_completed_once_the_provider_is_back(api, pipeline, google_fake):
    # Given a ticket routed untranslated during an outage
    google_fake.mode = "error"
    created = create_ticket(api, SPANISH)
    pipeline.drain()
    assert view(api, created)["translation"]["status"] == "pending"

    # When the provider is back and the sweeper has run
    google_fake.mode = "ok"
    with_settings(breaker_cooldown_seconds=0.01)
    move_clock_past_sweep_window()
    dependencies().sweep()
    pipeline.drain()

    # Then agents get the translation, and the ticket stays routed
    answer = view(api, created)
    assert answer["status"] == "routed"
    assert answer["translation"]["status"] == "done"
    assert answer["translation"]["description"].startswith("[en] ")


def test_the_cli_mints_a_token_the_api_accepts(api, pipeline, google_fake):
    # Given a token minted by the operator command with the stage's secret
    created = routed_spanish_ticket(api, pipeline)
    minted = subprocess.run(
        [sys.executable, "-m", "chalicelib.cli", "agent-token", "--agent", "luis", "--regions", "latam"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "APP_STAGE": "test"},
    ).stdout.strip()
    # Then the agent can read the ticket and reply
    assert get_ticket(api, created["ticket_id"], minted).status == 200
    assert post(api, f"/tickets/{created['ticket_id']}/replies", minted, {"text": "On it."})[0] == 201


def test_both_views_of_a_conversation_match_the_published_schema(api, pipeline, google_fake):
    # Given a ticket with a requester message and an agent reply, both translated
    created = routed_spanish_ticket(api, pipeline)
    post(api, f"/tickets/{created['ticket_id']}/messages", created["access_token"], {"text": "¿Alguna novedad?"})
    _, accepted = post(api, f"/tickets/{created['ticket_id']}/replies", agent_token(), {"text": "Refunded."})
    pipeline.drain()
    document = json.loads(api.http.get("/openapi.json").body)
    # Then the 201 answer, the requester's view and the agent's view all validate
    openapi_validator(document, "MessageAccepted").validate(accepted)
    ticket_schema = openapi_validator(document, "Ticket")
    requester = view(api, created)
    agent = get_ticket(api, created["ticket_id"], agent_token()).body
    ticket_schema.validate(requester)
    ticket_schema.validate(agent)
    assert [message["author"] for message in requester["messages"]] == ["requester", "agent"]
    assert [message["translated"] for message in agent["messages"]] == [True, False]
