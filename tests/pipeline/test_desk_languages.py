"""Translation only where it is read: a ticket in a language its desk reads is not machine-
translated at intake, and is translated once when an agent who does not read it opens or claims it.

The latam desk reads Spanish, Portuguese and English (chalicelib/data/desk_languages.json), not
Japanese. Every provider call goes to the local fake Google server, which records it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.composition_root import dependencies
from tests.fakes.google_translate import FakeGoogleTranslate
from tests.pipeline.conftest import (
    SPANISH_PAYMENT as SPANISH,
)
from tests.pipeline.conftest import (
    agent_bearer,
    create_ticket,
    get_ticket,
    move_clock_past_sweep_window,
    routed_ticket,
    stored_ticket,
    table_items,
    view,
    with_settings,
)

JAPANESE = {
    "description": "サブスクリプションの支払いができません。カードが毎回拒否されますが、残高は十分にあります。",
    "category": "payment.failed",
    "requester": {"country": "MX"},
}
# Google asked once for the ticket: one request per field (subject, description).
SPANISH_TRANSLATION_CALLS = sorted([("es", "en", SPANISH["subject"]), ("es", "en", SPANISH["description"])])


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


@pytest.fixture
def desks_read(google_fake: FakeGoogleTranslate) -> FakeGoogleTranslate:
    """The deployed default: the desks' languages on (the test environment turns them off)."""
    with_settings(desk_languages=True)
    return google_fake


def calls(fake: FakeGoogleTranslate) -> list[tuple[str, str, str]]:
    return sorted((call.source, call.target, call.text) for call in fake.received)


def spanish_reader() -> str:
    return agent_bearer(regions=("latam",), name="lucia", languages=("es", "en"))


def english_reader(name: str = "sam") -> str:
    return agent_bearer(regions=("latam",), name=name, languages=("en",))


def claim(api: Any, token: str, region: str = "latam") -> tuple[int, Any]:
    answer = api.http.post(
        f"/desk/{region}/claim", headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    )
    return answer.status_code, json.loads(answer.body) if answer.body else None


def routed_spanish_ticket(api: Any, pipeline: Any) -> dict[str, Any]:
    return routed_ticket(api, pipeline, SPANISH)


def test_a_spanish_ticket_on_the_latam_desk_is_routed_without_a_provider_call(api, pipeline, desks_read):
    # Given a Spanish ticket from Mexico (the latam desk reads Spanish)
    created = create_ticket(api, SPANISH)

    # When the pipeline runs
    pipeline.drain()

    # Then it is on the latam desk, not machine-translated, saying why, and Google saw nothing
    ticket = view(api, created)
    assert (ticket["status"], ticket["region"]) == ("routed", "latam")
    assert ticket["translation"]["status"] == "on_demand"
    assert ticket["translation"]["reason"] == "the latam desk reads es"
    assert ticket["translation"]["description"] is None
    assert calls(desks_read) == []


def test_an_agent_who_reads_spanish_opens_and_claims_it_without_a_provider_call(api, pipeline, desks_read):
    # Given a routed Spanish ticket, and an agent of latam who reads Spanish
    created = routed_spanish_ticket(api, pipeline)
    lucia = spanish_reader()

    # When she opens it, then claims it
    opened = get_ticket(api, created["ticket_id"], lucia)
    status, claimed = claim(api, lucia)

    # Then she reads it as written, and Google was never asked
    assert opened.status == 200 and opened.body["translation"]["status"] == "on_demand"
    assert opened.body["description"] == SPANISH["description"]
    assert status == 200 and claimed["ticket_id"] == created["ticket_id"]
    assert claimed["desk"]["assignee"] == "lucia" and claimed["translation"]["status"] == "on_demand"
    assert calls(desks_read) == []


def test_an_agent_who_does_not_read_spanish_gets_it_translated_once(api, pipeline, desks_read):
    # Given a routed Spanish ticket nobody translated
    created = routed_spanish_ticket(api, pipeline)

    # When an agent who reads only English opens it
    opened = get_ticket(api, created["ticket_id"], english_reader())

    # Then the answer carries Google's English, and the ticket keeps it
    assert opened.status == 200
    assert opened.body["translation"] == {
        "status": "done",
        "target": "en",
        "provider": "google",
        "subject": FakeGoogleTranslate.translate(SPANISH["subject"], "en"),
        "description": FakeGoogleTranslate.translate(SPANISH["description"], "en"),
    }
    assert stored_ticket(created["ticket_id"]).translation.characters == len(SPANISH["subject"]) + len(
        SPANISH["description"]
    )
    assert calls(desks_read) == SPANISH_TRANSLATION_CALLS

    # When another English reader, the Spanish reader and the requester open it again
    again = get_ticket(api, created["ticket_id"], english_reader("kim"))
    by_reader = get_ticket(api, created["ticket_id"], spanish_reader())
    by_requester = view(api, created)

    # Then they all see that one translation, and Google was not asked again
    assert again.body["translation"] == opened.body["translation"]
    assert by_reader.body["translation"]["status"] == "done"
    assert by_requester["translation"]["status"] == "done"
    assert calls(desks_read) == SPANISH_TRANSLATION_CALLS


def test_claiming_it_as_an_agent_who_does_not_read_spanish_answers_it_translated(api, pipeline, desks_read):
    # Given a routed Spanish ticket
    created = routed_spanish_ticket(api, pipeline)

    # When an English-only agent of latam claims the next ticket
    status, claimed = claim(api, english_reader())

    # Then they hold it, translated once, and both the claim and the translation are stored
    assert status == 200 and claimed["ticket_id"] == created["ticket_id"]
    assert claimed["desk"]["assignee"] == "sam"
    assert claimed["translation"]["status"] == "done"
    assert claimed["translation"]["description"] == FakeGoogleTranslate.translate(SPANISH["description"], "en")
    stored = stored_ticket(created["ticket_id"])
    assert stored.desk.assignee == "sam" and stored.translation.status.value == "done"
    assert calls(desks_read) == SPANISH_TRANSLATION_CALLS


def test_a_glance_at_the_ticket_never_translates_it(api, pipeline, desks_read):
    # Given a routed Spanish ticket
    created = routed_spanish_ticket(api, pipeline)

    # When an English-only agent's console fills a work-list row with it (a glance, not an open)
    answer = api.http.get(
        f"/tickets/{created['ticket_id']}?translate=false", headers={"Authorization": f"Bearer {english_reader()}"}
    )

    # Then it comes as it is, and Google was not asked
    assert answer.status_code == 200 and json.loads(answer.body)["translation"]["status"] == "on_demand"
    assert calls(desks_read) == []
    # And anything but true or false is refused before the ticket is read
    refused = api.http.get(
        f"/tickets/{created['ticket_id']}?translate=maybe", headers={"Authorization": f"Bearer {english_reader()}"}
    )
    assert refused.status_code == 400 and json.loads(refused.body)["error"]["field"] == "translate"


def test_a_japanese_ticket_on_the_latam_desk_is_translated_at_intake(api, pipeline, desks_read):
    # Given a Japanese ticket from Mexico: the latam desk does not read Japanese
    created = create_ticket(api, JAPANESE)

    # When the pipeline runs
    pipeline.drain()

    # Then it reaches latam machine-translated, as before
    ticket = view(api, created)
    assert (ticket["region"], ticket["language"]["code"]) == ("latam", "ja")
    assert ticket["translation"]["status"] == "done"
    assert calls(desks_read) == [("ja", "en", JAPANESE["description"])]


def test_with_desk_languages_off_the_spanish_ticket_is_translated_at_intake(api, pipeline, google_fake):
    # Given DESK_LANGUAGES=off (translate everything not in the pivot, as before)
    with_settings(desk_languages=False)

    # When a Spanish ticket from Mexico goes through the pipeline
    created = routed_spanish_ticket(api, pipeline)

    # Then it was machine-translated at intake, before anyone opened it
    assert view(api, created)["translation"]["status"] == "done"
    assert calls(google_fake) == SPANISH_TRANSLATION_CALLS


def test_an_outage_on_demand_answers_the_ticket_pending_and_a_sweep_completes_it(api, pipeline, desks_read):
    # Given a routed Spanish ticket, and Google down
    created = routed_spanish_ticket(api, pipeline)
    desks_read.mode = "error"

    # When an English-only agent opens it
    opened = get_ticket(api, created["ticket_id"], english_reader())

    # Then they still get the ticket: untranslated, pending, saying why
    assert opened.status == 200
    assert opened.body["translation"]["status"] == "pending"
    assert "google" in opened.body["translation"]["reason"]
    assert opened.body["description"] == SPANISH["description"]
    # And the ticket waits in the later-translations sweep
    ticket_id = created["ticket_id"]
    item = next(item for item in table_items() if item["pk"] == f"TICKET#{ticket_id}" and item["sk"] == "TICKET")
    assert item["gsi2pk"].startswith("SWEEP#retranslate#")

    # When Google is back and the sweeper has run
    desks_read.mode = "ok"
    desks_read.received.clear()
    with_settings(breaker_cooldown_seconds=0.01)
    move_clock_past_sweep_window()
    dependencies().sweep()
    pipeline.drain()

    # Then the ticket is translated, once, and has left the sweep
    assert view(api, created)["translation"]["status"] == "done"
    assert calls(desks_read) == SPANISH_TRANSLATION_CALLS
    item = next(item for item in table_items() if item["pk"] == f"TICKET#{ticket_id}" and item["sk"] == "TICKET")
    assert "gsi2pk" not in item


def test_a_spanish_follow_up_is_translated_only_when_an_english_only_agent_opens_it(api, pipeline, desks_read):
    # Given a routed Spanish ticket an English-only agent has already read (translated then)
    created = routed_spanish_ticket(api, pipeline)
    ticket_id = created["ticket_id"]
    get_ticket(api, ticket_id, english_reader())
    desks_read.received.clear()

    # When its requester writes a Spanish follow-up and the pipeline runs
    follow_up = "¿Alguna novedad con mi pago? Sigo sin poder usar la suscripción."
    answer = api.http.post(
        f"/tickets/{ticket_id}/messages",
        headers={"Authorization": f"Bearer {created['access_token']}", "Content-Type": "application/json"},
        body=json.dumps({"text": follow_up}, ensure_ascii=False),
    )
    assert answer.status_code == 201
    pipeline.drain()

    # Then it waits on_demand, and no provider was asked, not even when a Spanish reader opens it
    by_reader = get_ticket(api, ticket_id, spanish_reader()).body["messages"][0]
    assert by_reader["translation"]["status"] == "on_demand"
    assert by_reader["translation"]["reason"] == "the latam desk reads es"
    assert (by_reader["text"], by_reader["translated"]) == (follow_up, False)
    assert calls(desks_read) == []

    # When an English-only agent opens the ticket
    opened = get_ticket(api, ticket_id, english_reader()).body["messages"][0]

    # Then they read it in English: one provider call, for the message
    assert opened["translated"] is True
    assert opened["text"] == FakeGoogleTranslate.translate(follow_up, "en")
    assert calls(desks_read) == [("es", "en", follow_up)]

    # When another English-only agent opens it, Then it is the stored translation: no new call
    again = get_ticket(api, ticket_id, english_reader("kim")).body["messages"][0]
    assert again == opened and calls(desks_read) == [("es", "en", follow_up)]
    # And the requester reads their own message as they wrote it
    mine = view(api, created)["messages"][0]
    assert (mine["text"], mine["translated"]) == (follow_up, False)
