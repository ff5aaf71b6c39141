"""A webhook receiver for the local stack: checks each delivery's signature, prints it, and keeps
it for tests. `python -m devstack.webhook_receiver --port 5056 --secret <NOTIFY_WEBHOOK_SECRET>`,
then `NOTIFY_WEBHOOK_URL=http://127.0.0.1:5056/hooks NOTIFY_WEBHOOK_SECRET=<same> make run`.

`--fail-with 503` answers every delivery with that status (a platform that is down): the desk
retries with growing pauses and never holds up the ticket.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from chalicelib.domain.webhook_signature import SIGNATURE_HEADER, verify


@dataclass
class Received:
    delivery_id: str
    event: str
    payload: dict[str, Any]
    signature_valid: bool


@dataclass
class WebhookReceiver:
    secret: str
    fail_with: int | None = None  # answer every delivery with this status instead of 204
    received: list[Received] = field(default_factory=list)
    rejected: int = 0
    echo: bool = False
    _server: ThreadingHTTPServer | None = None

    def start(self, port: int = 0) -> str:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                valid = verify(receiver.secret, self.headers.get(SIGNATURE_HEADER), body, time.time())
                if receiver.fail_with is not None:
                    self.send_response(receiver.fail_with)
                    self.end_headers()
                    return
                if not valid:
                    receiver.rejected += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                payload = json.loads(body)
                delivery = Received(
                    self.headers.get("Polyglot-Delivery", ""), self.headers.get("Polyglot-Event", ""), payload, valid
                )
                receiver.received.append(delivery)
                if receiver.echo:
                    print(f"{delivery.event} [{payload.get('language')}] {payload.get('subject')}", flush=True)
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True, name="webhook-receiver").start()
        host, bound = self._server.server_address[:2]
        return f"http://{host}:{bound}/hooks"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=5056)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--fail-with", type=int, default=None)
    args = parser.parse_args()
    receiver = WebhookReceiver(args.secret, fail_with=args.fail_with, echo=True)
    print(f"listening on {receiver.start(args.port)}; Ctrl-C to stop", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        receiver.stop()


if __name__ == "__main__":
    main()
