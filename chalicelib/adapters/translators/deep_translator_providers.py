"""Google and MyMemory through deep-translator, with our transport in place of `requests`."""

from __future__ import annotations

import requests

from chalicelib.adapters.resilient_translator import ProviderRefused
from chalicelib.adapters.translators.transport import (
    AUTO,
    checked_translation,
    failure_of_deep_translator,
    provider_call,
    provider_code,
    raise_for_status,
    response_json,
    through_transport,
)
from chalicelib.domain.ports import ProviderUnavailable, TranslationRejected

# --- Google (deep-translator) ----------------------------------------------------------------

# deep-translator's Google client knows a few of our ISO 639-1 codes by older names.
_GOOGLE_CODES = {"he": "iw", "zh": "zh-CN"}


class GoogleTranslator:
    """Google Translate through deep-translator (no API key; the public mobile page).

    `base_url` points it elsewhere (a test server speaking the same protocol).
    """

    name = "google"
    max_chars = 4_900  # deep-translator refuses 5,000 characters or more
    # The text travels in the URL of a GET, where non-ASCII bytes take 3 characters each:
    # 5,000 bytes stay under the ~16 KB that front ends accept in a request line.
    max_bytes = 5_000

    def __init__(self, base_url: str | None, timeout_seconds: float) -> None:
        self._base_url = base_url
        self._timeout = timeout_seconds

    def translate(self, text: str, source: str, target: str) -> str:
        from deep_translator import GoogleTranslator as DeepGoogle
        from deep_translator import exceptions, google

        through_transport(google)
        with provider_call(self._timeout) as call:
            try:
                client = DeepGoogle(source=_GOOGLE_CODES.get(source, source), target=_GOOGLE_CODES.get(target, target))
            except (exceptions.LanguageNotSupportedException, exceptions.InvalidSourceOrTargetLanguage) as error:
                raise TranslationRejected(str(error).split("\n")[0][:120]) from None
            if not text.strip():
                return text
            if self._base_url:
                client._base_url = self._base_url
            try:
                translated = client.translate(text)
            except (ProviderUnavailable, TranslationRejected):
                raise
            except Exception as error:
                raise failure_of_deep_translator(error, call) from None
        return checked_translation(translated)


# --- MyMemory (deep-translator) --------------------------------------------------------------

# deep-translator only accepts MyMemory's regional codes; where a language has several, the
# variant most of our requesters write (Latin-American Spanish is read fine as es-ES by MyMemory).
_MYMEMORY_CODES = {
    "en": "en-US",
    "es": "es-ES",
    "pt": "pt-BR",
    "fr": "fr-FR",
    "de": "de-DE",
    "it": "it-IT",
    "nl": "nl-NL",
    "pl": "pl-PL",
    "tr": "tr-TR",
    "ru": "ru-RU",
    "uk": "uk-UA",
    "ar": "ar-SA",
    "fa": "fa-IR",
    "hi": "hi-IN",
    "bn": "bn-IN",
    "id": "id-ID",
    "ms": "ms-MY",
    "vi": "vi-VN",
    "th": "th-TH",
    "ja": "ja-JP",
    "ko": "ko-KR",
    "zh": "zh-CN",
    "tl": "tl-PH",
    "sv": "sv-SE",
    "sw": "sw-KE",
    "ro": "ro-RO",
    "el": "el-GR",
    "he": "he-IL",
    "cs": "cs-CZ",
    "hu": "hu-HU",
}
# MyMemory answers HTTP 200 and puts its own status in the body.
_MYMEMORY_QUOTA_STATUSES = frozenset({429})


class MyMemoryTranslator:
    """MyMemory through deep-translator. It cannot detect the source language ("auto" is refused
    before any request) and reports errors and spent quotas inside an HTTP 200 body."""

    name = "mymemory"
    max_chars = 499  # deep-translator refuses 500 characters or more
    max_bytes = 500  # MyMemory's own limit on `q`, in bytes of UTF-8

    def __init__(self, base_url: str | None, email: str | None, timeout_seconds: float) -> None:
        self._base_url = base_url
        self._email = email
        self._timeout = timeout_seconds

    def translate(self, text: str, source: str, target: str) -> str:
        from deep_translator import MyMemoryTranslator as DeepMyMemory
        from deep_translator import mymemory

        if source == AUTO:
            raise TranslationRejected("mymemory cannot detect the source language")
        source_code = provider_code(_MYMEMORY_CODES, source, self.name)
        target_code = provider_code(_MYMEMORY_CODES, target, self.name)
        if not text.strip():
            return text
        through_transport(mymemory)
        with provider_call(self._timeout) as call:
            try:
                client = DeepMyMemory(source=source_code, target=target_code, email=self._email)
                if self._base_url:
                    client._base_url = self._base_url
                translated = client.translate(text)
            except (ProviderUnavailable, TranslationRejected):
                raise
            except Exception as error:
                if call.responses:
                    _check_mymemory_answer(call.responses[-1])  # its own status says more
                if isinstance(error, StopIteration):  # no translation and no match to fall back on
                    raise TranslationRejected("empty translation") from None
                raise failure_of_deep_translator(error, call) from None
            if call.responses:
                _check_mymemory_answer(call.responses[-1])
        return checked_translation(translated)


def _check_mymemory_answer(response: requests.Response) -> None:
    raise_for_status(response)
    body = response_json(response)
    if not isinstance(body, dict):
        raise ProviderUnavailable("unexpected answer")
    try:
        status = int(body.get("responseStatus") or 200)
    except (TypeError, ValueError):
        status = 200
    details = str(body.get("responseDetails") or "")[:120]
    if body.get("quotaFinished") or status in _MYMEMORY_QUOTA_STATUSES:
        raise ProviderRefused(f"quota spent{': ' + details if details else ''}")
    if status >= 500:
        raise ProviderUnavailable(f"status {status}{': ' + details if details else ''}")
    if status >= 400:
        raise TranslationRejected(f"status {status}{': ' + details if details else ''}")
