"""Translation through the real Google adapter, against the local fake Google server.

Agents read every ticket in English. When Google answers, they get its text; when it is down,
slow or throttling, the ticket still reaches its desk untranslated and says why.
"""

from __future__ import annotations

import socket

import pytest

from chalicelib import aws_resource_names
from tests.fakes.google_translate import FakeGoogleTranslate
from tests.pipeline.conftest import (
    SPANISH_PAYMENT as SPANISH,
)
from tests.pipeline.conftest import (
    agent_bearer,
    all_desk_messages,
    create_ticket,
    get_ticket,
    queue_depth,
    view,
    with_settings,
)

# 6,720 characters: over Google's 5,000 per request, under the API's 10,000.
LONG_SPANISH = ("No puedo pagar mi suscripción, la tarjeta es rechazada. " * 120).strip()


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


def closed_port_url() -> str:
    """A URL on which nothing listens: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/m"


def assert_on_its_desk_exactly_once(pipeline, ticket_id: str, region: str) -> None:
    desks = all_desk_messages(pipeline)
    assert [message["ticket_id"] for message in desks[region]] == [ticket_id]
    assert not any(messages for other, messages in desks.items() if other != region)


def test_agents_read_googles_translation_of_subject_and_description(api, pipeline, google_fake):
    # Given a Spanish ticket with a subject
    created = create_ticket(api, SPANISH)

    # When the pipeline runs with Google up
    pipeline.drain()

    # Then both fields carry Google's English, credited to Google
    translation = view(api, created)["translation"]
    assert translation == {
        "status": "done",
        "target": "en",
        "provider": "google",
        "subject": FakeGoogleTranslate.translate(SPANISH["subject"], "en"),
        "description": FakeGoogleTranslate.translate(SPANISH["description"], "en"),
    }
    # And Google was asked from Spanish into English, once per field
    assert sorted((call.source, call.target, call.text) for call in google_fake.received) == sorted(
        [("es", "en", SPANISH["subject"]), ("es", "en", SPANISH["description"])]
    )


@pytest.mark.parametrize(
    ("language", "text", "google_code"),
    [
        pytest.param("he", "החשבון שלי נחסם בלי שום הסבר ואני לא מצליח להתחבר. אנא עזרו לי בהקדם.", "iw", id="hebrew"),
        pytest.param("zh", "我的账户被无故封禁了，现在无法登录。请尽快帮我处理这个问题。", "zh-CN", id="chinese"),
    ],
)
def test_google_is_asked_with_its_own_language_codes(api, pipeline, google_fake, language, text, google_code):
    # Given a ticket in a language Google names differently from ISO 639-1
    created = create_ticket(api, {"description": text})

    # When it is translated
    pipeline.drain()

    # Then Google got the code it knows, and agents get the translation
    ticket = view(api, created)
    assert ticket["language"]["code"] == language
    assert [call.source for call in google_fake.received] == [google_code]
    assert ticket["translation"]["status"] == "done"


@pytest.mark.parametrize(
    "outage",
    [
        pytest.param("error", id="http-500"),
        pytest.param("throttle", id="http-429"),
        pytest.param("closed-port", id="connection-refused"),
        pytest.param("hang", id="no-answer-within-timeout"),
    ],
)
def test_a_translation_outage_still_routes_the_ticket_marked_pending(api, pipeline, google_fake, outage):
    # Given Google failing in one of the ways it does
    if outage == "closed-port":
        with_settings(google_translate_url=closed_port_url())
    else:
        google_fake.mode = outage
        google_fake.hang_seconds = 1.5  # past the 0.5 s timeout the app is given

    # When a Spanish ticket goes through the pipeline
    created = create_ticket(api, SPANISH)
    pipeline.drain()

    # Then it reaches its desk untranslated, marked for a later translation, saying why
    ticket = view(api, created)
    assert ticket["status"] == "routed"
    assert ticket["region"] == "latam"
    assert ticket["translation"]["status"] == "pending"
    assert ticket["translation"]["provider"] is None
    assert ticket["translation"]["description"] is None
    assert "google" in ticket["translation"]["reason"]
    # And nothing is lost: the requester's own words are intact and the desk was told once
    assert ticket["subject"] == SPANISH["subject"]
    assert ticket["description"] == SPANISH["description"]
    assert_on_its_desk_exactly_once(pipeline, created["ticket_id"], "latam")
    # And no message is left behind to be retried into a dead-letter queue
    assert all(queue_depth(role) == 0 for role in aws_resource_names.PIPELINE_QUEUES)


def test_a_description_too_long_for_one_google_request_still_reaches_its_desk_in_full(api, pipeline, google_fake):
    # Given a valid description past what Google takes in one request (5,000 characters)
    long_text = LONG_SPANISH
    created = create_ticket(api, {"description": long_text, "requester": {"country": "AR"}})

    # When the pipeline runs
    pipeline.drain()

    # Then the ticket is on its desk with the requester's full text, whatever the translation did
    ticket = view(api, created)
    assert ticket["status"] == "routed"
    assert ticket["description"] == long_text
    if ticket["translation"]["status"] != "done":
        assert ticket["translation"]["reason"], "an untranslated ticket must say why"
    assert_on_its_desk_exactly_once(pipeline, created["ticket_id"], "latam")


def test_a_description_longer_than_one_google_request_is_translated(api, pipeline, google_fake):
    # Given a valid description of 6,720 characters (the API takes up to 10,000)
    created = create_ticket(api, {"description": LONG_SPANISH, "requester": {"country": "AR"}})

    # When the pipeline runs with Google up
    pipeline.drain()

    # Then agents get the whole description in English
    translation = view(api, created)["translation"]
    assert translation["status"] == "done", translation
    assert translation["description"].count("No puedo pagar") == 120


# --- romanized text (issue 14): never sent to a provider that would misread it --------------


def test_a_hinglish_ticket_is_left_for_a_hindi_reader_not_machine_translated(api, pipeline, google_fake):
    # Given a requester in India writing Hindi in Latin letters, mixed with English words
    created = create_ticket(
        api,
        {
            "description": "yaar mera order cancel kyun ho gaya, paise wapas kab aayenge",
            "requester": {"country": "IN"},
        },
    )

    # When the pipeline runs with a translation provider configured
    pipeline.drain()

    # Then the ticket is Hindi in Latin script, on its desk, and the provider never saw it
    seen = view(api, created)
    assert seen["status"] == "routed"
    agent = get_ticket(api, created["ticket_id"], agent_bearer()).body
    assert agent["language"]["code"] == "hi" and agent["language"]["script"] == "Latn"
    assert agent["translation"]["status"] == "failed" and "romanized hi" in agent["translation"]["reason"]
    assert google_fake.received == []
