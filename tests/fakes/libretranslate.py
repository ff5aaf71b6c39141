"""A local server speaking LibreTranslate's protocol, recording everything it receives.

POST /translate with {q, source, target, format, api_key} -> {"translatedText": "[<target>] <q>"}
(plus "detectedLanguage" when source is "auto"). Like LibreTranslate it reads the fields from a
JSON body, a form body or the query string; `Received.sent_as` says which, so a test can assert
the text never travelled in the URL. GET /languages lists what it translates.

Failure modes besides http_fake's: "reject" (400, as for an unsupported language),
"forbidden" (403, a refused api key), "empty" (an empty translatedText).

Run it by hand for the local stack (prints each request as a JSON line):
    python -m tests.fakes.libretranslate --port 5000
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs

from chalicelib.domain.catalog import served_languages
from tests.fakes.http_fake import Answer, FakeProvider, Recorded, request_handler, serving

# What a LibreTranslate with every Argos model installed translates: all the languages we serve.
LANGUAGES = served_languages()


@dataclass(frozen=True)
class Received:
    q: str
    source: str
    target: str
    api_key: str | None
    sent_as: str  # "json", "form" or "query"
    request: Recorded


def _fields(request: Recorded) -> tuple[dict[str, str], str]:
    if request.content_type == "application/json" and request.body:
        body = request.json()
        return ({key: str(value) for key, value in body.items()} if isinstance(body, dict) else {}), "json"
    if request.content_type == "application/x-www-form-urlencoded" and request.body:
        return {key: values[0] for key, values in parse_qs(request.body.decode("utf-8")).items()}, "form"
    return {key: values[0] for key, values in request.query.items()}, "query"


@dataclass
class FakeLibreTranslate(FakeProvider):
    languages: frozenset[str] = LANGUAGES
    # When set, requests must carry this api_key (403 otherwise), like a server run with --api-keys.
    required_api_key: str | None = None

    def reset(self) -> None:
        super().reset()
        self.required_api_key = None
        self.languages = LANGUAGES

    def handle(self, request: Recorded) -> Answer:
        if request.path.rstrip("/") == "/translate":
            fields, sent_as = _fields(request)
            self.translations.append(
                Received(
                    fields.get("q", ""),
                    fields.get("source", ""),
                    fields.get("target", ""),
                    fields.get("api_key"),
                    sent_as,
                    request,
                )
            )
        return super().handle(request)

    def answer(self, request: Recorded) -> Answer:
        path = request.path.rstrip("/")
        if path == "/languages" and request.method == "GET":
            targets = sorted(self.languages)
            return Answer(200, [{"code": code, "name": code, "targets": targets} for code in targets])
        if path != "/translate" or request.method != "POST":
            return Answer(404, {"error": "Not Found"})
        fields, _ = _fields(request)
        if self.required_api_key is not None and fields.get("api_key") != self.required_api_key:
            return Answer(403, {"error": "Invalid API key"})
        for name in ("q", "source", "target"):
            if not fields.get(name):
                return Answer(400, {"error": f"Invalid request: missing {name} parameter"})
        source, target = fields["source"], fields["target"]
        if source != "auto" and source not in self.languages:
            return Answer(400, {"error": f"{source} is not supported"})
        if target not in self.languages:
            return Answer(400, {"error": f"{target} is not supported"})
        answer: dict[str, object] = {"translatedText": self.translate(fields["q"], target)}
        if source == "auto":
            answer["detectedLanguage"] = {"confidence": 90.0, "language": "es"}
        return Answer(200, answer)

    def failure(self, mode: str, request: Recorded) -> Answer:
        if mode == "reject":
            return Answer(400, {"error": "xx is not supported"})
        if mode == "forbidden":
            return Answer(403, {"error": "Invalid API key"})
        if mode == "empty":
            return Answer(200, {"translatedText": ""})
        if mode == "throttle":
            return Answer(429, {"error": "Too many request limits violations"})
        return super().failure(mode, request)


@contextmanager
def libretranslate_server() -> Iterator[FakeLibreTranslate]:
    with serving(FakeLibreTranslate()) as fake:
        yield fake


class _PrintingLibreTranslate(FakeLibreTranslate):
    def handle(self, request: Recorded) -> Answer:
        answer = super().handle(request)
        if request.path.rstrip("/") == "/translate":
            seen = self.translations[-1]
            line = {"q": seen.q, "source": seen.source, "target": seen.target, "status": answer.status}
            print(json.dumps(line, ensure_ascii=False), flush=True)
        return answer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.libretranslate")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), request_handler(_PrintingLibreTranslate()))
    server.daemon_threads = True
    print(f"LibreTranslate-protocol fake on http://127.0.0.1:{args.port} (Ctrl-C stops it)", file=sys.stderr)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
