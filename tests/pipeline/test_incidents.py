"""Incidents over HTTP and through the real incidents queue: agents open one, link the tickets
that report it, post updates; the fan-out worker tells every requester in their own language,
a page of tickets per message, asking the translation provider once per language."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib import aws_resource_names
from chalicelib.adapters.aws import client
from chalicelib.adapters.dynamodb.items import ticket_item
from chalicelib.composition_root import dependencies, override_dependencies
from chalicelib.domain.agent_tokens import Agent, mint_agent_token
from chalicelib.domain.notifications import NotificationType
from chalicelib.domain.ticket import DeskState, Language, Requester, Ticket, Translation, TranslationStatus, utc_now
from chalicelib.settings import NotificationSettings, get_settings
from devstack.poller import QueuePoller
from tests.integration.builders import received_ticket, routed
from tests.pipeline.conftest import (
    UnusablePublisher,
    get_ticket,
    openapi_validator,
    restore_real_publisher,
    send_raw,
    stored_ticket,
    table_items,
)

SECRET = "test-stage-agent-token-secret"
TEST_STAGE = "test"
LIVE = {
    "title": "LIVE streaming is down",
    "description": "Live streams freeze and fail to start with error LV-503 in Mexico and Brazil.",
    "regions": ["latam"],
    "categories": ["content"],
}
LANGUAGES = ("es", "pt", "de", "fr", "ja", "en")


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


@pytest.fixture
def fan_out_worker(chalice_app: Any) -> QueuePoller:
    """The incidents queue's consumer, driven like Lambda's event source mapping would."""
    from chalicelib.workers.incidents import fan_out_incident_updates

    name = aws_resource_names.queue_name(TEST_STAGE, aws_resource_names.INCIDENTS)
    return QueuePoller(client("sqs"), name, fan_out_incident_updates, "fan_out_incident_updates", wait_seconds=0)


def run_fan_out(worker: QueuePoller, max_rounds: int = 200) -> int:
    """Poll until the incidents queue is empty; how many pages were handled."""
    pages = 0
    for _ in range(max_rounds):
        result = worker.poll_once(wait_seconds=0)
        if result.received == 0:
            return pages
        assert result.failed == 0
        pages += result.received
    raise AssertionError("the fan-out did not settle")


def agent_token(name: str = "ana", regions: tuple[str, ...] = ("latam",)) -> str:
    expires = int((utc_now() + timedelta(hours=8)).timestamp())
    return mint_agent_token(Agent(name, regions, ("en",), expires), SECRET)


def call(api: Any, method: str, path: str, payload: Any = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token or agent_token()}", "Content-Type": "application/json"}
    body = json.dumps(payload, ensure_ascii=False) if payload is not None else ""
    answer = getattr(api.http, method)(path, headers=headers, body=body)
    return answer.status_code, json.loads(answer.body) if answer.body else None


def open_incident(api: Any, **changes: Any) -> str:
    status, body = call(api, "post", "/incidents", {**LIVE, **changes})
    assert status == 201, body
    return body["incident_id"]


def on_the_desk(
    language: str, at: datetime | None = None, category: str = "content.live", region: str = "latam", **changes: Any
) -> Ticket:
    """A ticket in `language` stored as the pipeline leaves it on `region`'s desk; its requester's
    access token is `token-<id>`."""
    (ticket,) = store_tickets([desk_ticket(language, at, category, region, **changes)])
    return ticket


def desk_ticket(
    language: str, at: datetime | None = None, category: str = "content.live", region: str = "latam", **changes: Any
) -> Ticket:
    moment = at or utc_now() - timedelta(minutes=5)
    requester = Requester(id="u", email="user@example.com", locale=f"{language}-MX", country="MX")
    ticket = received_ticket(
        moment, category=category, language=Language(language, 0.97, "text"), requester=requester, **changes
    )
    return routed(ticket, moment, region=region)


def store_tickets(tickets: list[Ticket]) -> list[Ticket]:
    """Write the tickets' items as the route worker leaves them, 25 a BatchWriteItem: hundreds of
    tickets in a moment (the pipeline that would route them is not what these tests are about)."""
    table = get_settings().table_name
    for start in range(0, len(tickets), 25):
        chunk = [
            {"PutRequest": {"Item": ticket_item(t, awaiting_notification=False)}} for t in tickets[start : start + 25]
        ]
        client("dynamodb").batch_write_item(RequestItems={table: chunk})
    return tickets


def link(api: Any, incident_id: str, tickets: list[Ticket], method: str = "post") -> dict[str, Any]:
    status, body = call(
        api, method, f"/incidents/{incident_id}/tickets", {"ticket_ids": [t.ticket_id for t in tickets]}
    )
    assert status == 200, body
    return body


def post_update(api: Any, incident_id: str, status: str, text: str) -> str:
    code, body = call(api, "post", f"/incidents/{incident_id}/updates", {"status": status, "text": text})
    assert code == 202 and body["status"] == status, body
    return body["update_id"]


def requester_view(api: Any, ticket: Ticket) -> dict[str, Any]:
    answer = get_ticket(api, ticket.ticket_id, f"token-{ticket.ticket_id}")
    assert answer.status == 200, answer.body
    return answer.body


# --- the fan-out ------------------------------------------------------------------------------------


def test_an_update_reaches_300_requesters_in_6_languages_asking_the_provider_once_per_language(
    api, google_fake, fan_out_worker
):
    # Given requesters notified by e-mail, and 300 linked tickets in six languages
    settings = dependencies().settings
    override_dependencies(
        settings=dataclasses.replace(settings, notifications=NotificationSettings(email_from="desk@example.com"))
    )
    incident_id = open_incident(api)
    tickets = store_tickets([desk_ticket(LANGUAGES[index % len(LANGUAGES)]) for index in range(300)])
    assert link(api, incident_id, tickets) == {"linked": 300, "skipped": []}
    google_fake.received.clear()

    # When an agent posts an update and the worker runs
    update_id = post_update(api, incident_id, "identified", "We found the cause and are fixing it.")
    pages = run_fan_out(fan_out_worker)

    # Then it ran in pages of 100, and the provider was asked about once per language (the
    # update and the title), not once per ticket
    assert pages == 3
    targets = [request.target for request in google_fake.received]
    assert sorted(set(targets)) == sorted(set(LANGUAGES) - {"en"}) and len(targets) <= 2 * 5
    # And every requester's conversation has the update (one scan reads them all), in their language
    messages = {item["ticket_id"]: item for item in table_items() if item["sk"].startswith("MSG#")}
    assert len(messages) == 300
    for ticket in tickets:
        message, language = messages[ticket.ticket_id], ticket.language.code  # type: ignore[union-attr]
        assert (message["message_id"], message["translation"]["target"]) == (update_id, language)
        expected = "We found the cause and are fixing it."
        assert message["translation"].get("text") == (None if language == "en" else f"[{language}] {expected}")
    # And each requester reads it in their language, and is notified in it
    for ticket in tickets[: len(LANGUAGES)]:
        language = ticket.language.code  # type: ignore[union-attr]
        (shown,) = requester_view(api, ticket)["messages"]
        assert shown["text"].startswith("We found" if language == "en" else f"[{language}] We found")
        (notification,) = dependencies().notifications.for_ticket(ticket.ticket_id)
        assert (notification.type, notification.language) == (NotificationType.INCIDENT_UPDATE, language)
        title = "LIVE streaming is down" if language == "en" else f"[{language}] LIVE streaming is down"
        assert notification.params["incident_title"] == title
    # And the incident tells agents how many tickets it reaches, and into which languages it went
    status, incident = call(api, "get", f"/incidents/{incident_id}")
    assert status == 200 and incident["linked_tickets"] == 300
    assert incident["updates"][-1]["translated_into"] == sorted(set(LANGUAGES) - {"en"})


def test_pages_follow_each_other_and_a_redelivered_page_is_harmless(api, fan_out_worker):
    # Given pages of four tickets and ten linked tickets
    override_dependencies(incident_fanout_page_size=4)
    incident_id = open_incident(api)
    tickets = [on_the_desk("es") for _ in range(10)]
    link(api, incident_id, tickets)

    # When an update fans out, and its first page is delivered once more afterwards
    update_id = post_update(api, incident_id, "monitoring", "A fix is out; we are watching.")
    assert run_fan_out(fan_out_worker) == 3
    first_page = {"type": "incident.update", "v": 1, "incident_id": incident_id, "update_id": update_id, "after": ""}
    send_raw(aws_resource_names.INCIDENTS, json.dumps(first_page))
    assert run_fan_out(fan_out_worker) == 3  # the chain runs again, changing nothing

    # Then every ticket has the update exactly once
    messages = dependencies().messages
    assert [len(messages.for_ticket(ticket.ticket_id)) for ticket in tickets] == [1] * 10


def test_resolving_the_incident_resolves_its_tickets_and_late_links_get_the_final_update(api, fan_out_worker):
    # Given an incident with two linked tickets, one claimed by an agent
    incident_id = open_incident(api)
    waiting_in_queue, claimed = on_the_desk("es"), on_the_desk("pt")
    link(api, incident_id, [waiting_in_queue, claimed])
    assert call(api, "post", "/desk/latam/claim")[0] == 200

    # When the incident is resolved
    final = post_update(api, incident_id, "resolved", "LIVE works again.")
    run_fan_out(fan_out_worker)

    # Then both tickets are resolved by the agent who posted it, with the update as the note
    for ticket in (waiting_in_queue, claimed):
        after = stored_ticket(ticket.ticket_id)
        assert after.desk.state is DeskState.RESOLVED
        assert (after.history[-1]["by"], after.history[-1]["note"]) == ("ana", "LIVE works again.")
    assert call(api, "get", "/incidents?status=resolved")[1]["incidents"][0]["incident_id"] == incident_id
    assert call(api, "get", "/incidents")[1]["incidents"] == []

    # And a ticket linked afterwards gets the final update at once, and is resolved too
    late = on_the_desk("de")
    assert link(api, incident_id, [late])["linked"] == 1
    run_fan_out(fan_out_worker)
    assert [message.message_id for message in dependencies().messages.for_ticket(late.ticket_id)] == [final]
    assert stored_ticket(late.ticket_id).desk.state is DeskState.RESOLVED


# --- linking and candidates -------------------------------------------------------------------------


def test_linking_skips_what_the_agent_cannot_link_and_unlinking_counts(api):
    incident_id = open_incident(api)
    other_id = open_incident(api, title="Payments are failing")
    mine, elsewhere, na = on_the_desk("es"), on_the_desk("es"), on_the_desk("en", region="na")
    link(api, other_id, [elsewhere])

    answer = link(api, incident_id, [mine, elsewhere, na, mine])

    assert answer == {
        "linked": 1,
        "skipped": [
            {"ticket_id": na.ticket_id, "reason": "not_found"},
            {"ticket_id": elsewhere.ticket_id, "reason": "linked_to_another_incident"},
        ],
    }
    assert link(api, incident_id, [mine]) == {"linked": 0, "skipped": []}
    assert link(api, incident_id, [mine, elsewhere], method="delete") == {"unlinked": 1}
    assert call(api, "get", f"/incidents/{incident_id}")[1]["linked_tickets"] == 0


def translated(language: str, english: str, category: str = "content.live") -> Ticket:
    translation = Translation(TranslationStatus.DONE, "en", "google", None, english)
    return on_the_desk(language, at=utc_now(), category=category, translation=translation, description=english)


def test_candidates_rank_reports_of_the_outage_above_unrelated_tickets_in_any_language(api):
    incident_id = open_incident(api, categories=[])
    payment = translated("pt", "My card payment failed twice", category="payment.failed")
    spanish = translated("es", "My LIVE freezes and shows error LV-503")
    german = translated("de", "LIVE streaming is broken, the live does not start")

    status, body = call(api, "get", f"/incidents/{incident_id}/candidates")

    assert status == 200
    ranked = [row["ticket_id"] for row in body["candidates"]]
    assert set(ranked[:2]) == {spanish.ticket_id, german.ticket_id} and ranked[2] == payment.ticket_id
    top = body["candidates"][0]
    assert (top["region"], top["category"]) == ("latam", "content.live") and top["score"] > 0


# --- who may do what, and bad requests -----------------------------------------------------------------


def openapi(api: Any) -> dict[str, Any]:
    return api.http.get("/openapi.json").json_body


def test_agents_of_another_region_get_the_404_of_an_unknown_incident(api):
    incident_id = open_incident(api)
    na = agent_token("nadia", ("na",))
    paths = [
        ("get", f"/incidents/{incident_id}", None),
        ("get", f"/incidents/{incident_id}/candidates", None),
        ("post", f"/incidents/{incident_id}/tickets", {"ticket_ids": ["0" * 26]}),
        ("delete", f"/incidents/{incident_id}/tickets", {"ticket_ids": ["0" * 26]}),
        ("post", f"/incidents/{incident_id}/updates", {"status": "identified", "text": "x"}),
    ]
    for method, path, payload in paths:
        assert call(api, method, path, payload, na) == (
            404,
            {"error": {"code": "not_found", "message": "no such incident"}},
        )
        unknown = path.replace(incident_id, "7" * 26)
        assert call(api, method, unknown, payload)[0] == 404
    assert call(api, "get", "/incidents/not-an-id")[0] == 404
    assert call(api, "get", "/incidents", token=na)[1]["incidents"] == []
    # A global agent sees every incident; without an agent token the gate refuses
    assert call(api, "get", f"/incidents/{incident_id}", token=agent_token("gus", ("global",)))[0] == 200
    assert api.http.get("/incidents").status_code in (401, 403)
    # Nobody opens an incident for a region they do not work
    assert call(api, "post", "/incidents", LIVE, na)[1]["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("path", "payload", "code", "field"),
    [
        ("/incidents", {**LIVE, "title": ""}, "missing_field", "title"),
        ("/incidents", {**LIVE, "title": "x" * 201}, "too_long", "title"),
        ("/incidents", {**LIVE, "description": "a\u0000b"}, "invalid_characters", "description"),
        ("/incidents", {**LIVE, "regions": ["mars"]}, "invalid_value", "regions[0]"),
        ("/incidents", {**LIVE, "categories": ["weather"]}, "unknown_category", "categories[0]"),
        ("/incidents", {**LIVE, "severity": "high"}, "unknown_field", "severity"),
        ("/incidents/{id}/tickets", {"ticket_ids": []}, "invalid_value", "ticket_ids"),
        ("/incidents/{id}/tickets", {"ticket_ids": ["0" * 26] * 501}, "too_many", "ticket_ids"),
        ("/incidents/{id}/tickets", {"ticket_ids": ["123"]}, "invalid_value", "ticket_ids[0]"),
        ("/incidents/{id}/updates", {"status": "fixed", "text": "x"}, "invalid_value", "status"),
        ("/incidents/{id}/updates", {"status": "resolved", "text": " "}, "missing_field", "text"),
    ],
)
def test_bad_bodies_are_400s_that_change_nothing(api, path, payload, code, field):
    incident_id = open_incident(api)
    status, body = call(api, "post", path.replace("{id}", incident_id), payload)
    assert (status, body["error"]["code"], body["error"]["field"]) == (400, code, field)
    assert len(call(api, "get", "/incidents")[1]["incidents"]) == 1
    assert call(api, "get", f"/incidents/{incident_id}")[1]["updates"] == []
    assert call(api, "get", "/incidents?status=closed")[0] == 400


def test_the_answers_match_the_published_contract(api, fan_out_worker):
    document = openapi(api)
    status, created = call(api, "post", "/incidents", LIVE)
    assert status == 201 and openapi_validator(document, "IncidentCreated").is_valid(created)
    incident_id = created["incident_id"]
    linked = link(api, incident_id, [on_the_desk("es")])
    post_update(api, incident_id, "identified", "Found it.")
    run_fan_out(fan_out_worker)
    for schema, (code, body) in {
        "TicketsLinked": (200, linked),
        "IncidentView": call(api, "get", f"/incidents/{incident_id}"),
        "IncidentList": call(api, "get", "/incidents"),
        "CandidateList": call(api, "get", f"/incidents/{incident_id}/candidates"),
    }.items():
        errors = [error.message for error in openapi_validator(document, schema).iter_errors(body)]
        assert code == 200 and errors == [], (schema, errors)


def test_an_update_whose_delivery_was_not_queued_is_a_503_and_posting_it_again_queues_it(api, fan_out_worker):
    # Given an incident with a linked ticket, and SQS refusing what the API sends
    incident_id = open_incident(api)
    ticket = on_the_desk("es")
    link(api, incident_id, [ticket])
    override_dependencies(publisher=UnusablePublisher())

    # When an agent posts an update, it is stored but not announced: a 503 saying what to do
    update = {"status": "identified", "text": "Found it."}
    status, body = call(api, "post", f"/incidents/{incident_id}/updates", update)
    assert (status, body["error"]["code"]) == (503, "not_queued")
    assert run_fan_out(fan_out_worker) == 0

    # Then posting the same update again announces the one stored, not a second one
    restore_real_publisher()
    update_id = post_update(api, incident_id, "identified", "Found it.")
    assert [item["update_id"] for item in call(api, "get", f"/incidents/{incident_id}")[1]["updates"]] == [update_id]
    assert run_fan_out(fan_out_worker) == 1
    assert [message.message_id for message in dependencies().messages.for_ticket(ticket.ticket_id)] == [update_id]
