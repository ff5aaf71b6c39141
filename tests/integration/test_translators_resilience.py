"""Retries, the circuit breaker and failover: first around scripted translators with a fake
clock, then the configured chain against local provider servers through the translate stage."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from chalicelib.adapters.resilient_translator import (
    BreakerState,
    CircuitBreaker,
    CircuitOpen,
    ProviderRefused,
    ResilientTranslator,
    RetryPolicy,
)
from chalicelib.adapters.translators import build_translators
from chalicelib.domain import stages
from chalicelib.domain.ports import ProviderUnavailable, TranslationRejected
from chalicelib.domain.ticket import Language, Status, Ticket, TranslationStatus
from chalicelib.settings import Settings
from tests.fakes.deepl import FakeDeepL
from tests.fakes.http_fake import serving
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.integration.builders import T0, received_ticket

# --- scripted pieces --------------------------------------------------------------------


@dataclass
class FakeClock:
    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class ScriptedTranslator:
    """Answers from `script` in order (a string, or an exception to raise); then `then`."""

    script: list[str | Exception] = field(default_factory=list)
    then: str | Exception = "translated"
    name: str = "scripted"
    max_chars: int = 1_000
    max_bytes: int = 4_000
    calls: int = 0
    gate: threading.Event | None = None  # when set, each call waits for it first

    def translate(self, text: str, source: str, target: str) -> str:
        self.calls += 1
        if self.gate is not None:
            self.gate.wait(5)
        outcome = self.script.pop(0) if self.script else self.then
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def unavailable() -> ProviderUnavailable:
    return ProviderUnavailable("HTTP 503")


@dataclass
class Resilient:
    translator: ResilientTranslator
    inner: ScriptedTranslator
    clock: FakeClock
    sleeps: list[float]


def resilient(
    inner: ScriptedTranslator,
    retries: int = 2,
    failures: int = 3,
    cooldown: float = 30.0,
) -> Resilient:
    clock = FakeClock()
    sleeps: list[float] = []
    translator = ResilientTranslator(
        inner,
        CircuitBreaker(inner.name, failures, cooldown, clock),
        RetryPolicy(retries=retries, base_delay_seconds=0.2, max_delay_seconds=2.0),
        sleep=sleeps.append,
        draw=lambda: 1.0,  # the top of each jitter range: delays are exactly base * 2**n
    )
    return Resilient(translator, inner, clock, sleeps)


# --- retries ----------------------------------------------------------------------------


def test_the_wrapper_keeps_the_providers_name_and_limits():
    wrapped = resilient(ScriptedTranslator(name="libre", max_chars=5_000, max_bytes=20_000)).translator
    assert (wrapped.name, wrapped.max_chars, wrapped.max_bytes) == ("libre", 5_000, 20_000)


def test_an_unavailable_provider_is_retried_with_exponential_backoff_until_it_answers():
    # Given a provider failing twice, then answering
    given = resilient(ScriptedTranslator([unavailable(), unavailable()]))

    # When translating
    translated = given.translator.translate("hola", "es", "en")

    # Then the third attempt's answer is returned, after waiting 0.2 s then 0.4 s
    assert translated == "translated"
    assert given.inner.calls == 3
    assert given.sleeps == pytest.approx([0.2, 0.4])
    assert given.translator.breaker.state is BreakerState.CLOSED
    assert given.translator.breaker.consecutive_failures == 0


def test_retries_give_up_after_the_configured_number_with_the_providers_own_error():
    given = resilient(ScriptedTranslator(then=ProviderUnavailable("HTTP 502")), retries=2, failures=10)
    with pytest.raises(ProviderUnavailable, match="HTTP 502"):
        given.translator.translate("hola", "es", "en")
    assert given.inner.calls == 3
    assert len(given.sleeps) == 2


def test_zero_retries_means_one_attempt():
    given = resilient(ScriptedTranslator(then=unavailable()), retries=0)
    with pytest.raises(ProviderUnavailable):
        given.translator.translate("hola", "es", "en")
    assert given.inner.calls == 1
    assert given.sleeps == []


def test_a_rejection_is_never_retried_and_proves_the_provider_is_up():
    # Given two failures on record, then a refusal of this text
    given = resilient(ScriptedTranslator([unavailable()], then=TranslationRejected("HTTP 400")), retries=0)
    with pytest.raises(ProviderUnavailable):
        given.translator.translate("hola", "es", "en")

    with pytest.raises(TranslationRejected):
        given.translator.translate("hola", "xx", "en")

    # Then it was asked once, and the provider counts as answering again
    assert given.inner.calls == 2
    assert given.translator.breaker.consecutive_failures == 0


def test_a_refused_key_is_not_retried_but_counts_toward_opening_the_breaker():
    given = resilient(ScriptedTranslator(then=ProviderRefused("HTTP 401")), retries=2, failures=2)
    for _ in range(2):
        with pytest.raises(ProviderRefused):
            given.translator.translate("hola", "es", "en")
    assert given.inner.calls == 2
    assert given.sleeps == []
    assert given.translator.breaker.state is BreakerState.OPEN


def test_backoff_doubles_up_to_its_cap_and_jitter_stays_inside_the_range():
    policy = RetryPolicy(retries=10, base_delay_seconds=0.2, max_delay_seconds=1.0)
    assert [policy.delay(attempt, lambda: 1.0) for attempt in range(5)] == pytest.approx([0.2, 0.4, 0.8, 1.0, 1.0])
    for attempt in range(5):
        ceiling = min(1.0, 0.2 * 2**attempt)
        assert 0.0 <= policy.delay(attempt) <= ceiling


def test_an_unexpected_adapter_error_becomes_unavailable_so_the_ticket_waits():
    given = resilient(ScriptedTranslator(then=KeyError("translations")), retries=0)
    with pytest.raises(ProviderUnavailable, match="unexpected KeyError"):
        given.translator.translate("hola", "es", "en")
    assert given.translator.breaker.consecutive_failures == 1


# --- the circuit breaker ----------------------------------------------------------------


def test_the_breaker_opens_after_n_failures_and_then_fails_fast_without_calling_the_provider():
    # Given a dead provider, no retries, and a breaker that opens after 3 failures
    given = resilient(ScriptedTranslator(then=unavailable()), retries=0, failures=3)
    for _ in range(3):
        with pytest.raises(ProviderUnavailable, match="HTTP 503"):
            given.translator.translate("hola", "es", "en")
    assert given.translator.breaker.state is BreakerState.OPEN

    # When more texts come
    for _ in range(5):
        with pytest.raises(CircuitOpen) as raised:
            given.translator.translate("hola", "es", "en")
        assert str(raised.value) == "circuit open"
        assert isinstance(raised.value, ProviderUnavailable)

    # Then the provider was not asked again
    assert given.inner.calls == 3


def test_retrying_stops_as_soon_as_the_breaker_opens():
    given = resilient(ScriptedTranslator(then=unavailable()), retries=5, failures=2)
    with pytest.raises(ProviderUnavailable, match="HTTP 503"):
        given.translator.translate("hola", "es", "en")
    assert given.inner.calls == 2
    assert len(given.sleeps) == 1


def test_only_consecutive_failures_open_the_breaker():
    given = resilient(
        ScriptedTranslator([unavailable(), unavailable(), "ok", unavailable(), unavailable()]), retries=0, failures=3
    )
    outcomes = []
    for _ in range(5):
        try:
            outcomes.append(given.translator.translate("hola", "es", "en"))
        except ProviderUnavailable:
            outcomes.append("unavailable")
    assert outcomes == ["unavailable", "unavailable", "ok", "unavailable", "unavailable"]
    assert given.translator.breaker.state is BreakerState.CLOSED


def test_after_the_cool_down_one_trial_call_goes_through_and_its_success_closes_the_breaker():
    # Given an open breaker
    given = resilient(ScriptedTranslator([unavailable()] * 3), retries=0, failures=3, cooldown=30)
    for _ in range(3):
        with pytest.raises(ProviderUnavailable):
            given.translator.translate("hola", "es", "en")

    # While cooling down, calls fail fast
    given.clock.advance(29.9)
    with pytest.raises(CircuitOpen):
        given.translator.translate("hola", "es", "en")

    # After the cool-down a trial goes through; the provider is back, so the breaker closes
    given.clock.advance(0.2)
    assert given.translator.translate("hola", "es", "en") == "translated"
    assert given.translator.breaker.state is BreakerState.CLOSED
    assert given.translator.translate("hola", "es", "en") == "translated"
    assert given.inner.calls == 5


def test_a_failed_trial_opens_the_breaker_again_for_a_full_cool_down():
    given = resilient(ScriptedTranslator(then=unavailable()), retries=2, failures=3, cooldown=30)
    with pytest.raises(ProviderUnavailable):
        given.translator.translate("hola", "es", "en")  # three attempts: open
    given.clock.advance(31)

    # The trial is one attempt (no retries while half-open), and it fails
    with pytest.raises(ProviderUnavailable, match="HTTP 503"):
        given.translator.translate("hola", "es", "en")
    assert given.inner.calls == 4
    assert given.translator.breaker.state is BreakerState.OPEN

    # So the next 30 s fail fast again
    given.clock.advance(29)
    with pytest.raises(CircuitOpen):
        given.translator.translate("hola", "es", "en")
    assert given.inner.calls == 4


def test_while_the_trial_is_in_flight_every_other_caller_fails_fast():
    # Given an open breaker whose cool-down has passed, and a provider slow to answer the trial
    inner = ScriptedTranslator([unavailable()])
    given = resilient(inner, retries=0, failures=1)
    with pytest.raises(ProviderUnavailable):
        given.translator.translate("hola", "es", "en")
    given.clock.advance(31)
    trial_may_answer = threading.Event()
    inner.gate = trial_may_answer

    # When ten threads translate at once
    outcomes: list[str] = []
    lock = threading.Lock()

    def call() -> None:
        try:
            result = given.translator.translate("hola", "es", "en")
        except CircuitOpen:
            result = "circuit open"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=call) for _ in range(10)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while len(outcomes) < 9 and time.monotonic() < deadline:
        time.sleep(0.01)
    trial_may_answer.set()
    for thread in threads:
        thread.join(5)

    # Then exactly one reached the provider, and it closed the breaker
    assert sorted(outcomes) == ["circuit open"] * 9 + ["translated"]
    assert inner.calls == 2
    assert given.translator.breaker.state is BreakerState.CLOSED


def test_failures_from_many_threads_are_all_counted():
    breaker = CircuitBreaker("busy", failure_threshold=10_000, cooldown_seconds=30)

    def fail_many() -> None:
        for _ in range(200):
            breaker.record_failure()

    threads = [threading.Thread(target=fail_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert breaker.consecutive_failures == 1_600


# --- the configured chain against local servers, through the translate stage ------------


@pytest.fixture(scope="module")
def libre_server() -> Iterator[FakeLibreTranslate]:
    with serving(FakeLibreTranslate()) as fake:
        yield fake


@pytest.fixture(scope="module")
def deepl_server() -> Iterator[FakeDeepL]:
    with serving(FakeDeepL()) as fake:
        yield fake


@pytest.fixture
def libre(libre_server: FakeLibreTranslate) -> FakeLibreTranslate:
    libre_server.reset()
    return libre_server


@pytest.fixture
def deepl(deepl_server: FakeDeepL) -> FakeDeepL:
    deepl_server.reset()
    return deepl_server


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def spanish_ticket(description: str = "Me cobraron dos veces la suscripción.") -> Ticket:
    return received_ticket(description=description, subject=None).advance(
        Status.DETECTED, T0, "detect_language", language=Language("es", 0.95, "text")
    )


def settings_for(**env: str) -> Settings:
    base = {
        "TRANSLATE_TIMEOUT_SECONDS": "2",
        "TRANSLATE_BACKOFF_SECONDS": "0.01",
        "TRANSLATE_BACKOFF_MAX_SECONDS": "0.02",
    }
    return Settings.from_env({**base, **env})


def test_retries_ride_out_a_brief_outage_and_the_ticket_is_translated(libre: FakeLibreTranslate):
    # Given LibreTranslate failing its next two requests, then answering
    libre.mode, libre.fail_times = "error", 2
    chain = build_translators(settings_for(TRANSLATORS="libre", LIBRETRANSLATE_URL=libre.url))

    # When the translate stage runs
    translation = stages.translate_fields(spanish_ticket(), chain, "en")

    # Then the third request translated it
    assert translation.status is TranslationStatus.DONE
    assert translation.provider == "libre"
    assert len(libre.translations) == 3


@pytest.mark.parametrize(
    ("order", "winner"),
    [("libre,deepl", "libre"), ("deepl,libre", "deepl")],
)
def test_the_first_provider_in_the_configured_order_translates(
    libre: FakeLibreTranslate, deepl: FakeDeepL, order: str, winner: str
):
    chain = build_translators(
        settings_for(
            TRANSLATORS=order,
            LIBRETRANSLATE_URL=libre.url,
            DEEPL_API_KEY=deepl.api_key,
            DEEPL_URL=deepl.url + "/v2/translate",
        )
    )
    translation = stages.translate_fields(spanish_ticket(), chain, "en")
    assert translation.provider == winner
    assert (len(libre.translations), len(deepl.translations)) == ((1, 0) if winner == "libre" else (0, 1))


@pytest.mark.parametrize("first_failure", ["down", "refused", "rejects"])
def test_the_chain_fails_over_to_the_next_provider(libre: FakeLibreTranslate, deepl: FakeDeepL, first_failure: str):
    # Given DeepL first, failing in one of three ways, and LibreTranslate second
    deepl_url = closed_port_url() + "/v2/translate" if first_failure == "down" else deepl.url + "/v2/translate"
    deepl.mode = {"down": "ok", "refused": "quota", "rejects": "reject"}[first_failure]
    chain = build_translators(
        settings_for(
            TRANSLATORS="deepl,libre",
            DEEPL_API_KEY=deepl.api_key,
            DEEPL_URL=deepl_url,
            LIBRETRANSLATE_URL=libre.url,
            TRANSLATE_RETRIES="0",
        )
    )

    # When the translate stage runs
    translation = stages.translate_fields(spanish_ticket(), chain, "en")

    # Then LibreTranslate translated it
    assert translation.status is TranslationStatus.DONE
    assert translation.provider == "libre"
    assert translation.description == "[en] Me cobraron dos veces la suscripción."


def test_with_every_provider_down_the_ticket_is_pending_and_says_why_in_order(libre: FakeLibreTranslate):
    libre.mode = "error"
    chain = build_translators(
        settings_for(
            TRANSLATORS="deepl,libre",
            DEEPL_API_KEY="key:fx",
            DEEPL_URL=closed_port_url() + "/v2/translate",
            LIBRETRANSLATE_URL=libre.url,
            TRANSLATE_RETRIES="0",
        )
    )
    translation = stages.translate_fields(spanish_ticket(), chain, "en")
    assert translation.status is TranslationStatus.PENDING
    reason = translation.reason or ""
    assert "deepl: unavailable" in reason and "libre: unavailable" in reason
    assert reason.index("deepl") < reason.index("libre")


def test_when_every_provider_rejects_the_text_the_translation_failed(libre: FakeLibreTranslate, deepl: FakeDeepL):
    libre.mode, deepl.mode = "reject", "reject"
    chain = build_translators(
        settings_for(
            TRANSLATORS="deepl,libre",
            DEEPL_API_KEY=deepl.api_key,
            DEEPL_URL=deepl.url + "/v2/translate",
            LIBRETRANSLATE_URL=libre.url,
        )
    )
    translation = stages.translate_fields(spanish_ticket(), chain, "en")
    assert translation.status is TranslationStatus.FAILED
    assert len(libre.translations) == 1 and len(deepl.translations) == 1  # rejections are not retried


def test_with_no_provider_configured_tickets_stay_untranslated_and_marked():
    assert build_translators(settings_for(TRANSLATORS="none")) == []
    translation = stages.translate_fields(spanish_ticket(), [], "en")
    assert translation.status is TranslationStatus.PENDING
    assert translation.reason == "no translation provider configured"


def test_a_dead_provider_costs_one_slow_ticket_then_fails_fast_and_recovers_after_the_cool_down(
    libre: FakeLibreTranslate,
):
    # Given LibreTranslate hanging, a 0.3 s timeout, 2 retries and a breaker opening after 3 failures
    libre.mode, libre.hang_seconds = "hang", 10
    clock = FakeClock()
    settings = settings_for(
        TRANSLATORS="libre",
        LIBRETRANSLATE_URL=libre.url,
        TRANSLATE_TIMEOUT_SECONDS="0.3",
        TRANSLATE_RETRIES="2",
        BREAKER_FAILURES="3",
        BREAKER_COOLDOWN_SECONDS="30",
    )
    chain = build_translators(settings, clock=clock)

    # When the first ticket comes, it waits out three timeouts and is left pending
    started = time.monotonic()
    first = stages.translate_fields(spanish_ticket(), chain, "en")
    assert first.status is TranslationStatus.PENDING
    assert 0.8 < time.monotonic() - started < 3.0
    assert len(libre.translations) == 3

    # Then the next tickets fail fast: no request, no timeout, pending with "circuit open"
    started = time.monotonic()
    for _ in range(5):
        later = stages.translate_fields(spanish_ticket(), chain, "en")
        assert later.status is TranslationStatus.PENDING
        assert "circuit open" in (later.reason or "")
    assert time.monotonic() - started < 0.5
    assert len(libre.translations) == 3

    # When the provider is back and the cool-down has passed
    libre.reset()
    clock.advance(31)

    # Then the next ticket is translated (the trial call), and so are the ones after it
    assert stages.translate_fields(spanish_ticket(), chain, "en").status is TranslationStatus.DONE
    assert stages.translate_fields(spanish_ticket(), chain, "en").status is TranslationStatus.DONE
    assert len(libre.translations) == 2
