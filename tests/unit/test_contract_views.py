"""The answer models (api/contract/views.py, messages.py, answers.py, errors.py): the JSON each
answer writes, key for key and null for null, as clients have always read it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from chalicelib.api.contract import (
    AgentMessage,
    AgentTicket,
    ClockState,
    DeskList,
    DeskTicket,
    Error,
    Health,
    MessageAccepted,
    RequesterMessage,
    RequesterTicket,
    TicketCreated,
    ticket_view,
)
from chalicelib.api.contract.views import Translation
from chalicelib.domain import desk
from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.conversation import Author, Message, MessageTranslation
from chalicelib.domain.stages import route
from chalicelib.domain.ticket import DeskState, Language, Status, TranslationStatus, iso
from chalicelib.domain.ticket import Translation as TicketTranslation
from tests.unit.factories import T0, make_ticket, spanish

ANA = Agent(name="ana", regions=("latam",), languages=("es",), expires_at=int(T0.timestamp()) + 3600)
TICKET_ID = "01HZZZZZZZZZZZZZZZZZZZZZZZ"


def hours(count: float) -> timedelta:
    return timedelta(hours=count)


def encoded(body: Any) -> str:
    """What api/http.json_response writes."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def routed(category: str = "payment.charged_twice") -> Any:
    translated = make_ticket(
        status=Status.TRANSLATED,
        category=category,
        language=spanish(),
        translation=TicketTranslation(TranslationStatus.DONE, "en", "google", "Double charge", "Charged twice."),
    )
    return route(translated, T0, lambda region: f"desk-{region}")


def message(author: Author, translation: MessageTranslation, language: Language | None = None) -> Message:
    return Message(
        message_id="01HZZZZZZZZZZZZZZZZZZZZZ01",
        ticket_id=TICKET_ID,
        author=author,
        author_name="ana" if author is Author.AGENT else None,
        created_at=iso(T0),
        text="Refunded." if author is Author.AGENT else "¿Alguna novedad?",
        language=language,
        translation=translation,
    )


# --- the ticket --------------------------------------------------------------------------------


def test_a_fresh_ticket_is_written_with_nulls_for_what_is_not_known_yet():
    # Given a ticket nobody has processed yet
    ticket = make_ticket(subject=None)

    # When its requester reads it
    body = ticket_view(ticket, now=T0)

    # Then every key is there, in the contract's order, unknown parts null, text kept as is
    assert encoded(body) == (
        '{"ticket_id":"01HZZZZZZZZZZZZZZZZZZZZZZZ","status":"received","subject":null,'
        '"description":"Me cobraron dos veces la suscripción.","category":"payment.charged_twice",'
        '"priority":null,"language":null,"region":null,"queue":null,"translation":null,"sla":null,'
        '"desk":null,"messages":[],"notifications":[],"satisfaction":null,"incident":null,"evidence_files":[],'
        '"created_at":"2030-01-02T03:04:05.000Z","updated_at":"2030-01-02T03:04:05.000Z","self_service":null}'
    )


def test_agents_see_who_has_the_ticket_its_pauses_and_events_requesters_the_state_alone():
    # Given a ticket ana claimed, then put to wait on the requester with a note
    claimed = desk.claim(routed(), "ana", T0 + hours(1))
    waiting = desk.wait_on_requester(claimed, "ana", T0 + hours(2), "need receipt")

    # When each side reads it
    for_agent = ticket_view(waiting, agent=ANA, now=T0 + hours(3))
    for_requester = ticket_view(waiting, now=T0 + hours(3))

    # Then agents get the audit trail (a note only where one was given), requesters the state
    assert for_agent["desk"] == {
        "state": "waiting",
        "assignee": "ana",
        "first_responded_at": None,
        "pauses": [{"from": "2030-01-02T05:04:05.000Z", "to": None}],
        "events": [
            {"at": "2030-01-02T04:04:05.000Z", "by": "ana", "from": "open", "to": "claimed"},
            {"at": "2030-01-02T05:04:05.000Z", "by": "ana", "from": "claimed", "to": "waiting", "note": "need receipt"},
        ],
    }
    assert for_requester["desk"] == {"state": "waiting", "first_responded_at": None}
    # And the clock is stopped: no deadline, no ETA
    assert for_agent["sla"] == {"first_response_due": None, "resolution_due": None, "paused": True, "eta": None}
    assert list(for_agent) == list(for_requester) == list(AgentTicket.model_fields)


def test_the_eta_is_shown_while_the_first_answer_is_owed_and_null_once_given():
    # Given an open ticket with tickets ahead of it in the region
    ticket = routed()
    now = T0 + hours(1)

    # When its requester reads it, then once an agent has answered
    owed = ticket_view(ticket, now=now, open_ahead=3, recent_first_responses=[10.0, 20.0, 35.0])["sla"]
    answered = desk.record_first_response(ticket, "ana", now)
    assert answered is not None
    given = ticket_view(answered, now=now, open_ahead=3)["sla"]

    # Then the ETA runs from now at the earliest to the deadline at the latest, and is null once answered
    assert list(owed) == ["first_response_due", "resolution_due", "paused", "eta"]
    assert list(owed["eta"]) == ["from", "to"]
    assert iso(now) <= owed["eta"]["from"] <= owed["eta"]["to"] <= owed["first_response_due"]
    assert given["eta"] is None and given["first_response_due"] == owed["first_response_due"]


def test_the_language_is_flagged_when_it_is_a_guess():
    ticket = make_ticket(status=Status.DETECTED, language=Language("es", 0.42, "text+locale"))
    assert ticket_view(ticket, now=T0)["language"] == {
        "code": "es",
        "confidence": 0.42,
        "source": "text+locale",
        "low_confidence": True,
    }


@pytest.mark.parametrize(("reason", "keys"), [(None, 5), ("", 5), ("provider_unavailable", 6)])
def test_a_translation_gives_its_reason_only_when_it_has_one(reason: str | None, keys: int):
    # Given a pending translation with or without a reason
    translation = TicketTranslation(TranslationStatus.PENDING, "en", reason=reason)

    # Then `reason` is written last, and only when there is one
    written = Translation.of(translation).dump()
    assert list(written)[:5] == ["status", "target", "provider", "subject", "description"]
    assert len(written) == keys and written.get("reason") == (reason or None)


# --- the conversation --------------------------------------------------------------------------

REPLY_DONE = MessageTranslation(TranslationStatus.DONE, "es", "Reembolsado.", "google")
REPLY_PENDING = MessageTranslation(TranslationStatus.PENDING, "es", reason="provider_unavailable")


def test_the_requester_reads_a_translated_reply_in_their_language():
    reply = message(Author.AGENT, REPLY_DONE, Language("en", 1.0, "declared"))
    assert RequesterMessage.of(reply).dump() == {
        "message_id": "01HZZZZZZZZZZZZZZZZZZZZZ01",
        "author": "agent",
        "created_at": "2030-01-02T03:04:05.000Z",
        "text": "Reembolsado.",
        "language": "es",
        "translated": True,
        "translation_status": "done",
        "original": {"text": "Refunded.", "language": "en"},
    }


def test_until_then_the_requester_reads_the_original_marked_as_such():
    reply = message(Author.AGENT, REPLY_PENDING, Language("en", 1.0, "declared"))
    written = RequesterMessage.of(reply).dump()
    assert (written["text"], written["language"], written["translated"]) == ("Refunded.", "en", False)
    assert written["translation_status"] == "pending"


def test_agents_read_the_original_and_the_translation_with_its_reason_when_there_is_one():
    # Given a requester message not yet detected nor translated, and a reply translated
    pending = message(Author.REQUESTER, MessageTranslation(TranslationStatus.PENDING, "en", reason="queued"))
    reply = message(Author.AGENT, REPLY_DONE, Language("en", 1.0, "declared"))

    # Then agents read both in their original words; the reason appears only when set
    assert AgentMessage.of(pending).dump() == {
        "message_id": "01HZZZZZZZZZZZZZZZZZZZZZ01",
        "author": "requester",
        "author_name": None,
        "created_at": "2030-01-02T03:04:05.000Z",
        "text": "¿Alguna novedad?",
        "translated": False,
        "original": {"text": "¿Alguna novedad?", "language": None},
        "translation": {"status": "pending", "target": "en", "provider": None, "text": None, "reason": "queued"},
    }
    assert AgentMessage.of(reply).dump()["translation"] == {
        "status": "done",
        "target": "es",
        "provider": "google",
        "text": "Reembolsado.",
    }


def test_agents_read_a_translated_requester_message_in_the_pivot():
    done = MessageTranslation(TranslationStatus.DONE, "en", "Any news?", "google")
    written = AgentMessage.of(message(Author.REQUESTER, done, Language("es", 0.9, "text"))).dump()
    assert (written["text"], written["translated"]) == ("Any news?", True)


# --- the other answers -------------------------------------------------------------------------


def test_the_201_of_a_new_ticket():
    assert encoded(TicketCreated.of(make_ticket(), "tok-123").dump()) == (
        '{"ticket_id":"01HZZZZZZZZZZZZZZZZZZZZZZZ","access_token":"tok-123","status":"received",'
        '"created_at":"2030-01-02T03:04:05.000Z","links":{"self":"/tickets/01HZZZZZZZZZZZZZZZZZZZZZZZ"},'
        '"self_service":null}'
    )


def test_the_201_of_an_accepted_message():
    accepted = message(Author.REQUESTER, MessageTranslation(TranslationStatus.PENDING, "en", reason="queued"))
    assert encoded(MessageAccepted.of(accepted).dump()) == (
        '{"message_id":"01HZZZZZZZZZZZZZZZZZZZZZ01","ticket_id":"01HZZZZZZZZZZZZZZZZZZZZZZZ","author":"requester",'
        '"created_at":"2030-01-02T03:04:05.000Z","translation":{"status":"pending","target":"en"}}'
    )


def test_a_work_list_row_is_enough_to_pick_a_ticket():
    # Given an open ticket on the latam desk
    ticket = routed()
    assert ticket.routing is not None

    # When the desk lists it
    listed = DeskList.of("latam", DeskState.OPEN, [ticket]).dump()

    # Then each row carries the deadlines the routing computed
    assert listed == {
        "region": "latam",
        "state": "open",
        "tickets": [
            {
                "ticket_id": TICKET_ID,
                "priority": ticket.routing.priority,
                "state": "open",
                "assignee": None,
                "category": "payment.charged_twice",
                "language": "es",
                "translation_status": "done",
                "first_response_due": ticket.routing.sla.first_response_due,
                "resolution_due": ticket.routing.sla.resolution_due,
                "created_at": "2030-01-02T03:04:05.000Z",
            }
        ],
    }


def test_an_error_names_its_field_only_when_there_is_one():
    assert Error.of("missing_field", "text is required", "text").dump() == {
        "error": {"code": "missing_field", "message": "text is required", "field": "text"}
    }
    assert Error.of("not_found", "no such ticket").dump() == {
        "error": {"code": "not_found", "message": "no such ticket"}
    }


def test_health_and_the_local_clock():
    assert Health(status="ok", stage="dev", pivot_language="en").dump() == {
        "status": "ok",
        "stage": "dev",
        "pivot_language": "en",
    }
    assert ClockState.of(T0, timedelta(hours=30)).dump() == {
        "now": "2030-01-02T03:04:05.000Z",
        "offset_seconds": 108000.0,
    }


# --- the answers match their own schemas -------------------------------------------------------


def escalated() -> Any:
    ticket = routed("account.hacked")  # urgent: 24x7, escalates within hours
    raised = desk.escalate(ticket, T0 + hours(30))
    assert raised is not None
    return raised


@pytest.mark.parametrize(
    ("model", "written"),
    [
        pytest.param(RequesterTicket, lambda: ticket_view(make_ticket(), now=T0), id="fresh"),
        pytest.param(AgentTicket, lambda: ticket_view(escalated(), agent=ANA, now=T0 + hours(31)), id="escalated"),
        pytest.param(
            RequesterTicket,
            lambda: ticket_view(
                routed(), [message(Author.AGENT, REPLY_DONE)], now=T0, open_ahead=2, recent_first_responses=[5.0]
            ),
            id="with-a-reply",
        ),
        pytest.param(DeskTicket, lambda: DeskTicket.of(escalated()).dump(), id="work-list-row"),
    ],
)
def test_every_answer_validates_against_the_schema_its_model_publishes(model: type[BaseModel], written: Any):
    # Given the JSON Schema the model publishes for what it writes
    validator = Draft202012Validator(model.model_json_schema(mode="serialization"))

    # Then a real answer matches it (an escalation event's from/to are escalation levels)
    errors = [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(written())]
    assert errors == []
