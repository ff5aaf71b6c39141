"""The common part of the local provider servers: record every request, answer, or misbehave.

A fake provider subclasses `FakeProvider` and implements `answer(request)` in the provider's
own protocol. Tests switch `mode` to make it fail the way real providers do:

  ok            answer normally
  error         HTTP 500          throttle      HTTP 429
  hang          answer only after `hang_seconds` (released early by `reset()`)
  trickle       answer normally, but send the body one byte every `trickle_seconds`
  anything else the subclass's own failure (see its `answer`)

`fail_times = n` limits the failure to the next n requests; later ones are answered normally
(a provider that recovers). Nothing here ever reaches the internet.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlparse


@dataclass(frozen=True)
class Recorded:
    """One request exactly as the provider received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any = None  # JSON-encoded unless bytes
    headers: dict[str, str] = field(default_factory=dict)
    seconds_per_byte: float = 0.0  # > 0: the body trickles out

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return b"" if self.body is None else json.dumps(self.body, ensure_ascii=False).encode("utf-8")


@dataclass
class FakeProvider:
    mode: str = "ok"
    hang_seconds: float = 5.0
    trickle_seconds: float = 0.05
    fail_times: int | None = None
    received: list[Recorded] = field(default_factory=list)
    url: str = ""  # http://127.0.0.1:<port>, set once the server runs
    _release: threading.Event = field(default_factory=threading.Event, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # Bumped by reset(): requests still being answered from before it stop trickling.
    generation: int = 0
    # What each translation request asked for, parsed by the provider's protocol.
    translations: list[Any] = field(default_factory=list)

    @staticmethod
    def translate(text: str, target: str) -> str:
        """The fake's "translation": the text tagged with the target language."""
        return f"[{target}] {text}"

    def reset(self) -> None:
        """Back to answering normally, with nothing recorded; hanging requests are let go."""
        self._release.set()
        self._release = threading.Event()
        self.generation += 1
        self.mode = "ok"
        self.hang_seconds = 5.0
        self.trickle_seconds = 0.05
        self.fail_times = None
        self.received.clear()
        self.translations.clear()

    def answer(self, request: Recorded) -> Answer:
        raise NotImplementedError

    def failure(self, mode: str, request: Recorded) -> Answer:
        """The answer for a failure mode the subclass does not define itself."""
        if mode == "throttle":
            return Answer(429, {"error": "too many requests"})
        return Answer(500, {"error": "internal error"})

    def _mode_for_this_request(self) -> str:
        with self._lock:
            if self.mode == "ok":
                return "ok"
            if self.fail_times is None:
                return self.mode
            if self.fail_times <= 0:
                return "ok"
            self.fail_times -= 1
            return self.mode

    def handle(self, request: Recorded) -> Answer:
        self.received.append(request)
        mode = self._mode_for_this_request()
        if mode == "hang":
            self._release.wait(self.hang_seconds)
            mode = "ok"
        if mode == "trickle":
            return replace(self.answer(request), seconds_per_byte=self.trickle_seconds)
        if mode == "ok":
            return self.answer(request)
        return self.failure(mode, request)


def request_handler(fake: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parsed = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Recorded(
                method=self.command,
                path=parsed.path,
                query=parse_qs(parsed.query, keep_blank_values=True),
                headers={name.lower(): value for name, value in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            generation = fake.generation
            answer = fake.handle(request)
            body = answer.encoded()
            try:
                self.send_response(answer.status)
                headers = {"Content-Type": "application/json; charset=utf-8", **answer.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if answer.seconds_per_byte <= 0:
                    self.wfile.write(body)
                    return
                for index in range(len(body)):
                    if fake.generation != generation:
                        return
                    self.wfile.write(body[index : index + 1])
                    self.wfile.flush()
                    time.sleep(answer.seconds_per_byte)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


Fake = TypeVar("Fake", bound=FakeProvider)


@contextmanager
def serving(fake: Fake) -> Iterator[Fake]:
    """Run `fake` on a free local port for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), request_handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.reset()  # let go of any hanging request first
        server.shutdown()
        server.server_close()
