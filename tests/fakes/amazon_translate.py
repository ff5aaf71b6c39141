"""A local stand-in for Amazon Translate's TranslateText (moto does not implement Translate).

boto3 reaches it through AWS_ENDPOINT_URL_TRANSLATE and speaks the AWS JSON 1.1 protocol:
POST / with `X-Amz-Target: AWSShineFrontendService_20170701.TranslateText` and
{"Text", "SourceLanguageCode", "TargetLanguageCode"} -> {"TranslatedText", "SourceLanguageCode",
"TargetLanguageCode"}. Errors are {"__type": ..., "message": ...} with the HTTP status AWS uses.

Failure modes besides http_fake's: "empty" (an empty translation),
"reject" (UnsupportedLanguagePairException),
"denied" (AccessDeniedException), "unavailable" (503 ServiceUnavailableException).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from chalicelib.domain.catalog import served_languages
from tests.fakes.http_fake import Answer, FakeProvider, Recorded, serving

TRANSLATE_TEXT = "AWSShineFrontendService_20170701.TranslateText"
MAX_TEXT_BYTES = 10_000
JSON_11 = {"Content-Type": "application/x-amz-json-1.1"}


def _error(status: int, error_type: str, message: str) -> Answer:
    return Answer(status, {"__type": error_type, "message": message}, {**JSON_11, "x-amzn-ErrorType": error_type})


@dataclass(frozen=True)
class Received:
    text: str
    source: str
    target: str
    signed: bool  # carried a SigV4 Authorization header
    request: Recorded


@dataclass
class FakeAmazonTranslate(FakeProvider):
    languages: frozenset[str] = field(default_factory=served_languages)

    def handle(self, request: Recorded) -> Answer:
        if request.header("x-amz-target") == TRANSLATE_TEXT and request.body:
            body = request.json()
            self.translations.append(
                Received(
                    str(body.get("Text", "")),
                    str(body.get("SourceLanguageCode", "")),
                    str(body.get("TargetLanguageCode", "")),
                    (request.header("authorization") or "").startswith("AWS4-HMAC-SHA256 "),
                    request,
                )
            )
        return super().handle(request)

    def answer(self, request: Recorded) -> Answer:
        if request.method != "POST" or request.header("x-amz-target") != TRANSLATE_TEXT:
            return _error(400, "UnknownOperationException", "unknown operation")
        received = self.translations[-1]
        if not received.signed:
            return _error(400, "MissingAuthenticationTokenException", "Missing Authentication Token")
        if len(received.text.encode("utf-8")) > MAX_TEXT_BYTES:
            return _error(400, "TextSizeLimitExceededException", "Input text size exceeds limit.")
        source, target = received.source, received.target
        if (source != "auto" and source not in self.languages) or target not in self.languages or source == target:
            return _error(
                400,
                "UnsupportedLanguagePairException",
                f"Unsupported language pair: {source} to {target}.",
            )
        detected = "es" if source == "auto" else source
        return Answer(
            200,
            {
                "TranslatedText": self.translate(received.text, target),
                "SourceLanguageCode": detected,
                "TargetLanguageCode": target,
            },
            JSON_11,
        )

    def failure(self, mode: str, request: Recorded) -> Answer:
        if mode == "reject":
            return _error(400, "UnsupportedLanguagePairException", "Unsupported language pair: xx to en.")
        if mode == "denied":
            return _error(400, "AccessDeniedException", "User is not authorized to perform: translate:TranslateText")
        if mode == "empty":
            return Answer(200, {"TranslatedText": "", "SourceLanguageCode": "es", "TargetLanguageCode": "en"}, JSON_11)
        if mode == "throttle":
            return _error(429, "TooManyRequestsException", "Rate exceeded")
        if mode == "unavailable":
            return _error(503, "ServiceUnavailableException", "Service unavailable")
        return _error(500, "InternalServerException", "Internal server error")


@contextmanager
def amazon_translate_server() -> Iterator[FakeAmazonTranslate]:
    with serving(FakeAmazonTranslate()) as fake:
        yield fake
