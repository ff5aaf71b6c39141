"""The first check after a deploy: post one ticket to any base URL and follow it to `routed`.

    python -m devstack.smoke --base-url https://<api id>.execute-api.<region>.amazonaws.com/api
    python -m devstack.smoke --base-url http://127.0.0.1:8000          # the local stack

Standard library only (it runs wherever Python does). Steps, each printed as it passes: /health
answers for the stage; POST /tickets is accepted (201, a ticket id and an access token); GET
/tickets/{id} with that token shows the ticket moving until it is `routed`, with its language,
region and desk queue; /openapi.json and /docs answer. Exit status 0 when every step passed, 1
otherwise (the failing step says why). The ticket is a real one, marked as a smoke test in its
subject: an agent of the region it lands in sees it (resolve it, or let it be).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# A Spanish ticket from Mexico: it is detected, translated where the stage has a provider, and
# routed to the latam desk.
TICKET = {
    "subject": "smoke test after deploy",
    "description": "Hola, me cobraron dos veces el mismo pedido y todavía no me llega. ¿Pueden revisarlo?",
    "category": "payment.charged_twice",
    "requester": {"country": "MX", "locale": "es-MX"},
}
EXPECTED = {"language": "es", "region": "latam"}


class SmokeFailed(Exception):
    """A step did not get the answer it needed."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    content_type: str


def call(method: str, url: str, body: Any = None, token: str | None = None, timeout: float = 15.0) -> Answer:
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode("utf-8")
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return _answer(response.status, response.read(), response.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as error:
        return _answer(error.code, error.read(), error.headers.get("Content-Type", ""))
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise SmokeFailed(f"{method} {url}: {getattr(error, 'reason', error)}") from error


def _answer(status: int, raw: bytes, content_type: str) -> Answer:
    if "json" in content_type:
        try:
            return Answer(status, json.loads(raw or b"null"), content_type)
        except ValueError:
            pass
    return Answer(status, raw.decode("utf-8", "replace"), content_type)


def run(base_url: str, wait_seconds: float, say: Callable[[str], None] = print) -> dict[str, Any]:
    """Every step against `base_url`; the routed ticket's view when all pass, else SmokeFailed."""
    base = base_url.rstrip("/")
    health = call("GET", f"{base}/health")
    if health.status != 200 or not isinstance(health.body, dict) or health.body.get("status") != "ok":
        raise SmokeFailed(f"GET /health answered {health.status}: {health.body!r}")
    say(f"ok   health: stage {health.body.get('stage')!r}")

    created = call("POST", f"{base}/tickets", TICKET)
    if created.status != 201 or not isinstance(created.body, dict) or "access_token" not in created.body:
        raise SmokeFailed(f"POST /tickets answered {created.status}: {created.body!r}")
    ticket_id, token = created.body["ticket_id"], created.body["access_token"]
    say(f"ok   ticket {ticket_id} accepted ({created.body.get('status')})")

    view = _follow_to_routed(base, ticket_id, token, wait_seconds, say)
    got = {"language": (view.get("language") or {}).get("code"), "region": view.get("region")}
    if got != EXPECTED:
        raise SmokeFailed(f"ticket {ticket_id} routed as {got}, expected {EXPECTED}")
    say(f"ok   routed: language {got['language']}, region {got['region']}, queue {view.get('queue')}")

    for path in ("/openapi.json", "/docs"):
        answer = call("GET", f"{base}{path}")
        if answer.status != 200:
            raise SmokeFailed(f"GET {path} answered {answer.status}")
        say(f"ok   {path}")
    return view


def _follow_to_routed(base: str, ticket_id: str, token: str, wait_seconds: float, say: Callable[[str], None]) -> Any:
    deadline = time.monotonic() + wait_seconds
    seen: list[str] = []
    while True:
        answer = call("GET", f"{base}/tickets/{ticket_id}", token=token)
        if answer.status != 200 or not isinstance(answer.body, dict):
            raise SmokeFailed(f"GET /tickets/{ticket_id} answered {answer.status}: {answer.body!r}")
        status = str(answer.body.get("status"))
        if not seen or seen[-1] != status:
            seen.append(status)
            say(f"     status {status}")
        if status == "routed":
            return answer.body
        if time.monotonic() >= deadline:
            raise SmokeFailed(f"ticket {ticket_id} not routed within {wait_seconds:g} s (went {' -> '.join(seen)})")
        time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.smoke", description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="the API's base URL, stage path included (…/api)")
    parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for `routed` (default 60)")
    args = parser.parse_args(argv)
    try:
        run(args.base_url, args.wait)
    except SmokeFailed as failure:
        print(f"FAIL {failure}", file=sys.stderr)
        return 1
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
