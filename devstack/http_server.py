"""The API's HTTP server: chalice.local's, able to take a burst of clients and speaking HTTP
properly to the methods and requests http.server leaves to chance.

- a thread per connection (chalice.local's ThreadedHTTPServer), and a listen backlog of
  LISTEN_BACKLOG instead of http.server's 5, which reset clients beyond a handful at once;
- every method reaches the app (TRACE, QUERY...), which answers 405 for a route without it, as for
  PUT, rather than http.server's HTML 501;
- a HEAD answer has no body (chalice.local wrote one, which a kept-alive client would read as the
  start of the next answer);
- no line per request on stderr, and the thread named after the request (`current_activity`).
"""

from __future__ import annotations

import threading
from typing import Any

from chalice import Chalice
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalDevServer, ThreadedHTTPServer

LISTEN_BACKLOG = 128
THREAD_PREFIX = "devstack-"


class LocalHTTPServer(ThreadedHTTPServer):
    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True


class LocalRequestHandler(ChaliceRequestHandler):
    def __getattr__(self, name: str) -> Any:
        # http.server looks up do_<METHOD> and answers 501 without one: hand every method (TRACE,
        # QUERY...) to the app like GET and PUT.
        if name.startswith("do_"):
            return self._generic_handle
        raise AttributeError(name)

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        threading.current_thread().name = f"{THREAD_PREFIX}api:{self.command}"
        return parsed

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send_http_response_with_body(self, code: int, headers: dict[str, Any], body: str | bytes) -> None:
        if self.command != "HEAD":
            super()._send_http_response_with_body(code, headers, body)
            return
        payload = body if isinstance(body, bytes) else body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
        self._send_headers(headers)


def local_server(app_obj: Chalice, config: Config, host: str, port: int) -> LocalDevServer:
    """What chalice.local.create_local_server does (the app's class swapped for one with a
    thread-local current_request), with the server and handler above."""
    CustomLocalChalice.__bases__ = (CustomLocalChalice.__bases__[0], type(app_obj))
    app_obj.__class__ = CustomLocalChalice
    return LocalDevServer(app_obj, config, host, port, handler_cls=LocalRequestHandler, server_cls=LocalHTTPServer)
