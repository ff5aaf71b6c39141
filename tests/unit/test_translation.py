"""One text through masking, the cache and the failover chain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from chalicelib.domain.masking import build_glossary
from chalicelib.domain.ports import ProviderUnavailable, TranslationRejected
from chalicelib.domain.translation import NotTranslated, TextTranslator

GLOSSARY = build_glossary({"version": "g1", "terms": [{"term": "TikTok Shop"}]})


@dataclass
class RecordingProvider:
    name: str
    max_chars: int = 5_000
    max_bytes: int = 100_000
    fails_with: type[Exception] | None = None
    drops_placeholders: bool = False
    received: list[str] = field(default_factory=list)

    def translate(self, text: str, source: str, target: str) -> str:
        self.received.append(text)
        if self.fails_with is not None:
            raise self.fails_with("no")
        if self.drops_placeholders:
            return "translated without the placeholders"
        return f"<{target}>{text}"


@dataclass
class MemoryCache:
    entries: dict[str, str] = field(default_factory=dict)
    broken: bool = False

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        if self.broken:
            raise RuntimeError("cache down")
        return {key: self.entries[key] for key in keys if key in self.entries}

    def put(self, key: str, translated: str) -> None:
        if self.broken:
            raise RuntimeError("cache down")
        self.entries[key] = translated


def test_the_provider_never_sees_personal_data_and_the_result_has_it_back() -> None:
    provider = RecordingProvider("libre")
    result = TextTranslator([provider], MemoryCache(), GLOSSARY).translate(
        "mi correo es ana@x.mx y compré en TikTok Shop", "es", "en"
    )
    assert provider.received == ["mi correo es [[1]] y compré en [[2]]"]
    assert result.text == "<en>mi correo es ana@x.mx y compré en TikTok Shop"
    assert (result.provider, result.characters_sent, result.cached) == ("libre", len(provider.received[0]), False)


def test_the_same_text_is_never_paid_for_twice() -> None:
    # Given a translation already done once
    provider, cache = RecordingProvider("libre"), MemoryCache()
    translator = TextTranslator([provider], cache, GLOSSARY)
    translator.translate("no llegó mi pedido, escribe a ana@x.mx", "es", "en")
    # When the same words come again, even with another e-mail address
    again = translator.translate("no llegó mi pedido, escribe a luis@y.mx", "es", "en")
    # Then the cache answers, nothing is sent, and the new address is restored
    assert len(provider.received) == 1
    assert again.cached and again.characters_sent == 0
    assert again.text == "<en>no llegó mi pedido, escribe a luis@y.mx"
    # And no personal data is in the cache
    assert not any("@" in key or "@" in value for key, value in cache.entries.items())


def test_the_cache_is_per_target_language_and_provider() -> None:
    first, cache = RecordingProvider("libre"), MemoryCache()
    TextTranslator([first], cache, GLOSSARY).translate("hola, ayuda", "es", "en")
    TextTranslator([first], cache, GLOSSARY).translate("hola, ayuda", "es", "fr")
    other = RecordingProvider("google")
    TextTranslator([other], cache, GLOSSARY).translate("hola, ayuda", "es", "en")
    assert len(first.received) == 2 and len(other.received) == 1


def test_a_broken_cache_does_not_stop_translation() -> None:
    result = TextTranslator([RecordingProvider("libre")], MemoryCache(broken=True), GLOSSARY).translate(
        "hola", "es", "en"
    )
    assert result.text == "<en>hola"


def test_failover_goes_down_the_chain_in_order() -> None:
    down = RecordingProvider("aws", fails_with=ProviderUnavailable)
    lossy = RecordingProvider("mymemory", drops_placeholders=True)
    good = RecordingProvider("google")
    result = TextTranslator([down, lossy, good], MemoryCache(), GLOSSARY).translate("correo ana@x.mx", "es", "en")
    assert result.provider == "google"
    assert [len(p.received) for p in (down, lossy, good)] == [1, 1, 1]


@pytest.mark.parametrize(
    ("failures", "retry_later"),
    [
        ((ProviderUnavailable, ProviderUnavailable), True),
        ((TranslationRejected, TranslationRejected), False),
        ((TranslationRejected, ProviderUnavailable), True),
    ],
)
def test_when_nothing_translates_the_caller_learns_whether_to_retry(failures, retry_later) -> None:
    chain = [RecordingProvider(f"p{index}", fails_with=failure) for index, failure in enumerate(failures)]
    with pytest.raises(NotTranslated) as raised:
        TextTranslator(chain, MemoryCache(), GLOSSARY).translate("hola", "es", "en")
    assert raised.value.retry_later is retry_later
    assert "p0" in raised.value.reason and "p1" in raised.value.reason


def test_long_text_is_sent_in_pieces_under_the_providers_limit() -> None:
    provider = RecordingProvider("aws", max_chars=10_000, max_bytes=60)
    text = "支払いが失敗しました。" * 10
    result = TextTranslator([provider], MemoryCache(), GLOSSARY).translate(text, "ja", "en")
    assert all(len(piece.encode()) <= 60 for piece in provider.received)
    assert result.text.replace("<en>", "") == text


def test_only_ids_and_glossary_terms_need_no_provider() -> None:
    provider = RecordingProvider("libre")
    result = TextTranslator([provider], MemoryCache(), GLOSSARY).translate("ORD-99812 TikTok Shop", "es", "en")
    assert result.text == "ORD-99812 TikTok Shop" and provider.received == []


def test_romanized_text_is_never_sent_to_a_provider_neither_a_ticket_nor_a_message() -> None:
    from dataclasses import replace

    from chalicelib.domain.conversation import Author, new_message, translate_message
    from chalicelib.domain.stages import translate_fields
    from chalicelib.domain.ticket import Language, TranslationStatus
    from tests.integration.builders import T0, received_ticket

    # Given a Hinglish ticket (detected as Hindi in Latin script) and a provider
    provider = RecordingProvider("google")
    hinglish = Language("hi", 0.93, "text", "Latn")
    ticket = replace(received_ticket(description="mera payment fail ho gaya yaar"), language=hinglish)

    # When its fields and a requester message in the same writing are translated
    fields = translate_fields(ticket, TextTranslator([provider]), "en")
    message = new_message(ticket, Author.REQUESTER, "paise kab wapas aayenge", T0, "en")
    message = translate_message(replace(message, language=hinglish), ticket, None, TextTranslator([provider]))

    # Then neither reached the provider; both say they are left for a Hindi reader
    assert provider.received == []
    for translation in (fields, message.translation):
        assert translation.status is TranslationStatus.FAILED and "romanized hi (hi-Latn)" in translation.reason
    # And the same language in its own script is translated as always
    native = replace(ticket, language=Language("hi", 0.99, "text"))
    assert translate_fields(native, TextTranslator([provider]), "en").status is TranslationStatus.DONE
