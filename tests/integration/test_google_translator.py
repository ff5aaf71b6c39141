"""GoogleTranslator (deep-translator) against the local Google-protocol server; never the internet."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace

import pytest

from chalicelib.adapters.translators import GoogleTranslator, build_translators
from chalicelib.domain import stages
from chalicelib.domain.catalog import served_languages
from chalicelib.domain.intake import MAX_DESCRIPTION
from chalicelib.domain.ports import ProviderUnavailable, TranslationRejected
from chalicelib.domain.ticket import Language, Status, Ticket, TranslationStatus
from chalicelib.settings import Settings
from tests.fakes.google_translate import FakeGoogleTranslate, google_translate_server
from tests.integration.builders import T0, received_ticket


@pytest.fixture(scope="module")
def google_server() -> Iterator[FakeGoogleTranslate]:
    # One server for the module: stopping one takes half a second (its poll interval).
    with google_translate_server() as fake:
        yield fake


@pytest.fixture
def google(google_server: FakeGoogleTranslate) -> FakeGoogleTranslate:
    """The shared server, answering normally and with no requests recorded yet."""
    google_server.mode = "ok"
    google_server.hang_seconds = 5.0
    google_server.received.clear()
    return google_server


@pytest.fixture
def closed_port_url() -> str:
    """A local URL nothing listens on: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/m"


def test_a_text_is_translated_through_the_provider(google: FakeGoogleTranslate):
    # Given the adapter pointed at the provider
    translator = GoogleTranslator(google.url, timeout_seconds=5)

    # When a Spanish text is translated into English
    translated = translator.translate("Me cobraron dos veces", "es", "en")

    # Then the provider's answer is returned, and it was asked for es -> en
    assert translated == "[en] Me cobraron dos veces"
    assert [(item.source, item.target, item.text) for item in google.received] == [
        ("es", "en", "Me cobraron dos veces")
    ]


@pytest.mark.parametrize(("ours", "googles"), [("he", "iw"), ("zh", "zh-CN")])
def test_codes_google_knows_by_other_names_are_translated(google: FakeGoogleTranslate, ours: str, googles: str):
    # Given a source language Google spells differently
    translator = GoogleTranslator(google.url, timeout_seconds=5)

    # When translating from it (and back into it)
    translator.translate("text", ours, "en")
    translator.translate("text", "en", ours)

    # Then Google's own codes went over the wire
    assert [(item.source, item.target) for item in google.received] == [(googles, "en"), ("en", googles)]


def test_an_undetermined_source_is_sent_as_auto(google: FakeGoogleTranslate):
    GoogleTranslator(google.url, timeout_seconds=5).translate("¿hola?", "auto", "en")
    assert google.received[0].source == "auto"


def test_every_served_language_is_accepted_as_a_source(google: FakeGoogleTranslate):
    translator = GoogleTranslator(google.url, timeout_seconds=5)
    for code in sorted(served_languages() - {"en"}):
        assert translator.translate("texto", code, "en") == "[en] texto", code


def test_a_language_google_does_not_know_is_rejected_without_a_request(google: FakeGoogleTranslate):
    with pytest.raises(TranslationRejected):
        GoogleTranslator(google.url, timeout_seconds=5).translate("text", "xx", "en")
    assert google.received == []


@pytest.mark.parametrize("mode", ["error", "throttle"], ids=["http-500", "http-429"])
def test_a_failing_or_throttling_provider_is_unavailable(google: FakeGoogleTranslate, mode: str):
    # Given a provider answering with an error
    google.mode = mode

    # Then the adapter reports it unavailable (worth retrying later), after one request
    with pytest.raises(ProviderUnavailable):
        GoogleTranslator(google.url, timeout_seconds=5).translate("hola", "es", "en")
    assert len(google.received) == 1


def test_a_provider_that_hangs_past_the_timeout_is_unavailable(google: FakeGoogleTranslate):
    # Given a provider that answers only after 5 seconds, and a half-second timeout
    google.mode = "hang"
    google.hang_seconds = 5
    translator = GoogleTranslator(google.url, timeout_seconds=0.5)

    # Then the call gives up as unavailable instead of waiting for the answer
    with pytest.raises(ProviderUnavailable):
        translator.translate("hola", "es", "en")


def test_a_provider_nobody_listens_for_is_unavailable(closed_port_url: str):
    with pytest.raises(ProviderUnavailable):
        GoogleTranslator(closed_port_url, timeout_seconds=2).translate("hola", "es", "en")


def test_the_longest_description_intake_accepts_is_translated(google: FakeGoogleTranslate):
    # Given a description at the intake limit
    text = ("Me cobraron dos veces la suscripción este mes. " * 400)[:MAX_DESCRIPTION].strip()

    ticket = received_ticket(description=text).advance(
        Status.DETECTED, T0, "detect_language", language=Language("es", 0.9, "text")
    )

    # When the translate stage runs it through the Google adapter
    translation = stages.translate_fields(ticket, [GoogleTranslator(google.url, timeout_seconds=5)], "en")

    # Then it comes back translated and whole, sent in calls under the provider's limit
    assert translation.status is TranslationStatus.DONE
    assert translation.description is not None and "[en]" in translation.description
    assert translation.description.count("Me cobraron") == text.count("Me cobraron")
    assert len(google.received) >= 2
    assert all(len(request.text) < 5000 for request in google.received)


# --- the configured chain ---------------------------------------------------------------


def detected_spanish() -> Ticket:
    return received_ticket().advance(Status.DETECTED, T0, "detect_language", language=Language("es", 0.9, "text"))


def test_the_configured_chain_follows_the_settings(google: FakeGoogleTranslate):
    settings = Settings.from_env({"TRANSLATORS": "google", "GOOGLE_TRANSLATE_URL": google.url})
    chain = build_translators(settings)
    assert [translator.name for translator in chain] == ["google"]
    assert chain[0].translate("hola", "es", "en") == "[en] hola"
    assert build_translators(replace(settings, translators=("none",))) == []


def test_a_dead_provider_fails_over_to_a_live_one_in_the_translate_stage(
    google: FakeGoogleTranslate, closed_port_url: str
):
    # Given a detected Spanish ticket and a chain whose first provider is down
    ticket = detected_spanish()
    chain = [GoogleTranslator(closed_port_url, timeout_seconds=1), GoogleTranslator(google.url, timeout_seconds=5)]

    # When the translate stage runs
    after = stages.translate(ticket, chain, "en", T0, desks_read=False)

    # Then the live provider translated it
    assert after.translation is not None
    assert after.translation.status is TranslationStatus.DONE
    assert after.translation.description == f"[en] {ticket.description}"


def test_with_every_provider_down_the_translate_stage_leaves_the_ticket_pending(closed_port_url: str):
    ticket = detected_spanish()
    after = stages.translate(ticket, [GoogleTranslator(closed_port_url, timeout_seconds=1)], "en", T0, desks_read=False)
    assert after.status is Status.TRANSLATED
    assert after.translation is not None
    assert after.translation.status is TranslationStatus.PENDING
    assert "google: unavailable" in (after.translation.reason or "")


def test_white_space_alone_is_not_sent_to_google(google: FakeGoogleTranslate):
    assert GoogleTranslator(google.url, timeout_seconds=5).translate("  \n", "es", "en") == "  \n"
    assert google.received == []


def test_googles_limits_are_declared_in_characters_and_bytes():
    translator = GoogleTranslator(None, timeout_seconds=5)
    # Under deep-translator's 5,000 characters; bytes bounded because the text travels in the URL
    assert translator.max_chars < 5_000
    assert translator.max_bytes <= 5_000


def test_a_failing_google_in_the_configured_chain_opens_its_breaker(google: FakeGoogleTranslate):
    # Given Google failing, and a chain that retries once and opens after 2 failures
    google.mode = "error"
    settings = Settings.from_env(
        {
            "TRANSLATORS": "google",
            "GOOGLE_TRANSLATE_URL": google.url,
            "TRANSLATE_RETRIES": "1",
            "TRANSLATE_BACKOFF_SECONDS": "0",
            "BREAKER_FAILURES": "2",
        }
    )
    [chain_google] = build_translators(settings)

    # When two texts come: the first is tried twice, the second fails fast
    for _ in range(2):
        with pytest.raises(ProviderUnavailable):
            chain_google.translate("hola", "es", "en")

    # Then Google was asked twice in all
    assert len(google.received) == 2
