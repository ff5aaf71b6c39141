"""The help center and its bot over HTTP: public answers in the asker's language (or none),
topics and articles, and a ticket written like a FAQ carrying a suggestion the requester can
answer: solved resolves it as deflected (off the work list, counted in /metrics), not solved
sends it on with the tried article shown to agents; an answer before routing works too."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.api.contract.help import MAX_QUESTION
from tests.pipeline.conftest import create_ticket, get_ticket, openapi_validator, stored_ticket, view
from tests.pipeline.test_desk import agent_token, call, work_list

FAQ = {
    "subject": "forgot my password",
    "description": "I forgot my password and the verification code never arrives, I can't log in to my account.",
    "category": "account.login",
    "requester": {"country": "US", "locale": "en-US"},
}
STORY = {
    "description": "Your agent promised to call me back about the partnership contract and never did.",
    "requester": {"country": "US"},
}


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


def ask(api: Any, payload: Any) -> tuple[int, Any]:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    answer = api.http.post("/help/answers", headers={"Content-Type": "application/json"}, body=raw)
    return answer.status_code, json.loads(answer.body)


def get(api: Any, path: str) -> tuple[int, Any]:
    answer = api.http.get(path)
    return answer.status_code, json.loads(answer.body)


def answer_bot(api: Any, created: dict, payload: Any, token: str | None = None) -> tuple[int, Any]:
    return call(api, "post", f"/tickets/{created['ticket_id']}/self-service", token or created["access_token"], payload)


def assert_valid(api: Any, schema: str, body: Any) -> None:
    document = api.http.get("/openapi.json").json_body
    errors = list(openapi_validator(document, schema).iter_errors(body))
    assert not errors, [error.message for error in errors]


# --- POST /help/answers -------------------------------------------------------------------------


def test_a_question_is_answered_in_the_askers_language(api):
    # Given a Spanish question from Mexico
    # When it is asked
    status, body = ask(
        api, {"text": "olvidé mi contraseña y no me llega el código", "locale": "es-MX", "country": "MX"}
    )
    # Then the password article comes back first, in Spanish, with a confidence
    assert status == 200, body
    assert body["language"] == "es" and body["abstained"] is False
    best = body["answers"][0]
    assert (best["topic"], best["language"]) == ("account.password_reset", "es")
    assert 0 < best["confidence"] <= 1 and best["title"] and best["body"]
    assert 1 <= len(body["answers"]) <= 3
    assert_valid(api, "HelpAnswerView", body)


def test_an_off_topic_question_is_abstained_on(api):
    # Given a question no article answers
    # When it is asked
    status, body = ask(api, {"text": "what's the weather like in Paris tomorrow?"})
    # Then the help center says nothing rather than something wrong
    assert status == 200
    assert body["abstained"] is True and body["answers"] == []


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({}, "missing_field"),
        ({"text": "   "}, "missing_field"),
        ({"text": 42}, "missing_field"),
        ({"text": "x" * (MAX_QUESTION + 1)}, "too_long"),
        ({"text": "hi", "extra": 1}, "unknown_field"),
        ({"text": "hi", "locale": "not a locale"}, "invalid_locale"),
    ],
)
def test_bad_questions_are_400(api, payload, code):
    # When a malformed question is asked
    status, body = ask(api, payload)
    # Then it is refused with the contract's error
    assert status == 400, body
    assert body["error"]["code"] == code


def test_a_body_over_64_kib_is_413(api):
    status, body = ask(api, b'{"text": "' + b"a" * 70_000 + b'"}')
    assert status == 413 and body["error"]["code"] == "payload_too_large"


# --- topics and articles ------------------------------------------------------------------------


def test_topics_list_every_topic_with_its_title_in_the_language(api):
    status, body = get(api, "/help/topics?lang=es")
    assert status == 200
    assert body["language"] == "es" and len(body["topics"]) == 20
    assert all(topic["title"] and topic["category"] for topic in body["topics"])
    assert_valid(api, "HelpTopicList", body)


def test_an_article_in_a_language_and_the_errors(api):
    # An article, by topic and language
    status, body = get(api, "/help/articles/payment.charged_twice?lang=en-GB")
    assert status == 200 and (body["topic"], body["language"]) == ("payment.charged_twice", "en")
    assert_valid(api, "HelpArticleView", body)
    # An unknown topic is 404, an unserved language 400
    assert get(api, "/help/articles/nothing.here?lang=en")[0] == 404
    status, body = get(api, "/help/articles/payment.charged_twice?lang=xx")
    assert status == 400 and body["error"]["field"] == "lang"


# --- the bot at intake --------------------------------------------------------------------------


def test_a_faq_like_ticket_carries_a_suggestion(api):
    # When a ticket written like a FAQ is submitted
    created = create_ticket(api, FAQ)
    # Then its 201 suggests the article, and the ticket keeps it
    suggestion = created["self_service"]["suggestions"][0]
    assert suggestion["topic"] == "account.password_reset" and suggestion["language"] == "en"
    assert created["self_service"]["outcome"] is None
    assert view(api, created)["self_service"]["suggestions"][0]["topic"] == "account.password_reset"


def test_a_ticket_no_article_answers_has_no_suggestion(api):
    created = create_ticket(api, STORY)
    assert created["self_service"] is None


def test_solved_resolves_the_ticket_as_deflected(api, pipeline):
    # Given a FAQ-like ticket on the desk
    created = create_ticket(api, FAQ)
    pipeline.drain()
    assert created["ticket_id"] in work_list(api)
    # When the requester says the article solved it
    status, body = answer_bot(api, created, {"topic": "account.password_reset", "solved": True})
    # Then it is resolved by the help center, off the work list, and counted as deflected
    assert status == 200 and body["deflected"] is True, body
    assert_valid(api, "SelfServiceRecorded", body)
    seen = view(api, created)
    assert seen["desk"]["state"] == "resolved"
    assert seen["self_service"]["outcome"]["solved"] is True
    assert created["ticket_id"] not in work_list(api) + work_list(api, state="claimed")
    agent_view = get_ticket(api, created["ticket_id"], agent_token()).body
    assert agent_view["desk"]["events"][-1]["by"] == "self-service"
    status, report = call(api, "get", "/metrics", agent_token())
    assert status == 200 and report["totals"]["tickets"]["deflected"] == 1
    assert report["totals"]["tickets"]["resolved"] == 0
    # And a second answer is 409
    assert answer_bot(api, created, {"topic": "account.password_reset", "solved": True})[0] == 409


def test_not_solved_goes_on_and_agents_see_the_tried_article(api, pipeline):
    created = create_ticket(api, FAQ)
    pipeline.drain()
    # When the requester says the article did not help
    status, body = answer_bot(api, created, {"topic": "account.password_reset", "solved": False})
    # Then the ticket stays on the desk, and the agent's view shows what was tried
    assert status == 200 and body["deflected"] is False
    assert created["ticket_id"] in work_list(api)
    agent_view = get_ticket(api, created["ticket_id"], agent_token()).body
    assert agent_view["self_service"]["outcome"] == {
        "topic": "account.password_reset",
        "solved": False,
        "at": agent_view["self_service"]["outcome"]["at"],
    }


def test_answering_before_routing_resolves_it_right_after(api, pipeline):
    # Given a FAQ-like ticket that no worker has touched yet
    created = create_ticket(api, FAQ)
    # When the requester answers first
    status, body = answer_bot(api, created, {"topic": "account.password_reset", "solved": True})
    assert status == 200, body
    assert stored_ticket(created["ticket_id"]).status.value == "received"
    # Then the pipeline routes it and it arrives resolved (deflected), never on a work list
    pipeline.drain()
    ticket = stored_ticket(created["ticket_id"])
    assert ticket.status.value == "routed" and ticket.desk.state.value == "resolved"
    assert created["ticket_id"] not in work_list(api)
    status, report = call(api, "get", "/metrics", agent_token())
    assert report["totals"]["tickets"]["deflected"] == 1 and report["totals"]["tickets"]["created"] == 1


def test_wrong_answers_to_the_bot(api, pipeline):
    created = create_ticket(api, FAQ)
    # A topic the bot did not suggest is 400
    status, body = answer_bot(api, created, {"topic": "ads.billing", "solved": True})
    assert status == 400 and body["error"]["code"] == "not_suggested"
    # A malformed body is 400
    status, body = answer_bot(api, created, {"topic": "account.password_reset", "solved": "yes"})
    assert status == 400
    # An agent's token, or none, is 404
    pipeline.drain()
    assert answer_bot(api, created, {"topic": "account.password_reset", "solved": True}, agent_token())[0] == 404
    assert answer_bot(api, created, {"topic": "account.password_reset", "solved": True}, "nope")[0] == 404
