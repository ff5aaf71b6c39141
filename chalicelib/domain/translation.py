"""Translating one text safely: mask, look in the cache, try each provider in order, restore.

Every translation in the desk (ticket fields, requester messages, agent replies) goes through
`TextTranslator.translate`, so masking, glossary, chunking, caching and metering apply alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from chalicelib.domain.chunking import translate_in_chunks
from chalicelib.domain.masking import Glossary, LostPlaceholder, MaskedText, default_glossary, mask
from chalicelib.domain.ports import ProviderUnavailable, TranslationRejected, Translator
from chalicelib.domain.ticket import Language


class TranslationCache(Protocol):
    """Translations of masked text: no personal data is ever a key or a value."""

    def get_many(self, keys: Sequence[str]) -> dict[str, str]: ...

    def put(self, key: str, translated: str) -> None: ...


class NoCache:
    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        return {}

    def put(self, key: str, translated: str) -> None:
        return None


@dataclass(frozen=True)
class TextTranslation:
    text: str
    provider: str
    characters_sent: int  # what the provider billed for: 0 on a cache hit
    cached: bool


class NotTranslated(RuntimeError):
    """No provider could translate; `retry_later` says whether an outage (not a refusal) was seen."""

    def __init__(self, reason: str, retry_later: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_later = retry_later


def cache_key(masked: str, source: str, target: str, glossary_version: str, provider: str) -> str:
    digest = hashlib.sha256(masked.encode("utf-8")).hexdigest()
    return f"{digest}#{source}#{target}#{glossary_version}#{provider}"


class TextTranslator:
    def __init__(
        self,
        providers: Sequence[Translator],
        cache: TranslationCache | None = None,
        glossary: Glossary | None = None,
    ) -> None:
        self.providers = list(providers)
        self.cache = cache or NoCache()
        self.glossary = glossary or default_glossary()

    def translate(
        self,
        text: str,
        source: str,
        target: str,
        known_ids: Sequence[str] = (),
        regions: Iterable[str | None] = (),
    ) -> TextTranslation:
        """The text in `target`, or NotTranslated. `source` may be "auto"."""
        masked = mask(text, target, self.glossary, known_ids, regions)
        if not masked.has_text:
            # Only ids, numbers or glossary terms: nothing a provider needs to see.
            return TextTranslation(masked.restore(masked.masked), "none", 0, cached=False)
        if not self.providers:
            raise NotTranslated("no translation provider configured", retry_later=False)
        keys = {
            provider.name: cache_key(masked.masked, source, target, self.glossary.version, provider.name)
            for provider in self.providers
        }
        hits = self._cached(list(keys.values()))
        problems: list[str] = []
        retry_later = False
        for provider in self.providers:
            key = keys[provider.name]
            if key in hits:
                try:
                    return TextTranslation(masked.restore(hits[key]), provider.name, 0, cached=True)
                except LostPlaceholder:
                    pass  # a bad cache entry: translate afresh
            try:
                translated = self._send(provider, masked, source, target)
            except ProviderUnavailable as error:
                retry_later = True
                problems.append(f"{provider.name}: unavailable ({error})")
                continue
            except (TranslationRejected, LostPlaceholder) as error:
                problems.append(f"{provider.name}: rejected ({error})")
                continue
            self._remember(key, translated.masked_result)
            return TextTranslation(translated.text, provider.name, translated.characters, cached=False)
        raise NotTranslated("; ".join(problems)[:500], retry_later)

    def _send(self, provider: Translator, masked: MaskedText, source: str, target: str) -> _Sent:
        result = translate_in_chunks(
            masked.masked,
            lambda chunk: provider.translate(chunk, source, target),
            provider.max_chars,
            getattr(provider, "max_bytes", None),
        )
        return _Sent(masked.restore(result), result, len(masked.masked))

    def _cached(self, keys: list[str]) -> dict[str, str]:
        try:
            return self.cache.get_many(keys)
        except Exception:  # the cache is an optimisation: never a reason to fail a translation
            return {}

    def _remember(self, key: str, masked_result: str) -> None:
        try:
            self.cache.put(key, masked_result)
        except Exception:
            return


@dataclass(frozen=True)
class _Sent:
    text: str  # restored
    masked_result: str  # as the provider answered, placeholders in: what the cache keeps
    characters: int


def romanized_reason(language: Language | None) -> str | None:
    """Why text in `language` is not sent to a machine translator, or None.

    Romanized text (Hinglish, Arabizi, Greeklish...: `script` "Latn" for a language usually
    written in another script) is misread by the providers, which expect the native script: a
    translation of it would look right and say something else. It is left for an agent who reads
    the language (the desk's claim prefers them), and the ticket says so."""
    if language is None or language.script is None:
        return None
    return (
        f"romanized {language.code} ({language.code}-{language.script}): machine translation misreads it; "
        f"left for an agent who reads {language.code}"
    )
