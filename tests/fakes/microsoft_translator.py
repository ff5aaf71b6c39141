"""A local server speaking Azure AI Translator v3 (the Microsoft provider).

POST /translate?api-version=3.0&to=<code>[&from=<code>] with headers Ocp-Apim-Subscription-Key
(and Ocp-Apim-Subscription-Region) and a JSON body [{"Text": "..."}] ->
[{"translations": [{"text": "[<to>] ...", "to": "<to>"}]}], plus "detectedLanguage" when
`from` is absent. Errors are {"error": {"code": <status>xxx, "message": ...}} as Microsoft
sends them; `from=auto` is refused (400035) like the real service does.

Failure modes besides http_fake's: "empty" (an empty translation),
"quota" (403001), "reject" (400000), "unauthorized" (401000).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.fakes.http_fake import Answer, FakeProvider, Recorded, serving

LANGUAGES = frozenset(
    {
        "en", "es", "pt", "fr", "de", "it", "nl", "pl", "tr", "ru", "uk", "ar", "fa", "hi", "bn", "id", "ms",
        "vi", "th", "ja", "ko", "zh-Hans", "zh-Hant", "fil", "sv", "sw", "ro", "el", "he", "cs", "hu",
    }
)  # fmt: skip


def _error(status: int, code: int, message: str) -> Answer:
    return Answer(status, {"error": {"code": code, "message": message}})


@dataclass(frozen=True)
class Received:
    texts: list[str]
    source: str | None
    target: str
    region: str | None
    request: Recorded


@dataclass
class FakeMicrosoftTranslator(FakeProvider):
    api_key: str = "microsoft-test-key"

    def handle(self, request: Recorded) -> Answer:
        try:
            body = request.json() if request.body else []
        except ValueError:
            body = []
        texts = [str(item.get("Text", item.get("text", ""))) for item in body if isinstance(item, dict)]
        self.translations.append(
            Received(
                texts,
                request.query.get("from", [None])[0],
                request.query.get("to", [""])[0],
                request.header("ocp-apim-subscription-region"),
                request,
            )
        )
        return super().handle(request)

    def answer(self, request: Recorded) -> Answer:
        if request.path != "/translate" or request.method != "POST":
            return _error(404, 404000, "The requested resource was not found.")
        if request.header("ocp-apim-subscription-key") != self.api_key:
            return _error(401, 401000, "The request is not authorized because credentials are missing or invalid.")
        if request.query.get("api-version") != ["3.0"]:
            return _error(400, 400021, "The API version parameter is missing or invalid.")
        received = self.translations[-1]
        if received.source is not None and received.source not in LANGUAGES:
            return _error(400, 400035, "The source language is not valid.")
        if received.target not in LANGUAGES:
            return _error(400, 400036, "The target language is not valid.")
        if not received.texts:
            return _error(400, 400074, "The body of the request is not valid JSON.")
        results = []
        for text in received.texts:
            result: dict[str, object] = {
                "translations": [{"text": self.translate(text, received.target), "to": received.target}]
            }
            if received.source is None:
                result["detectedLanguage"] = {"language": "es", "score": 1.0}
            results.append(result)
        return Answer(200, results)

    def failure(self, mode: str, request: Recorded) -> Answer:
        if mode == "quota":
            return _error(
                403, 403001, "The operation is not allowed because the subscription has exceeded its free quota."
            )
        if mode == "reject":
            return _error(400, 400000, "One of the request inputs is not valid.")
        if mode == "unauthorized":
            return _error(401, 401000, "The request is not authorized because credentials are missing or invalid.")
        if mode == "empty":
            return Answer(200, [{"translations": [{"text": "", "to": "en"}]}])
        if mode == "throttle":
            return _error(
                429, 429000, "The server rejected the request because the client has exceeded request limits."
            )
        return _error(500, 500000, "An unexpected error occurred.")


@contextmanager
def microsoft_translator_server() -> Iterator[FakeMicrosoftTranslator]:
    with serving(FakeMicrosoftTranslator()) as fake:
        yield fake
