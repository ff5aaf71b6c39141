"""POST /tickets/{id}/replies/preview: an agent sees what the requester will read before sending,
through the same detection, masking, glossary, cache and provider chain as a real reply, and
nothing is stored."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain.agent_tokens import Agent, mint_agent_token
from chalicelib.domain.ticket import utc_now
from tests.pipeline.conftest import (
    create_ticket,
    get_ticket,
    openapi_validator,
    queue_depth,
    table_items,
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


def post(api: Any, path: str, token: str | None, payload: Any) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    answer = api.http.post(path, headers=headers, body=json.dumps(payload, ensure_ascii=False))
    return answer.status_code, json.loads(answer.body) if answer.body else None


def preview(api: Any, ticket_id: str, payload: Any, token: str | None = None) -> tuple[int, Any]:
    return post(api, f"/tickets/{ticket_id}/replies/preview", token or agent_token(), payload)


def routed_spanish_ticket(api: Any, pipeline: Any) -> dict[str, Any]:
    created = create_ticket(api, SPANISH)
    pipeline.drain()
    assert view(api, created)["status"] == "routed"
    return created


def stored_state() -> list[dict[str, Any]]:
    """Every item of the table except the translation cache's, which a preview may fill."""
    return sorted(
        (item for item in table_items() if not item["pk"].startswith("TRCACHE#")),
        key=lambda item: (item["pk"], item["sk"]),
    )


def test_the_preview_shows_the_reply_as_the_requester_will_read_it(api, pipeline, google_fake):
    # Given a routed Spanish ticket
    created = routed_spanish_ticket(api, pipeline)

    # When an agent previews an English reply
    status, body = preview(api, created["ticket_id"], {"text": "We refunded the second charge today."})

    # Then they see its detected language and the Spanish the requester will read, in the documented shape
    assert status == 200
    assert body["language"] == "en" and 0.5 <= body["confidence"] <= 1
    assert {key: body[key] for key in ("target", "status", "text", "provider")} == {
        "target": "es",
        "status": "done",
        "text": "[es] We refunded the second charge today.",
        "provider": "google",
    }
    document = json.loads(api.http.get("/openapi.json").body)
    openapi_validator(document, "ReplyPreview").validate(body)


def test_the_preview_stores_nothing_and_sends_nothing(api, pipeline, google_fake):
    # Given a routed ticket, nothing queued
    created = routed_spanish_ticket(api, pipeline)
    before = stored_state()

    # When an agent previews a reply twice
    for _ in range(2):
        assert preview(api, created["ticket_id"], {"text": "We refunded you."})[0] == 200

    # Then no message, no desk change (no first response), no claim check for the translate worker
    assert stored_state() == before
    assert queue_depth("translate") == 0
    agent_view = get_ticket(api, created["ticket_id"], agent_token()).body
    assert agent_view["messages"] == [] and agent_view["desk"]["first_responded_at"] is None


def test_the_provider_is_called_through_the_cache_so_sending_afterwards_costs_nothing(api, pipeline, google_fake):
    # Given a routed ticket, and the provider's requests counted from here
    created = routed_spanish_ticket(api, pipeline)
    google_fake.received.clear()

    # When the agent previews the same reply twice, then sends it
    for _ in range(2):
        assert preview(api, created["ticket_id"], {"text": "We refunded you."})[1]["status"] == "done"
    assert post(api, f"/tickets/{created['ticket_id']}/replies", agent_token(), {"text": "We refunded you."})[0] == 201
    pipeline.drain()

    # Then the provider translated it once: the second preview and the real reply were cache hits
    assert [(request.source, request.target) for request in google_fake.received] == [("en", "es")]
    assert any(item["pk"].startswith("TRCACHE#") for item in table_items())
    # And the requester reads what the preview showed
    assert view(api, created)["messages"][0]["text"] == "[es] We refunded you."


def test_personal_data_is_masked_for_the_provider_and_restored_in_the_preview(api, pipeline, google_fake):
    created = routed_spanish_ticket(api, pipeline)
    google_fake.received.clear()

    # When the draft carries an e-mail address
    text = "Write to refunds@shop.example and we will sort it out."
    status, body = preview(api, created["ticket_id"], {"text": text})

    # Then the preview has it restored, and the provider never saw it
    assert status == 200 and body["text"] == f"[es] {text}"
    assert all("refunds@shop.example" not in request.text for request in google_fake.received)


def test_a_reply_already_in_the_requesters_language_is_skipped(api, pipeline, google_fake):
    created = routed_spanish_ticket(api, pipeline)
    google_fake.received.clear()

    # When the agent declares the draft Spanish
    status, body = preview(api, created["ticket_id"], {"text": "Le devolvimos el dinero.", "language": "es"})

    # Then nothing is translated and the requester would read it as written
    assert status == 200
    assert body == {
        "language": "es",
        "confidence": 1.0,
        "target": "es",
        "status": "skipped",
        "text": None,
        "provider": None,
    }
    assert google_fake.received == []


def test_a_provider_outage_previews_as_pending_with_the_reason(api, pipeline, google_fake):
    created = routed_spanish_ticket(api, pipeline)

    # When the provider is down
    google_fake.mode = "error"
    with_settings(translate_retries=0)
    status, body = preview(api, created["ticket_id"], {"text": "We refunded you."})

    # Then the agent is told the reply would go out untranslated for now
    assert status == 200
    assert (body["status"], body["text"], body["target"]) == ("pending", None, "es")
    assert "google" in body["reason"]


def test_preview_needs_a_valid_agent_token_of_the_tickets_region_like_replies(api, pipeline, google_fake):
    created = routed_spanish_ticket(api, pipeline)
    ticket_id = created["ticket_id"]
    payload = {"text": "hola"}

    # No token, the requester's own, a forged or an expired agent token: refused before the handler
    assert post(api, f"/tickets/{ticket_id}/replies/preview", None, payload)[0] == 401
    for token in (created["access_token"], agent_token()[:-2] + "xx", agent_token(hours=-1)):
        assert preview(api, ticket_id, payload, token=token)[0] in (401, 403)
    # An agent of another region, an unknown id or a malformed id: the same 404
    unknown = ticket_id[:-1] + ("0" if ticket_id[-1] != "0" else "1")
    for path_id, token in ((ticket_id, agent_token(regions=("emea",))), (unknown, None), ("nope", None)):
        status, body = preview(api, path_id, payload, token=token)
        assert (status, body["error"]["code"]) == (404, "not_found")


def test_a_ticket_not_on_a_desk_yet_is_not_found(api, pipeline, google_fake):
    # Given a ticket nobody has routed
    created = create_ticket(api, SPANISH)

    # Then an agent cannot preview a reply to it, as they cannot reply
    status, body = preview(api, created["ticket_id"], {"text": "hola"}, token=agent_token(regions=("global",)))
    assert (status, body["error"]["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "text"), ({"text": "  "}, "text"), ({"text": "x" * 10_001}, "text"), ({"text": "hi", "x": 1}, "x")],
)
def test_a_bad_draft_is_a_400(api, pipeline, google_fake, payload, field):
    created = routed_spanish_ticket(api, pipeline)
    status, body = preview(api, created["ticket_id"], payload)
    assert (status, body["error"]["field"]) == (400, field)


def test_an_invalid_declared_language_is_a_400(api, pipeline, google_fake):
    created = routed_spanish_ticket(api, pipeline)
    status, body = preview(api, created["ticket_id"], {"text": "hi", "language": "english"})
    assert (status, body["error"]["field"]) == (400, "language")
