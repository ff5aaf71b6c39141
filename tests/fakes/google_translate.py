"""A local HTTP server that speaks the Google Translate mobile-page protocol deep-translator uses.

GET /m?sl=<source>&tl=<target>&q=<text> answers an HTML page whose
<div class="result-container"> holds the translation. The fake "translates" by tagging the
text with the target language, records every request, and can be switched to fail.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


@dataclass
class Received:
    source: str
    target: str
    text: str


@dataclass
class FakeGoogleTranslate:
    """mode: "ok", "error" (HTTP 500), "throttle" (HTTP 429) or "hang" (answers after `hang_seconds`)."""

    mode: str = "ok"
    hang_seconds: float = 5.0
    received: list[Received] = field(default_factory=list)
    url: str = ""

    @staticmethod
    def translate(text: str, target: str) -> str:
        return f"[{target}] {text}"


def _handler(fake: FakeGoogleTranslate) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = parse_qs(urlparse(self.path).query)
            text = query.get("q", [""])[0]
            received = Received(query.get("sl", [""])[0], query.get("tl", [""])[0], text)
            fake.received.append(received)
            if fake.mode == "hang":
                time.sleep(fake.hang_seconds)
            if fake.mode in ("error", "throttle"):
                self.send_response(500 if fake.mode == "error" else 429)
                self.end_headers()
                return
            translated = html.escape(fake.translate(text, received.target))
            page = f'<html><body><div class="result-container">{translated}</div></body></html>'
            body = page.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def google_translate_server(mode: str = "ok") -> Iterator[FakeGoogleTranslate]:
    fake = FakeGoogleTranslate(mode=mode)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/m"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
