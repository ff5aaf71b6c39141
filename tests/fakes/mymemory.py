"""A local server speaking MyMemory's GET /get protocol as deep-translator calls it.

GET /get?q=<text>&langpair=<source>|<target>[&de=<email>] ->
{"responseData": {"translatedText": "[<target>] <q>", "match": 0.85}, "responseStatus": 200, ...}.
Like MyMemory it answers HTTP 200 even for errors and puts its own status in the body: an
unknown or "auto" source language is responseStatus 403, a spent quota is responseStatus 429
with quotaFinished, a q over 500 bytes is 403.

Failure modes besides http_fake's: "empty" (an empty translation),
"quota" (HTTP 200, body status 429), "reject" (body 403).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.fakes.http_fake import Answer, FakeProvider, Recorded, serving

MAX_QUERY_BYTES = 500


def _body(translated: str, status: int, details: str = "", quota_finished: bool = False) -> Answer:
    return Answer(
        200,
        {
            "responseData": {"translatedText": translated, "match": 0.85 if status == 200 else 0},
            "quotaFinished": quota_finished,
            "mtLangSupported": None,
            "responseDetails": details,
            "responseStatus": status,
            "responderId": None,
            "exception_code": None,
            "matches": [],
        },
    )


def _invalid(message: str) -> Answer:
    return _body(message, 403, message)


@dataclass(frozen=True)
class Received:
    q: str
    source: str
    target: str
    email: str | None
    request: Recorded


@dataclass
class FakeMyMemory(FakeProvider):
    def handle(self, request: Recorded) -> Answer:
        source, _, target = request.query.get("langpair", [""])[0].partition("|")
        self.translations.append(
            Received(request.query.get("q", [""])[0], source, target, request.query.get("de", [None])[0], request)
        )
        return super().handle(request)

    def answer(self, request: Recorded) -> Answer:
        if request.path != "/get":
            return Answer(404, b"Not Found", {"Content-Type": "text/html"})
        received = self.translations[-1]
        if not received.q:
            return _invalid("NO QUERY SPECIFIED. EXAMPLE REQUEST: GET?Q=HELLO&LANGPAIR=EN|IT")
        for code, role in ((received.source, "SOURCE"), (received.target, "TARGET")):
            if "-" not in code or code.lower() in ("auto", "autodetect"):
                return _invalid(f"'{code.upper()}' IS AN INVALID {role} LANGUAGE . EXAMPLE: LANGPAIR=EN|IT")
        if len(received.q.encode("utf-8")) > MAX_QUERY_BYTES:
            return _invalid("QUERY LENGTH LIMIT EXCEEDED. MAX ALLOWED QUERY : 500 CHARS")
        return _body(self.translate(received.q, received.target), 200)

    def failure(self, mode: str, request: Recorded) -> Answer:
        if mode == "quota":
            warning = "MYMEMORY WARNING: YOU USED ALL AVAILABLE FREE TRANSLATIONS FOR TODAY."
            return _body(warning, 429, warning, quota_finished=True)
        if mode == "empty":
            return _body("", 200)
        if mode == "reject":
            return _invalid("'XX' IS AN INVALID SOURCE LANGUAGE . EXAMPLE: LANGPAIR=EN|IT")
        return super().failure(mode, request)


@contextmanager
def mymemory_server() -> Iterator[FakeMyMemory]:
    with serving(FakeMyMemory()) as fake:
        yield fake
