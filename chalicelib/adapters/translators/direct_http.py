"""DeepL, Microsoft and LibreTranslate over their HTTP APIs directly: deep-translator 1.11.4
speaks protocols they no longer accept or does network I/O we cannot bound (see each class)."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.secrets import forget_secret
from chalicelib.adapters.translators.transport import (
    AUTO,
    UTF8_MAX_BYTES_PER_CHAR,
    api_key_value,
    checked_translation,
    http_request,
    provider_call,
    raise_for_status,
    response_json,
)
from chalicelib.domain.ports import TranslationRejected
from chalicelib.settings import SecretSetting

# --- DeepL (direct) --------------------------------------------------------------------------

# DeepL translates all of our languages (its 81 former beta languages are standard since
# January 2026). Targets need a variant for English and Portuguese; ZH-HANS is simplified.
_DEEPL_TARGET_VARIANTS = {"en": "EN-US", "pt": "PT-BR", "zh": "ZH-HANS"}
DEEPL_FREE_URL = "https://api-free.deepl.com/v2/translate"
DEEPL_PRO_URL = "https://api.deepl.com/v2/translate"


class DeeplTranslator:
    """DeepL's /v2/translate, called directly.

    deep-translator 1.11.4 sends a GET with the key in the query string; DeepL refuses both
    since January 2026 (POST with `Authorization: DeepL-Auth-Key ...` only). Keys ending in
    ":fx" belong to the free API and its own host. "auto" is sent as no source_lang.
    """

    name = "deepl"
    max_chars = 5_000
    max_bytes = max_chars * UTF8_MAX_BYTES_PER_CHAR  # DeepL limits the body to 128 KiB

    def __init__(self, api_key: SecretSetting, url: str | None, timeout_seconds: float) -> None:
        self._api_key = api_key
        self._url = url
        self._timeout = timeout_seconds

    def translate(self, text: str, source: str, target: str) -> str:
        if target == AUTO:
            raise TranslationRejected("deepl needs a target language")
        if not text.strip():
            return text
        key = api_key_value(self._api_key)
        body: dict[str, Any] = {"text": [text], "target_lang": _DEEPL_TARGET_VARIANTS.get(target, target.upper())}
        if source != AUTO:
            body["source_lang"] = source.upper()
        url = self._url or (DEEPL_FREE_URL if key.endswith(":fx") else DEEPL_PRO_URL)
        with provider_call(self._timeout):
            response = http_request("POST", url, json=body, headers={"Authorization": f"DeepL-Auth-Key {key}"})
        if response.status_code in (401, 403):
            forget_secret(self._api_key)  # a rotated key is read again on the next call
        raise_for_status(response)
        answer = response_json(response)
        try:
            translated = answer["translations"][0]["text"]
        except (KeyError, IndexError, TypeError):
            raise TranslationRejected("no translation in the answer") from None
        return checked_translation(translated)


# --- Microsoft Translator (direct) -----------------------------------------------------------

_MICROSOFT_CODES = {"zh": "zh-Hans", "tl": "fil"}
MICROSOFT_URL = "https://api.cognitive.microsofttranslator.com/translate"


class MicrosoftTranslator:
    """Azure AI Translator v3, called directly.

    deep-translator 1.11.4 fetches Microsoft's language list from the internet inside its
    constructor (no timeout, on every call), sends `from=auto` (Microsoft refuses it: no `from`
    means detect) and turns a connection error into an AttributeError.
    """

    name = "microsoft"
    max_chars = 10_000  # Microsoft takes 50,000 per request; more than any one field we send
    max_bytes = max_chars * UTF8_MAX_BYTES_PER_CHAR

    def __init__(self, api_key: SecretSetting, region: str | None, url: str | None, timeout_seconds: float) -> None:
        self._api_key = api_key
        self._region = region
        self._url = url or MICROSOFT_URL
        self._timeout = timeout_seconds

    def translate(self, text: str, source: str, target: str) -> str:
        if target == AUTO:
            raise TranslationRejected("microsoft needs a target language")
        if not text.strip():
            return text
        key = api_key_value(self._api_key)
        params = {"api-version": "3.0", "to": _MICROSOFT_CODES.get(target, target)}
        if source != AUTO:
            params["from"] = _MICROSOFT_CODES.get(source, source)
        headers = {"Ocp-Apim-Subscription-Key": key, "Content-Type": "application/json"}
        if self._region:
            headers["Ocp-Apim-Subscription-Region"] = self._region
        with provider_call(self._timeout):
            response = http_request("POST", self._url, params=params, json=[{"Text": text}], headers=headers)
        if response.status_code == 401:
            forget_secret(self._api_key)  # a rotated key is read again on the next call
        raise_for_status(response)
        answer = response_json(response)
        try:
            translated = answer[0]["translations"][0]["text"]
        except (KeyError, IndexError, TypeError):
            raise TranslationRejected("no translation in the answer") from None
        return checked_translation(translated)


# --- LibreTranslate (direct) -----------------------------------------------------------------


class LibreTranslator:
    """A LibreTranslate server (usually self-hosted): POST /translate with a JSON body.

    deep-translator 1.11.4 puts the text in the URL's query string: servers that read the JSON
    body never see it, and every proxy and access log in between would. Languages are not
    checked here: which ones a self-hosted server knows depends on its installed models, and
    it answers 400 for the others. The api key is optional (sent when set).
    """

    name = "libre"
    max_chars = 5_000
    max_bytes = max_chars * UTF8_MAX_BYTES_PER_CHAR

    def __init__(self, url: str, api_key: SecretSetting | None, timeout_seconds: float) -> None:
        # LIBRETRANSLATE_URL is the server's base URL, as LibreTranslate documents it.
        self._url = url if url.rstrip("/").endswith("/translate") else url.rstrip("/") + "/translate"
        self._api_key = api_key
        self._timeout = timeout_seconds

    def translate(self, text: str, source: str, target: str) -> str:
        if target == AUTO:
            raise TranslationRejected("libre needs a target language")
        if not text.strip():
            return text
        body = {"q": text, "source": source, "target": target, "format": "text"}
        if self._api_key is not None:
            body["api_key"] = api_key_value(self._api_key)
        with provider_call(self._timeout):
            response = http_request("POST", self._url, json=body)
        if response.status_code == 403 and self._api_key is not None:
            forget_secret(self._api_key)
        raise_for_status(response)
        answer = response_json(response)
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        return checked_translation(translated)
