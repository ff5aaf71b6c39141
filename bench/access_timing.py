"""`make bench-access`: does timing tell whether a ticket exists? (issue 9, finding 3)

    python -m bench.access_timing --requests 400

Against the local stack over HTTP (a fresh LocalStack with its embedded moto server), as the
outside probe did: GET /tickets/{id} with a wrong token for tickets that exist (each with a long
description and a conversation, as real ones have) and for ids that do not, interleaved. Prints
the medians and p90s and their ratio (1.00 = indistinguishable).

The peer is the check as it was before: reading the whole ticket to compare the token. Both
reads are timed in process on the same table: the whole ticket item vs the access facts
(`DynamoDBTicketAccess.access`, a projected BatchGetItem of the ticket and its rotation).
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from chalicelib.domain.ids import new_ticket_id
from devstack.stack import LocalStack

DESCRIPTION = "Mi pago fue rechazado dos veces y el pedido 4411 no aparece en mi cuenta. " * 40


def request(base: str, method: str, path: str, token: str | None = None, body: object = None) -> int:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(base + path, data, headers, method=method)) as answer:
            answer.read()
            return answer.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def timed(action: Callable[..., object], *args: object) -> float:
    start = time.perf_counter()
    action(*args)
    return (time.perf_counter() - start) * 1000


def summary(label: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"{label:<34} median {statistics.median(ordered):6.2f} ms   p90 {ordered[int(len(ordered) * 0.9)]:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="GETs of each kind")
    parser.add_argument("--tickets", type=int, default=20)
    args = parser.parse_args()
    stack = LocalStack(port=0, honour_env_endpoint=False, env_overrides={"RATE_LIMITS": "off"}, log_level="WARNING")
    with stack:
        stack.wait_until_healthy()
        base = stack.base_url
        existing = []
        for n in range(args.tickets):
            created = {"description": DESCRIPTION, "requester": {"email": f"user{n}@example.com", "country": "MX"}}
            data = json.dumps(created).encode()
            req = urllib.request.Request(base + "/tickets", data, {"Content-Type": "application/json"}, method="POST")
            with urllib.request.urlopen(req) as answer:
                ticket = json.loads(answer.read())
            for m in range(5):
                request(
                    base,
                    "POST",
                    f"/tickets/{ticket['ticket_id']}/messages",
                    ticket["access_token"],
                    {"text": f"Detalle {m}: {DESCRIPTION[:300]}"},
                )
            existing.append(ticket["ticket_id"])
        wrong = secrets.token_urlsafe(32)
        known: list[float] = []
        unknown: list[float] = []
        for n in range(args.requests):
            known.append(timed(request, base, "GET", f"/tickets/{existing[n % len(existing)]}", wrong))
            unknown.append(timed(request, base, "GET", f"/tickets/{new_ticket_id()}", wrong))
        from chalicelib.composition_root import dependencies

        deps = dependencies()
        whole = [timed(deps.tickets.get, existing[n % len(existing)]) for n in range(args.requests)]
        facts = [timed(deps.ticket_access.access, existing[n % len(existing)]) for n in range(args.requests)]
        missing = [timed(deps.ticket_access.access, new_ticket_id()) for _ in range(args.requests)]
    print(f"GET /tickets/{{id}} with a wrong token, {args.requests} each, over HTTP (local stack)")
    print(summary("  exists, wrong token", known))
    print(summary("  no such ticket", unknown))
    ratio = statistics.median(known) / statistics.median(unknown)
    print(f"  ratio exists / unknown: {ratio:.2f} (1.00 = indistinguishable)")
    print("The read behind the token check, in process")
    print(summary("  peer: the whole ticket (before)", whole))
    print(summary("  ours: access facts, ticket exists", facts))
    print(summary("  ours: access facts, no ticket", missing))
    print(f"  ratio ours exists / ours unknown: {statistics.median(facts) / statistics.median(missing):.2f}")
    print(f"  ratio peer / ours: {statistics.median(whole) / statistics.median(facts):.2f}")


if __name__ == "__main__":
    main()
