"""A local server speaking DeepL's /v2/translate protocol as DeepL accepts it today.

POST /v2/translate, `Authorization: DeepL-Auth-Key <key>`, JSON (or form) body
{"text": [...], "target_lang": "EN-US", "source_lang": "ES"?} ->
{"translations": [{"detected_source_language": "ES", "text": "[EN-US] ..."}]}.

Like DeepL since January 2026 it refuses (403) a GET, and a key sent as `auth_key` in the
query or body: the legacy protocol deep-translator 1.11.4 still speaks. "AUTO" is not a
source_lang (400): leaving it out is how DeepL detects.

Failure modes besides http_fake's: "empty" (an empty translation),
"quota" (456), "reject" (400), "forbidden" (403).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.fakes.http_fake import Answer, FakeProvider, Recorded, serving

LANGUAGES = frozenset(
    {
        "AR", "BG", "BN", "CS", "DA", "DE", "EL", "EN", "ES", "ET", "FA", "FI", "FR", "HE", "HI", "HU", "ID",
        "IT", "JA", "KO", "LT", "LV", "MS", "NB", "NL", "PL", "PT", "RO", "RU", "SK", "SL", "SV", "SW", "TH", "TL",
        "TR", "UK", "VI", "ZH",
    }
)  # fmt: skip
TARGET_VARIANTS = frozenset({"EN-US", "EN-GB", "PT-BR", "PT-PT", "ZH-HANS", "ZH-HANT"})


@dataclass(frozen=True)
class Received:
    text: list[str]
    source_lang: str | None
    target_lang: str
    request: Recorded


def _body(request: Recorded) -> dict[str, Any]:
    if request.content_type == "application/json" and request.body:
        body = request.json()
        return body if isinstance(body, dict) else {}
    if request.body:
        form = request.form()
        return {key: values if key == "text" else values[0] for key, values in form.items()}
    return {}


@dataclass
class FakeDeepL(FakeProvider):
    api_key: str = "deepl-test-key:fx"

    def handle(self, request: Recorded) -> Answer:
        body = _body(request)
        text = body.get("text") or []
        self.translations.append(
            Received(
                text if isinstance(text, list) else [text],
                body.get("source_lang"),
                str(body.get("target_lang", "")),
                request,
            )
        )
        return super().handle(request)

    def answer(self, request: Recorded) -> Answer:
        if request.path != "/v2/translate":
            return Answer(404, {"message": "Not found"})
        body = _body(request)
        if request.method != "POST" or "auth_key" in request.query or "auth_key" in body:
            return Answer(403, {"message": "Legacy authentication method is no longer supported."})
        if request.header("authorization") != f"DeepL-Auth-Key {self.api_key}":
            return Answer(403, {"message": "Forbidden"})
        texts = body.get("text")
        if not isinstance(texts, list) or not texts:
            return Answer(400, {"message": "Parameter 'text' not specified."})
        target = str(body.get("target_lang", "")).upper()
        if target not in LANGUAGES | TARGET_VARIANTS:
            return Answer(400, {"message": "Value for 'target_lang' not supported."})
        source = body.get("source_lang")
        if source is not None and str(source).upper() not in LANGUAGES:
            return Answer(400, {"message": "Value for 'source_lang' not supported."})
        detected = str(source).upper() if source else "ES"
        return Answer(
            200,
            {
                "translations": [
                    {"detected_source_language": detected, "text": self.translate(t, target)} for t in texts
                ]
            },
        )

    def failure(self, mode: str, request: Recorded) -> Answer:
        if mode == "quota":
            return Answer(456, {"message": "Quota Exceeded"})
        if mode == "reject":
            return Answer(400, {"message": "Bad request"})
        if mode == "forbidden":
            return Answer(403, {"message": "Forbidden"})
        if mode == "empty":
            return Answer(200, {"translations": [{"detected_source_language": "ES", "text": ""}]})
        if mode == "throttle":
            return Answer(429, {"message": "Too many requests"})
        return super().failure(mode, request)


@contextmanager
def deepl_server() -> Iterator[FakeDeepL]:
    with serving(FakeDeepL()) as fake:
        yield fake
