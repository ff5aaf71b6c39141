"""Translator adapters and the factory that builds the configured failover chain."""

from __future__ import annotations

import types
from typing import Any

from chalicelib.domain.ports import ProviderUnavailable, TranslationRejected, Translator
from chalicelib.settings import Settings

# deep-translator's Google client knows a few of our ISO 639-1 codes by older names.
_GOOGLE_CODES = {"he": "iw", "zh": "zh-CN"}


class GoogleTranslator:
    """Google Translate through deep-translator (no API key; the public mobile endpoint).

    `base_url` points it elsewhere (a test server speaking the same protocol). deep-translator
    calls requests without a timeout, so its module is given a requests stand-in that adds one:
    a dead provider must cost seconds, never the whole Lambda timeout.
    """

    name = "google"
    max_chars = 4_900  # deep-translator refuses 5,000 characters or more

    def __init__(self, base_url: str | None, timeout_seconds: float) -> None:
        self._base_url = base_url
        self._timeout = timeout_seconds

    def translate(self, text: str, source: str, target: str) -> str:
        import requests
        from deep_translator import GoogleTranslator as DeepGoogle
        from deep_translator import exceptions, google

        google.requests = _requests_with_timeout(requests, self._timeout)  # type: ignore[attr-defined]
        try:
            client = DeepGoogle(source=_GOOGLE_CODES.get(source, source), target=_GOOGLE_CODES.get(target, target))
        except (exceptions.LanguageNotSupportedException, exceptions.InvalidSourceOrTargetLanguage) as error:
            raise TranslationRejected(str(error)) from None
        if self._base_url:
            client._base_url = self._base_url
        try:
            translated = client.translate(text)
        except (requests.RequestException, exceptions.TooManyRequests, exceptions.RequestError) as error:
            raise ProviderUnavailable(type(error).__name__) from None
        except (exceptions.NotValidLength, exceptions.NotValidPayload, exceptions.TranslationNotFound) as error:
            raise TranslationRejected(type(error).__name__) from None
        if not isinstance(translated, str) or not translated.strip():
            raise TranslationRejected("empty translation")
        return translated


def _requests_with_timeout(requests_module: Any, timeout: float) -> Any:
    def get(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", timeout)
        return requests_module.get(*args, **kwargs)

    stand_in = types.SimpleNamespace(**{name: getattr(requests_module, name) for name in ("exceptions", "post")})
    stand_in.get = get
    return stand_in


def build_translators(settings: Settings) -> list[Translator]:
    """The failover chain in the configured order; `none` contributes no provider."""
    chain: list[Translator] = []
    for name in settings.translators:
        if name == "google":
            chain.append(GoogleTranslator(settings.google_translate_url, settings.translate_timeout_seconds))
    return chain
