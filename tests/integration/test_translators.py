"""Every provider adapter against a local server speaking its protocol; never the internet.

Amazon Translate (boto3, reached through AWS_ENDPOINT_URL_TRANSLATE), DeepL, Microsoft,
LibreTranslate and MyMemory each: translate with the provider's own language codes, and turn
every way a provider fails into ProviderUnavailable (try later), ProviderRefused (its key or
quota: try another) or TranslationRejected (this text or pair will not be translated).
Google has its own file (test_google_translator.py).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from chalicelib.adapters.resilient_translator import ProviderRefused
from chalicelib.adapters.translators import (
    AmazonTranslator,
    DeeplTranslator,
    LibreTranslator,
    MicrosoftTranslator,
    MyMemoryTranslator,
    deep_translator_providers,
    direct_http,
)
from chalicelib.domain.catalog import served_languages
from chalicelib.domain.ports import ProviderUnavailable, TranslationRejected, Translator
from chalicelib.settings import SecretSetting
from tests.fakes.amazon_translate import FakeAmazonTranslate
from tests.fakes.deepl import FakeDeepL
from tests.fakes.http_fake import FakeProvider, serving
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.fakes.microsoft_translator import FakeMicrosoftTranslator
from tests.fakes.mymemory import FakeMyMemory

DEEPL_KEY = "deepl-test-key:fx"
MICROSOFT_KEY = "microsoft-test-key"
TIMEOUT = 2.0
SHORT_TIMEOUT = 0.3


def closed_port_url() -> str:
    """A local URL nothing listens on: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@dataclass(frozen=True)
class Sent:
    """What a provider received, in its own codes (source None: left for it to detect)."""

    source: str | None
    target: str
    text: str


@dataclass(frozen=True)
class Provider:
    """How to point one adapter at a server, and how to read what that server received."""

    name: str
    build: Callable[[str, float, pytest.MonkeyPatch], Translator]
    sent: Callable[[FakeProvider], list[Sent]]
    # Our code -> the provider's, both as a source and as a target.
    codes: dict[str, tuple[str, str]]


def _amazon(base_url: str, timeout: float, monkeypatch: pytest.MonkeyPatch) -> Translator:
    # boto3 reads AWS_ENDPOINT_URL_TRANSLATE when the client is made (on the first call).
    monkeypatch.setenv("AWS_ENDPOINT_URL_TRANSLATE", base_url)
    return AmazonTranslator(timeout)


PROVIDERS = {
    "aws": Provider(
        "aws",
        _amazon,
        lambda fake: [Sent(t.source, t.target, t.text) for t in fake.translations],  # type: ignore[attr-defined]
        {"es": ("es", "es"), "he": ("he", "he"), "zh": ("zh", "zh"), "tl": ("tl", "tl"), "en": ("en", "en")},
    ),
    "deepl": Provider(
        "deepl",
        lambda url, timeout, _: DeeplTranslator(
            SecretSetting("DEEPL_API_KEY", value=DEEPL_KEY), url + "/v2/translate", timeout
        ),
        lambda fake: [Sent(t.source_lang, t.target_lang, t.text[0]) for t in fake.translations],  # type: ignore[attr-defined]
        {"es": ("ES", "ES"), "he": ("HE", "HE"), "zh": ("ZH", "ZH-HANS"), "pt": ("PT", "PT-BR"), "en": ("EN", "EN-US")},
    ),
    "microsoft": Provider(
        "microsoft",
        lambda url, timeout, _: MicrosoftTranslator(
            SecretSetting("MICROSOFT_API_KEY", value=MICROSOFT_KEY), "westeurope", url + "/translate", timeout
        ),
        lambda fake: [Sent(t.source, t.target, t.texts[0]) for t in fake.translations],  # type: ignore[attr-defined]
        {
            "es": ("es", "es"),
            "he": ("he", "he"),
            "zh": ("zh-Hans", "zh-Hans"),
            "tl": ("fil", "fil"),
            "en": ("en", "en"),
        },
    ),
    "libre": Provider(
        "libre",
        lambda url, timeout, _: LibreTranslator(url, None, timeout),
        lambda fake: [Sent(t.source, t.target, t.q) for t in fake.translations],  # type: ignore[attr-defined]
        {"es": ("es", "es"), "he": ("he", "he"), "zh": ("zh", "zh"), "tl": ("tl", "tl"), "en": ("en", "en")},
    ),
    "mymemory": Provider(
        "mymemory",
        lambda url, timeout, _: MyMemoryTranslator(url + "/get", None, timeout),
        lambda fake: [Sent(t.source, t.target, t.q) for t in fake.translations],  # type: ignore[attr-defined]
        {
            "es": ("es-ES", "es-ES"),
            "he": ("he-IL", "he-IL"),
            "zh": ("zh-CN", "zh-CN"),
            "tl": ("tl-PH", "tl-PH"),
            "en": ("en-US", "en-US"),
        },
    ),
}
FAKES: dict[str, type[FakeProvider]] = {
    "aws": FakeAmazonTranslate,
    "deepl": FakeDeepL,
    "microsoft": FakeMicrosoftTranslator,
    "libre": FakeLibreTranslate,
    "mymemory": FakeMyMemory,
}


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, FakeProvider]]:
    """One server per provider for the whole module (starting and stopping them costs time)."""
    running: dict[str, FakeProvider] = {}
    contexts = [serving(FAKES[name]()) for name in PROVIDERS]
    try:
        for name, context in zip(PROVIDERS, contexts, strict=True):
            running[name] = context.__enter__()
        yield running
    finally:
        for context in reversed(contexts[: len(running)]):
            context.__exit__(None, None, None)


@pytest.fixture(params=list(PROVIDERS))
def provider(request: pytest.FixtureRequest) -> Provider:
    return PROVIDERS[request.param]


@dataclass
class Running:
    """One provider's adapter and the server it talks to."""

    provider: Provider
    fake: FakeProvider
    monkeypatch: pytest.MonkeyPatch

    def translator(self, timeout: float = TIMEOUT, url: str | None = None) -> Translator:
        return self.provider.build(url or self.fake.url, timeout, self.monkeypatch)

    def sent(self) -> list[Sent]:
        return self.provider.sent(self.fake)


@pytest.fixture
def running(provider: Provider, servers: dict[str, FakeProvider], monkeypatch: pytest.MonkeyPatch) -> Running:
    fake = servers[provider.name]
    fake.reset()
    return Running(provider, fake, monkeypatch)


def translated_by_fake(fake: FakeProvider, text: str, target: str) -> str:
    return type(fake).translate(text, target)  # type: ignore[attr-defined]


# --- translating, with the provider's own codes ------------------------------------------


def test_each_provider_translates_and_is_asked_in_its_own_codes(running: Running):
    # Given the adapter pointed at its provider
    translator = running.translator()
    source, _ = running.provider.codes["es"]
    _, target = running.provider.codes["en"]

    # When a Spanish text is translated into English
    translated = translator.translate("Me cobraron dos veces", "es", "en")

    # Then the provider's answer comes back, and it was asked es -> en in its own codes
    assert translated == translated_by_fake(running.fake, "Me cobraron dos veces", target)
    assert running.sent() == [Sent(source, target, "Me cobraron dos veces")]


def test_codes_a_provider_spells_differently_are_mapped_both_ways(running: Running):
    english_source, english_target = running.provider.codes["en"]
    translator = running.translator()
    for ours, (theirs_as_source, theirs_as_target) in running.provider.codes.items():
        if ours == "en":
            continue
        running.fake.reset()

        translator.translate("texto", ours, "en")
        translator.translate("text", "en", ours)

        assert [(sent.source, sent.target) for sent in running.sent()] == [
            (theirs_as_source, english_target),
            (english_source, theirs_as_target),
        ], ours


def test_every_served_language_is_accepted_as_a_source(running: Running):
    translator = running.translator()
    for code in sorted(served_languages() - {"en"}):
        assert translator.translate("texto", code, "en"), code
    assert len(running.sent()) == len(served_languages()) - 1


def test_white_space_alone_is_not_sent(running: Running):
    assert running.translator().translate(" \n ", "es", "en") == " \n "
    assert running.fake.received == []


# --- outages: worth trying again ---------------------------------------------------------


@pytest.mark.parametrize("mode", ["error", "throttle"], ids=["http-5xx", "http-429"])
def test_a_failing_or_throttling_provider_is_unavailable_after_one_request(running: Running, mode: str):
    # Given a provider answering 500 or 429
    running.fake.mode = mode

    # Then the adapter reports it unavailable (not refused: worth retrying), after one request
    with pytest.raises(ProviderUnavailable) as raised:
        running.translator().translate("hola", "es", "en")
    assert not isinstance(raised.value, ProviderRefused)
    assert len(running.fake.received) == 1  # no retries hidden inside the adapter or its client


def test_a_provider_that_hangs_past_the_timeout_is_unavailable_in_time(running: Running):
    # Given a provider that answers only after 5 seconds, and a 0.3 s timeout
    running.fake.mode = "hang"
    running.fake.hang_seconds = 5
    translator = running.translator(timeout=SHORT_TIMEOUT)

    # When translating
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable):
        translator.translate("hola", "es", "en")

    # Then the call gave up after about the timeout, not after the provider's 5 seconds
    assert time.monotonic() - started < 2.0


def test_a_provider_nobody_listens_for_is_unavailable(running: Running):
    with pytest.raises(ProviderUnavailable):
        running.translator(url=closed_port_url()).translate("hola", "es", "en")


def test_an_answer_trickling_in_past_the_timeout_is_unavailable(running: Running):
    if running.provider.name == "aws":
        pytest.skip("botocore bounds each read, not the whole answer; AWS does not trickle")
    # Given a provider that sends its answer one byte every 50 ms (several seconds in all)
    running.fake.mode = "trickle"
    running.fake.trickle_seconds = 0.05
    translator = running.translator(timeout=0.5)

    # Then the whole answer is bounded by the timeout, not each read
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable):
        translator.translate("hola", "es", "en")
    assert time.monotonic() - started < 2.0


# --- refusals: another provider may help -------------------------------------------------

REFUSED_MODES = {
    "aws": ["denied"],
    "deepl": ["quota", "forbidden"],
    "microsoft": ["quota", "unauthorized"],
    "libre": ["forbidden"],
    "mymemory": ["quota"],
}


def test_a_refused_key_or_spent_quota_is_refused_not_retried(running: Running):
    for mode in REFUSED_MODES[running.provider.name]:
        # Given the provider refusing our key or out of quota
        running.fake.reset()
        running.fake.mode = mode

        # Then the adapter says so: unavailable for us (fail over), but not worth an instant retry
        with pytest.raises(ProviderRefused):
            running.translator().translate("hola", "es", "en")


# --- rejections: this text will not be translated ---------------------------------------


def test_a_4xx_about_the_input_is_rejected(running: Running):
    running.fake.mode = "reject"
    with pytest.raises(TranslationRejected):
        running.translator().translate("hola", "es", "en")


def test_an_empty_answer_is_rejected(running: Running):
    running.fake.mode = "empty"
    with pytest.raises(TranslationRejected):
        running.translator().translate("hola", "es", "en")


def test_a_language_nobody_has_heard_of_is_rejected(running: Running):
    with pytest.raises(TranslationRejected):
        running.translator().translate("hola", "xx", "en")


# --- LibreTranslate ---------------------------------------------------------------------


@pytest.fixture
def libre(servers: dict[str, FakeProvider]) -> FakeLibreTranslate:
    fake = servers["libre"]
    fake.reset()
    assert isinstance(fake, FakeLibreTranslate)
    return fake


def test_libre_gets_the_text_in_a_json_body_never_in_the_url(libre: FakeLibreTranslate):
    LibreTranslator(libre.url, None, TIMEOUT).translate("Mi tarjeta 4111 fue rechazada", "es", "en")

    [received] = libre.translations
    assert received.sent_as == "json"
    assert received.request.method == "POST"
    assert received.request.path == "/translate"
    assert received.request.query == {}
    assert received.request.json() == {
        "q": "Mi tarjeta 4111 fue rechazada",
        "source": "es",
        "target": "en",
        "format": "text",
    }


def test_libre_sends_its_api_key_when_one_is_configured(libre: FakeLibreTranslate):
    # Given a server run with API keys, and the adapter holding the right one
    libre.required_api_key = "libre-key"
    translator = LibreTranslator(libre.url, SecretSetting("LIBRETRANSLATE_API_KEY", value="libre-key"), TIMEOUT)

    # Then it translates, and the key went in the body
    assert translator.translate("hola", "es", "en") == "[en] hola"
    assert libre.translations[-1].api_key == "libre-key"


def test_libre_with_the_wrong_api_key_is_refused(libre: FakeLibreTranslate):
    libre.required_api_key = "libre-key"
    translator = LibreTranslator(libre.url, SecretSetting("LIBRETRANSLATE_API_KEY", value="stale"), TIMEOUT)
    with pytest.raises(ProviderRefused):
        translator.translate("hola", "es", "en")


@pytest.mark.parametrize("suffix", ["", "/", "/translate", "/translate/"])
def test_libre_takes_the_server_url_with_or_without_the_endpoint(libre: FakeLibreTranslate, suffix: str):
    assert LibreTranslator(libre.url + suffix, None, TIMEOUT).translate("hola", "es", "en") == "[en] hola"


def test_libre_leaves_an_undetermined_source_to_the_server(libre: FakeLibreTranslate):
    assert LibreTranslator(libre.url, None, TIMEOUT).translate("¿hola?", "auto", "en") == "[en] ¿hola?"
    assert libre.translations[-1].source == "auto"


def test_libre_rejects_a_language_the_server_has_no_model_for(libre: FakeLibreTranslate):
    # Given a self-hosted server with only a few models installed
    libre.languages = frozenset({"en", "es"})

    # Then a language outside them is rejected by the server, and the adapter says so
    with pytest.raises(TranslationRejected, match="sv is not supported"):
        LibreTranslator(libre.url, None, TIMEOUT).translate("hej", "sv", "en")


# --- DeepL ------------------------------------------------------------------------------


@pytest.fixture
def deepl(servers: dict[str, FakeProvider]) -> FakeDeepL:
    fake = servers["deepl"]
    fake.reset()
    assert isinstance(fake, FakeDeepL)
    return fake


def deepl_translator(fake: FakeDeepL, key: str = DEEPL_KEY, url: str | None = None) -> DeeplTranslator:
    return DeeplTranslator(SecretSetting("DEEPL_API_KEY", value=key), url or fake.url + "/v2/translate", TIMEOUT)


def test_deepl_is_called_the_way_deepl_accepts_today(deepl: FakeDeepL):
    deepl_translator(deepl).translate("hola", "es", "en")

    [received] = deepl.translations
    request = received.request
    assert request.method == "POST"
    assert request.header("authorization") == f"DeepL-Auth-Key {DEEPL_KEY}"
    assert request.query == {}
    assert request.json() == {"text": ["hola"], "target_lang": "EN-US", "source_lang": "ES"}
    assert DEEPL_KEY not in request.body.decode()


def test_deepl_detects_the_source_itself_when_it_is_undetermined(deepl: FakeDeepL):
    assert deepl_translator(deepl).translate("hola", "auto", "en") == "[EN-US] hola"
    assert "source_lang" not in deepl.translations[-1].request.json()


def test_deepl_free_keys_go_to_the_free_api_and_others_to_pro(deepl: FakeDeepL, monkeypatch: pytest.MonkeyPatch):
    # Given the free host served by the fake and the pro host unreachable
    monkeypatch.setattr(direct_http, "DEEPL_FREE_URL", deepl.url + "/v2/translate")
    monkeypatch.setattr(direct_http, "DEEPL_PRO_URL", closed_port_url() + "/v2/translate")

    # Then a ":fx" key (DeepL API Free) is sent to the free host
    free = DeeplTranslator(SecretSetting("DEEPL_API_KEY", value=DEEPL_KEY), None, TIMEOUT)
    assert free.translate("hola", "es", "en") == "[EN-US] hola"
    # And a Pro key to the pro host
    pro = DeeplTranslator(SecretSetting("DEEPL_API_KEY", value="pro-key"), None, TIMEOUT)
    with pytest.raises(ProviderUnavailable):
        pro.translate("hola", "es", "en")


def test_the_legacy_protocol_deep_translator_speaks_is_refused_by_deepl(deepl: FakeDeepL):
    # Why DeeplTranslator does not go through deep-translator 1.11.4: a GET with auth_key in
    # the query string, which DeepL refuses since January 2026.
    from deep_translator import DeeplTranslator as DeepTranslatorDeepl
    from deep_translator.exceptions import AuthorizationException

    legacy = DeepTranslatorDeepl(api_key=DEEPL_KEY, source="es", target="en", use_free_api=True)
    legacy._base_url = deepl.url + "/v2/"
    with pytest.raises(AuthorizationException):
        legacy.translate("hola")
    assert deepl.translations[-1].request.method == "GET"


# --- Microsoft ---------------------------------------------------------------------------


@pytest.fixture
def microsoft(servers: dict[str, FakeProvider]) -> FakeMicrosoftTranslator:
    fake = servers["microsoft"]
    fake.reset()
    assert isinstance(fake, FakeMicrosoftTranslator)
    return fake


def test_microsoft_gets_key_region_version_and_a_json_body(microsoft: FakeMicrosoftTranslator):
    translator = MicrosoftTranslator(
        SecretSetting("MICROSOFT_API_KEY", value=MICROSOFT_KEY), "westeurope", microsoft.url + "/translate", TIMEOUT
    )
    assert translator.translate("hola", "es", "en") == "[en] hola"

    request = microsoft.translations[-1].request
    assert request.header("ocp-apim-subscription-key") == MICROSOFT_KEY
    assert request.header("ocp-apim-subscription-region") == "westeurope"
    assert request.query == {"api-version": ["3.0"], "to": ["en"], "from": ["es"]}
    assert request.json() == [{"Text": "hola"}]


def test_microsoft_detects_the_source_itself_and_needs_no_region(microsoft: FakeMicrosoftTranslator):
    # A global (not regional) resource needs no region header; no `from` means "detect it"
    translator = MicrosoftTranslator(
        SecretSetting("MICROSOFT_API_KEY", value=MICROSOFT_KEY), None, microsoft.url + "/translate", TIMEOUT
    )
    assert translator.translate("hola", "auto", "en") == "[en] hola"
    received = microsoft.translations[-1]
    assert received.source is None
    assert received.region is None


# --- MyMemory ----------------------------------------------------------------------------


@pytest.fixture
def mymemory(servers: dict[str, FakeProvider]) -> FakeMyMemory:
    fake = servers["mymemory"]
    fake.reset()
    assert isinstance(fake, FakeMyMemory)
    return fake


def test_mymemory_cannot_detect_so_an_undetermined_source_is_rejected_without_a_request(mymemory: FakeMyMemory):
    with pytest.raises(TranslationRejected):
        MyMemoryTranslator(mymemory.url + "/get", None, TIMEOUT).translate("hola", "auto", "en")
    assert mymemory.received == []


def test_mymemory_gets_the_contact_email_that_raises_its_quota(mymemory: FakeMyMemory):
    MyMemoryTranslator(mymemory.url + "/get", "support@example.com", TIMEOUT).translate("hola", "es", "en")
    assert mymemory.translations[-1].email == "support@example.com"


def test_mymemory_text_over_its_limit_is_rejected_without_a_request(mymemory: FakeMyMemory):
    translator = MyMemoryTranslator(mymemory.url + "/get", None, TIMEOUT)
    assert translator.max_chars < 500 and translator.max_bytes <= 500
    with pytest.raises(TranslationRejected):
        translator.translate("a" * 600, "es", "en")
    assert mymemory.received == []


def test_mymemory_errors_inside_a_200_answer_are_not_taken_for_translations(mymemory: FakeMyMemory):
    translator = MyMemoryTranslator(mymemory.url + "/get", None, TIMEOUT)
    # A spent quota comes back as HTTP 200 with a warning where the translation should be
    mymemory.mode = "quota"
    with pytest.raises(ProviderRefused, match="quota"):
        translator.translate("hola", "es", "en")
    # And an invalid language pair as HTTP 200 with status 403 in the body
    mymemory.mode = "reject"
    with pytest.raises(TranslationRejected, match="INVALID SOURCE LANGUAGE"):
        translator.translate("hola", "es", "en")


def test_every_mymemory_code_we_use_is_one_deep_translator_accepts():
    from deep_translator.constants import MY_MEMORY_LANGUAGES_TO_CODES

    assert set(deep_translator_providers._MYMEMORY_CODES) == served_languages()
    assert set(deep_translator_providers._MYMEMORY_CODES.values()) <= set(MY_MEMORY_LANGUAGES_TO_CODES.values())


# --- Amazon Translate --------------------------------------------------------------------


@pytest.fixture
def amazon(servers: dict[str, FakeProvider], monkeypatch: pytest.MonkeyPatch) -> FakeAmazonTranslate:
    fake = servers["aws"]
    fake.reset()
    assert isinstance(fake, FakeAmazonTranslate)
    monkeypatch.setenv("AWS_ENDPOINT_URL_TRANSLATE", fake.url)
    return fake


def test_amazon_translate_is_reached_through_its_endpoint_variable_with_a_signed_request(
    amazon: FakeAmazonTranslate,
):
    assert AmazonTranslator(TIMEOUT).translate("hola", "auto", "en") == "[en] hola"

    [received] = amazon.translations
    assert received.signed
    assert (received.source, received.target, received.text) == ("auto", "en", "hola")
    assert received.request.header("x-amz-target") == "AWSShineFrontendService_20170701.TranslateText"


def test_amazon_translate_takes_up_to_10000_bytes_and_rejects_more_without_a_request(amazon: FakeAmazonTranslate):
    translator = AmazonTranslator(TIMEOUT)
    assert (translator.max_chars, translator.max_bytes) == (10_000, 10_000)
    # 3,333 CJK characters are 9,999 bytes of UTF-8: one request
    assert translator.translate("払" * 3_333, "ja", "en").startswith("[en] ")
    # 3,334 are 10,002 bytes: over the limit, refused before any request
    with pytest.raises(TranslationRejected):
        translator.translate("払" * 3_334, "ja", "en")
    assert len(amazon.translations) == 1


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("reject", TranslationRejected),
        ("denied", ProviderRefused),
        ("throttle", ProviderUnavailable),
        ("unavailable", ProviderUnavailable),
        ("error", ProviderUnavailable),
    ],
)
def test_amazon_translate_errors_are_classified_by_their_type(
    amazon: FakeAmazonTranslate, mode: str, error: type[Exception]
):
    amazon.mode = mode
    with pytest.raises(error):
        AmazonTranslator(TIMEOUT).translate("hola", "es", "en")
    assert len(amazon.received) == 1  # botocore's own retries are off: ours decide


def test_amazon_translate_refusing_to_detect_the_source_rejects_only_undetermined_texts(amazon: FakeAmazonTranslate):
    # Given a role allowed to translate but not to call Comprehend (source detection)
    amazon.mode = "denied"

    # Then an undetermined text is rejected (the next provider may detect it), without blaming
    # the provider as a whole
    with pytest.raises(TranslationRejected, match="source detection"):
        AmazonTranslator(TIMEOUT).translate("hola", "auto", "en")
