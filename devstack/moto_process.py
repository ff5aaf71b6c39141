"""moto's server in a process of its own, with devstack.moto_patches applied.

    python -m devstack.moto_process [--host 127.0.0.1] [--port 0]

Prints one line, `moto listening on http://HOST:PORT`, once it accepts connections, then serves
until SIGTERM or SIGINT (or its stdin closes, so it never outlives the stack that started it).
The local stack starts it with `LocalStack(moto="process")` (what `make run` and `make bench`
do): the emulator then has its own interpreter and GIL instead of sharing the stack's.
`MotoProcess` is the parent's side: start, the endpoint, stop.

Connections are kept alive: werkzeug's development server (moto's) answers every request with
`Connection: close`, so each AWS call paid a TCP connect, a server thread and a name lookup;
under the bench's load that was half of the stack's time. Here the request body is read whole
(by its Content-Length) before moto sees it, so the next request starts where it should, and
the `close` is dropped; a request with a chunked body still closes its connection.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import signal
import subprocess
import sys
import threading
from types import FrameType
from typing import Any

READY_PREFIX = "moto listening on "
START_TIMEOUT_SECONDS = 60.0


def keep_alive_handler() -> type:
    """moto's request handler, answering requests that have a Content-Length on a kept-alive
    HTTP/1.1 connection (werkzeug's own run_wsgi closes every connection; a chunked request
    body still goes through it)."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class KeepAliveMotoRequestHandler(MotoRequestHandler):  # type: ignore[misc,valid-type]
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as they are written, no 40 ms stall

        def run_wsgi(self) -> None:
            length = (self.headers.get("Content-Length") or "0").strip()
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower() or not length.isdigit():
                super().run_wsgi()
                return
            environ = self.make_environ()
            environ["wsgi.input"] = io.BytesIO(self.rfile.read(int(length)))
            status, headers, body = _call_app(self.server.app, environ)
            code, _, reason = status.partition(" ")
            self.send_response(int(code), reason)
            sent_length = False
            for name, value in headers:
                lowered = name.lower()
                if lowered in ("connection", "transfer-encoding"):
                    continue
                if lowered == "content-length":
                    if self.command != "HEAD":
                        continue  # ours, from the body we have
                    sent_length = True
                self.send_header(name, value)
            no_body = self.command == "HEAD" or int(code) in (204, 304) or int(code) < 200
            if not no_body:
                self.send_header("Content-Length", str(len(body)))
            elif not sent_length and self.command == "HEAD":
                self.send_header("Content-Length", "0")
            self.end_headers()
            if not no_body:
                self.wfile.write(body)
            self.wfile.flush()

    return KeepAliveMotoRequestHandler


def _call_app(app: Any, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run a WSGI app to completion: (status, headers, whole body); a crash is a plain 500."""
    started: list[Any] = []
    chunks: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started[:] = [status, headers]
        return chunks.append

    try:
        answer = app(environ, start_response)
        try:
            chunks.extend(answer)
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
    except Exception:
        logging.getLogger("devstack.moto_process").exception("moto raised")
        return "500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")], b"moto raised"
    return started[0], started[1], b"".join(chunks)


def dispatcher() -> Any:
    """moto's WSGI app (one Flask app per service, picked per request), remembering which
    service a host name means: moto works it out anew for every request, listing its own
    package directory and trying a few hundred URL patterns (a fifth of its time under load)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    class RememberingDispatcher(DomainDispatcherApplication):  # type: ignore[misc,valid-type]
        def __init__(self) -> None:
            super().__init__(create_backend_app)
            self._backend_for_host: dict[str | None, Any] = {}

        def get_backend_for_host(self, host: str | None) -> Any:
            if host not in self._backend_for_host:  # called under the dispatcher's lock
                self._backend_for_host[host] = super().get_backend_for_host(host)
            return self._backend_for_host[host]

    return RememberingDispatcher()


def start_server(host: str, port: int) -> Any:
    """moto's WSGI app on a threaded, keep-alive server, serving in a daemon thread; stop it
    with `shutdown()` then `server_close()`."""
    from werkzeug.serving import make_server

    server = make_server(host, port, dispatcher(), True, request_handler=keep_alive_handler())
    # Kept-alive connections park their (daemon) threads until the client closes: do not wait
    # for them when the server closes.
    server.block_on_close = False
    threading.Thread(target=server.serve_forever, name="moto-server", daemon=True).start()
    return server


def serve(host: str, port: int) -> int:
    from devstack.moto_patches import apply

    for name in ("werkzeug", "moto"):  # not a line per request
        logging.getLogger(name).setLevel(logging.ERROR)
    apply()
    server = start_server(host, port)
    bound_host, bound_port = server.server_address[:2]
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    def watch_stdin() -> None:  # the parent died or closed our stdin: stop
        with contextlib.suppress(OSError):
            while os.read(0, 4096):
                pass
        stopping.set()

    threading.Thread(target=watch_stdin, name="moto-stdin-watch", daemon=True).start()
    print(f"{READY_PREFIX}http://{bound_host}:{bound_port}", flush=True)
    stopping.wait()
    server.shutdown()
    server.server_close()
    return 0


class MotoProcess:
    """A `python -m devstack.moto_process` child: start() waits for its endpoint; stop() ends it."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.endpoint: str | None = None
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> str:
        env = dict(os.environ)
        env.pop("AWS_ENDPOINT_URL", None)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "devstack.moto_process", "--host", self.host, "--port", str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        )
        line = self._first_line()
        if not line.startswith(READY_PREFIX):
            self.stop()
            raise OSError(f"moto's process did not start (it said {line!r})")
        self.endpoint = line[len(READY_PREFIX) :].strip()
        return self.endpoint

    def _first_line(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        found: list[str] = []
        reader = threading.Thread(target=lambda: found.append(self._process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(START_TIMEOUT_SECONDS)
        return found[0] if found else ""

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def stop(self) -> None:
        process, self._process = self._process, None
        self.endpoint = None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.moto_process", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port (printed)")
    args = parser.parse_args(argv)
    return serve(args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
