"""`make bench`: N tickets through the local stack, over HTTP, until every one is routed.

    python -m bench.pipeline --tickets 1000 --clients 4

What it measures, per pass (a fresh LocalStack each time, with moto in a process of its own:
--moto thread puts it back in the stack's process, where it shares the GIL):

- tickets/s: routed tickets / (last ticket's routing time - first POST's start);
- latency POST -> routed: from just before the client sends POST /tickets to the `updated_at`
  the route worker stamps on the ticket (one clock: the stack runs in this process), so how
  often the bench looks does not change the figures;
- CPU ms per ticket of the stack's process (with the bench's HTTP clients) and of moto's: the
  figure that does not depend on what else the machine runs;
- AWS requests per ticket by service: every API call made through the app's boto3 clients
  (chalicelib.adapters.aws.client), counted with a botocore `before-call` hook and attributed
  to the thread that made it: the intake (POST), each worker, the sweeper. The bench watches
  for routed tickets with its own client (RoutedProbe: one BatchGetItem per round), which is
  not counted. ReceiveMessage includes the empty long polls of idle pollers, as Lambda's
  pollers would make them.

The load is a closed loop: the clients post as fast as the API answers but keep at most
--in-flight tickets (default 30) between POST and routed, so the queues stay as short as a
steady stream keeps them; --in-flight 0 posts a burst instead (latency then mostly measures the
backlog, and moto's SQS slows down as its queues grow: it recounts a queue on every send). The
sweeper runs every 10 s, with its window set to 10 minutes so a backlog is not re-sent.

The peer is the same pipeline with a worker batch size of 1, i.e. the per-record handling a
naive consumer does (one receive, read, write, send and delete per message). It runs a smaller
pass (a quarter of the tickets, at least 50), and so does ours, right before it: the ratios
compare those two passes of the same size and load.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import resource
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.messages import SAMPLES
from devstack.stack import LocalStack, current_activity

DEFAULT_TICKETS = 1000
DEFAULT_IN_FLIGHT = 30
DEFAULT_BATCH_WINDOW = 0.0
DEFAULT_POLLERS = 4  # 2 left the detect worker's pollers busy waiting on moto while tickets queued
# Long polls of 5 s (Lambda's pollers wait 20 s): an idle queue's pollers (translate, route,
# notify, incidents) then cost one empty ReceiveMessage each per 5 s instead of per second. A
# long poll returns as soon as a message arrives, so this adds no latency.
POLL_WAIT_SECONDS = 5
# Warm-up: a ticket in each sample's language, so the language detector and the help center's
# per-language indexes (built on first use: ~6 s of CPU for the 30 languages) are built before
# the measured pass, as a warm Lambda container has them.
WARM_UP_TICKETS = len(SAMPLES)
ACTIVITY_LABELS = {
    "api:POST": "intake (POST)",
    "detect": "detect worker",
    "translate": "translate worker",
    "route": "route worker",
    "sweeper": "sweeper",
    "other": "other",
}


# --- counting AWS calls ---------------------------------------------------------------------


class AwsCallCounter:
    """API calls and HTTP attempts per (activity, service, operation), via botocore events."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[tuple[str, str, str]] = Counter()
        self.attempts: Counter[tuple[str, str, str]] = Counter()
        self.enabled = False

    def attach(self, clients: Iterable[Any]) -> None:
        for aws_client in clients:
            aws_client.meta.events.register("before-call", self._on_call)
            aws_client.meta.events.register("before-send", self._on_send)

    def _count(self, into: Counter[tuple[str, str, str]], event_name: str) -> None:
        if not self.enabled:
            return
        _, service, operation = event_name.split(".", 2)
        with self._lock:
            into[(current_activity(), service.lower(), operation)] += 1

    def _on_call(self, event_name: str, **kwargs: Any) -> None:
        self._count(self.calls, event_name)

    def _on_send(self, event_name: str, **kwargs: Any) -> None:
        self._count(self.attempts, event_name)

    def snapshot(self, exclude: Callable[[str], bool]) -> tuple[Counter[tuple[str, str, str]], int]:
        """(calls kept, retries kept) leaving out the activities `exclude` names."""
        with self._lock:
            kept = Counter({key: count for key, count in self.calls.items() if not exclude(key[0])})
            attempts = sum(count for key, count in self.attempts.items() if not exclude(key[0]))
        return kept, max(0, attempts - sum(kept.values()))


# --- HTTP -----------------------------------------------------------------------------------


def _request(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@dataclass
class Posted:
    index: int
    language: str
    started: float  # time.time() just before POST
    ticket_id: str = ""
    token: str = ""
    post_seconds: float = 0.0
    routed_at: float | None = None  # the ticket's updated_at once routed
    detected: str | None = None
    region: str | None = None


def ticket_body(index: int) -> tuple[str, dict[str, Any]]:
    """A deterministic mix: every language; 60% with country and locale, 25% locale only, 15% text only."""
    sample = SAMPLES[index % len(SAMPLES)]
    shape = index * 7 % 20  # each language cycles through all 20 shapes
    with_country = shape < 12
    with_locale = shape < 17
    return sample.language, sample.body(
        with_country=with_country, with_locale=with_locale, requester_id=f"bench-{index}"
    )


class RoutedProbe:
    """Which tickets are routed, read from the table with the bench's own boto3 client.

    One BatchGetItem (up to 100 tickets, a few attributes each) per round instead of a
    GET /tickets/{id} each: that GET runs the whole read model (the ticket, its messages,
    notifications, evidence, its place in the queue: about eight requests), and one checker
    thread doing it ticket by ticket was what limited the bench at ~3 tickets/s, not the
    pipeline. The probe's own requests are not counted (its client is not the app's).
    """

    def __init__(self, endpoint_url: str, region: str, table_name: str) -> None:
        import boto3

        self._db = boto3.session.Session().client("dynamodb", endpoint_url=endpoint_url, region_name=region)
        self._table = table_name

    def check(self, items: Sequence[Posted]) -> list[Posted]:
        """The items found routed, with routed_at, detected and region filled in."""
        from chalicelib.adapters.dynamodb.items import ticket_key

        by_id = {item.ticket_id: item for item in items[:100]}
        request: dict[str, Any] = {
            self._table: {
                "Keys": [ticket_key(ticket_id) for ticket_id in by_id],
                "ProjectionExpression": "pk, #s, #u, #l, #r",
                "ExpressionAttributeNames": {"#s": "status", "#u": "updated_at", "#l": "language", "#r": "region"},
            }
        }
        routed: list[Posted] = []
        while request:
            answer = self._db.batch_get_item(RequestItems=request)
            for record in answer.get("Responses", {}).get(self._table, []):
                if record.get("status", {}).get("S") != "routed":
                    continue
                item = by_id[record["pk"]["S"].removeprefix("TICKET#")]
                item.routed_at = _epoch(record["updated_at"]["S"])
                item.detected = record.get("language", {}).get("M", {}).get("code", {}).get("S")
                item.region = record.get("region", {}).get("S")
                routed.append(item)
            request = answer.get("UnprocessedKeys") or {}
        return routed


class Tracker:
    """Posts tickets and watches them until routed, with at most `in_flight` between the two.

    A checker thread asks the RoutedProbe about the oldest pending tickets (up to 100) every
    100 ms (every 50 ms, that one BatchGetItem was a sixth of moto's CPU). It only decides when
    a ticket stops counting against `in_flight` and when the bench stops waiting; the latency
    comes from the ticket's own `updated_at`.
    """

    ROUND_SECONDS = 0.1

    def __init__(self, base_url: str, clients: int, in_flight: int, probe: RoutedProbe) -> None:
        self.base_url = base_url
        self.clients = clients
        self.probe = probe
        self._slots = threading.BoundedSemaphore(in_flight) if in_flight > 0 else None
        self._lock = threading.Lock()
        self._pending: list[Posted] = []
        self._stop = threading.Event()
        self._checker = threading.Thread(target=self._check_forever, name="bench-checker", daemon=True)

    def run(self, first_index: int, count: int, timeout: float) -> tuple[list[Posted], list[Posted]]:
        """(every posted ticket, those not routed when `timeout` ran out after the last POST)."""
        self._checker.start()
        try:
            with ThreadPoolExecutor(max_workers=self.clients, thread_name_prefix="bench-client") as pool:
                posted = list(pool.map(self._post, range(first_index, first_index + count)))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                with self._lock:
                    if not self._pending:
                        break
                time.sleep(0.1)
        finally:
            self._stop.set()
            self._checker.join(timeout=30)
        with self._lock:
            return posted, list(self._pending)

    def _post(self, index: int) -> Posted:
        if self._slots is not None:
            self._slots.acquire()
        language, body = ticket_body(index)
        item = Posted(index, language, time.time())
        started = time.monotonic()
        status, answer = _request("POST", f"{self.base_url}/tickets", body)
        item.post_seconds = time.monotonic() - started
        if status != 201:
            raise RuntimeError(f"POST /tickets answered {status}: {answer}")
        item.ticket_id, item.token = answer["ticket_id"], answer["access_token"]
        with self._lock:
            self._pending.append(item)
        return item

    def _check_forever(self) -> None:
        while not self._stop.wait(self.ROUND_SECONDS):
            with self._lock:
                pending = sorted(self._pending, key=lambda item: item.started)
            if not pending:
                continue
            try:
                routed = self.probe.check(pending)
            except Exception:  # the emulator is busy or stopping: the next round asks again
                continue
            with self._lock:
                for item in routed:
                    self._pending.remove(item)
            if self._slots is not None:
                for _ in routed:
                    self._slots.release()


def _epoch(iso_text: str) -> float:
    return datetime.fromisoformat(iso_text.replace("Z", "+00:00")).timestamp()


# --- the desks' side -----------------------------------------------------------------------


class DeskSink:
    """Empties the regional desk queues every second, as the agents' tools would consume them.

    Nothing reads the desk queues in the local stack, and moto's SendMessage costs grow with
    the length of the target queue (it recounts the queue's messages on every send), so
    without this the route worker would slow down as the bench goes on. It uses its own boto3
    client, so its calls are not counted.
    """

    def __init__(self, endpoint_url: str, queue_names: Iterable[str], interval: float = 1.0) -> None:
        import boto3

        self._sqs = boto3.session.Session().client("sqs", endpoint_url=endpoint_url)
        self._urls = [self._sqs.get_queue_url(QueueName=name)["QueueUrl"] for name in queue_names]
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-desk-sink", daemon=True)

    def __enter__(self) -> DeskSink:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            for url in self._urls:
                with contextlib.suppress(Exception):
                    self._sqs.purge_queue(QueueUrl=url)


# --- one pass -------------------------------------------------------------------------------


@dataclass
class PassResult:
    label: str
    batch_size: int
    tickets: int
    clients: int
    in_flight: int
    routed: int
    wall_seconds: float
    post_seconds: list[float]
    latencies: list[float]
    calls: Counter[tuple[str, str, str]]
    retries: int
    language_matches: int
    missing: list[str] = field(default_factory=list)
    cpu_stack: float = math.nan  # CPU seconds of this process (the stack and the bench's clients)
    cpu_moto: float = math.nan  # CPU seconds of moto's process, when it has one
    moto: str = "process"
    pollers: int = 0
    batch_window: float = 0.0

    @property
    def throughput(self) -> float:
        return self.routed / self.wall_seconds if self.wall_seconds > 0 else 0.0

    def per_ticket(self, predicate: Callable[[tuple[str, str, str]], bool]) -> float:
        total = sum(count for key, count in self.calls.items() if predicate(key))
        return total / self.routed if self.routed else math.nan

    @property
    def title(self) -> str:
        return f"{self.label} n={self.tickets}"


def run_pass(
    label: str,
    tickets: int,
    *,
    clients: int,
    batch_size: int | None,
    pollers: int,
    in_flight: int,
    timeout: float,
    log: Callable[[str], None],
    moto: str = "process",
    batch_window: float = 0.0,
) -> PassResult:
    """One fresh stack (own moto), warmed up, then `tickets` tickets measured."""
    from chalicelib import aws_resource_names
    from chalicelib.adapters.aws import client

    stack = LocalStack(
        port=0,
        honour_env_endpoint=False,
        pollers_per_queue=pollers,
        poll_wait_seconds=POLL_WAIT_SECONDS,
        batch_size=batch_size,
        moto=moto,
        batch_window_seconds=batch_window,
        # The bench posts every ticket from one address: the per-address budgets would cut it.
        env_overrides={"SWEEP_AFTER_SECONDS": "600", "RATE_LIMITS": "off"},
        log_level="WARNING",
    )
    with stack:
        stack.wait_until_healthy()
        assert stack.endpoint_url is not None
        desks = [name for role, name in stack.queue_names.items() if role.startswith("desk-") and "dlq" not in role]
        counter = AwsCallCounter()
        counter.attach([client("dynamodb"), client("sqs")])
        with DeskSink(stack.endpoint_url, desks):
            # Warm up: the first calls look up queue URLs and open connections; not measured.
            probe = RoutedProbe(stack.endpoint_url, stack.region, aws_resource_names.table_name(stack.stage))
            _, unrouted = Tracker(stack.base_url, clients, 0, probe).run(10_000, WARM_UP_TICKETS, timeout=60)
            if unrouted:
                raise RuntimeError("warm-up tickets were not routed within 60 s")
            log(
                f"{label}: {tickets} tickets, {clients} clients, "
                + (f"at most {in_flight} in flight" if in_flight else "burst")
                + f", worker batch size {stack.batch_size_used}, {pollers} pollers per queue"
                + f", batching window {batch_window:g} s, moto in a {moto}"
            )
            started = time.monotonic()
            cpu_before = (_own_cpu_seconds(), _process_cpu_seconds(stack.moto_pid))
            counter.enabled = True
            posted, missing = Tracker(stack.base_url, clients, in_flight, probe).run(0, tickets, timeout)
            counter.enabled = False
            cpu_used = (_own_cpu_seconds() - cpu_before[0], _process_cpu_seconds(stack.moto_pid) - cpu_before[1])
            log(f"{label}: done in {time.monotonic() - started:.1f} s")
        calls, retries = counter.snapshot(exclude=lambda activity: activity == "api:GET")
    routed = [item for item in posted if item.routed_at is not None]
    first = min(item.started for item in posted)
    last = max((item.routed_at or first) for item in routed) if routed else first
    return PassResult(
        label=label,
        batch_size=stack.batch_size_used,
        tickets=tickets,
        clients=clients,
        in_flight=in_flight,
        routed=len(routed),
        wall_seconds=last - first,
        post_seconds=[item.post_seconds for item in posted],
        latencies=[(item.routed_at or 0.0) - item.started for item in routed],
        calls=calls,
        retries=retries,
        language_matches=sum(1 for item in routed if item.detected == item.language),
        missing=[item.ticket_id for item in missing],
        cpu_stack=cpu_used[0],
        cpu_moto=cpu_used[1],
        moto=moto,
        pollers=pollers,
        batch_window=batch_window,
    )


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _process_cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of another process (Linux /proc); NaN when unknown."""
    if pid is None:
        return math.nan
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- report ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _ratio(ours: float, peer: float) -> str:
    if math.isnan(ours) or math.isnan(peer) or not peer or not ours:
        return "-"
    return f"{ours / peer:.2f}x"


@dataclass(frozen=True)
class Metric:
    name: str
    value: Callable[[PassResult], float]
    fmt: str


def metrics(results: Sequence[PassResult]) -> list[Metric]:
    services = sorted({key[1] for result in results for key in result.calls})
    activities = [name for name in ACTIVITY_LABELS if any(key[0] == name for r in results for key in r.calls)]
    rows = [
        Metric("tickets routed", lambda r: r.routed, ".0f"),
        Metric("tickets/s (first POST -> last routed)", lambda r: r.throughput, ".1f"),
        *(
            Metric(f"latency POST -> routed p{pct} (s)", lambda r, p=pct: percentile(r.latencies, p), ".2f")
            for pct in (50, 95, 99)
        ),
        Metric("POST /tickets p50 (ms)", lambda r: percentile(r.post_seconds, 50) * 1000, ".0f"),
        Metric(
            "CPU ms/ticket: stack process (+ bench clients)", lambda r: 1000 * r.cpu_stack / max(1, r.routed), ".0f"
        ),
        Metric("CPU ms/ticket: moto's process", lambda r: 1000 * r.cpu_moto / max(1, r.routed), ".0f"),
        *(
            Metric(f"AWS requests/ticket: {service}", lambda r, s=service: r.per_ticket(lambda k: k[1] == s), ".2f")
            for service in services
        ),
        Metric("AWS requests/ticket: total", lambda r: r.per_ticket(lambda k: True), ".2f"),
        *(
            Metric(f"  by {ACTIVITY_LABELS[name]}", lambda r, a=name: r.per_ticket(lambda k: k[0] == a), ".2f")
            for name in activities
        ),
        Metric("AWS retries (extra HTTP attempts)", lambda r: r.retries, ".0f"),
        Metric("detected language == sample's (%)", lambda r: 100 * r.language_matches / max(1, r.routed), ".1f"),
    ]
    return rows


def report(main: PassResult, same_size: PassResult | None, peer: PassResult | None) -> str:
    """The table: our full pass, then ours and the peer at the peer's size, and their ratio."""
    extra = [same_size] if same_size is not None and same_size is not main else []
    results = [main, *extra, *([peer] if peer else [])]
    header = [""] + [f"{r.title} (batch {r.batch_size})" for r in results]
    if same_size and peer:
        header.append("ours/peer")
    rows: list[list[str]] = []
    for metric in metrics(results):
        values = [metric.value(result) for result in results]
        row = [metric.name] + [format(value, metric.fmt) for value in values]
        if same_size and peer:
            row.append(_ratio(metric.value(same_size), metric.value(peer)))
        rows.append(row)
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(cells)
        ).rstrip()

    load = f"at most {main.in_flight} tickets in flight" if main.in_flight else "a burst"
    notes = [
        f"load: {main.clients} HTTP clients posting {load}; each pass on a fresh stack with its own moto server",
        f"  ({'in a process of its own' if main.moto == 'process' else 'in a thread of the stack'}),"
        f" {main.pollers} pollers per queue, batching window {main.batch_window:g} s.",
        "latency: from just before POST to the routed ticket's updated_at (one clock, in-process).",
        "AWS requests: API calls through the app's boto3 clients, counted per thread; the bench's",
        "  own reads (which tickets are routed) are excluded; ReceiveMessage includes idle pollers' empty polls.",
        "CPU: this process (the stack and the bench's clients) and moto's; they do not depend on the machine's load.",
    ]
    if peer:
        notes.append("peer: the same pipeline with worker batch size 1 (per-record receive/read/write/send/delete);")
        notes.append("  ours/peer compares the two passes of the same size: < 1 is better for latency and requests.")
    else:
        notes.append("peer: skipped (--skip-peer).")
    notes.append("ours per ticket by operation: " + ", ".join(_operations(main)))
    for result in results:
        if result.missing:
            notes.append(f"{result.title}: {len(result.missing)} tickets NOT routed in time, e.g. {result.missing[:3]}")
    return "\n".join([line(header), line(["-" * width for width in widths]), *map(line, rows), "", *notes])


def _operations(result: PassResult) -> list[str]:
    totals: Counter[str] = Counter()
    for (_, _, operation), count in result.calls.items():
        totals[operation] += count
    return [f"{name} {count / max(1, result.routed):.2f}" for name, count in totals.most_common()]


# --- CLI ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=DEFAULT_TICKETS, help=f"default {DEFAULT_TICKETS}")
    parser.add_argument("--clients", type=int, default=4, help="HTTP client threads (default 4)")
    parser.add_argument(
        "--pollers",
        type=int,
        default=DEFAULT_POLLERS,
        help=f"poller threads per pipeline queue (default {DEFAULT_POLLERS})",
    )
    parser.add_argument(
        "--in-flight",
        type=int,
        default=DEFAULT_IN_FLIGHT,
        help=f"most tickets between POST and routed at once; 0 posts a burst (default {DEFAULT_IN_FLIGHT})",
    )
    parser.add_argument(
        "--moto",
        choices=("process", "thread"),
        default="process",
        help="moto in its own process (default) or in a thread of the stack's",
    )
    parser.add_argument(
        "--batch-window",
        type=float,
        default=DEFAULT_BATCH_WINDOW,
        help="seconds a poller gathers a batch (Lambda's MaximumBatchingWindowInSeconds; "
        f"default {DEFAULT_BATCH_WINDOW:g})",
    )
    parser.add_argument("--skip-peer", action="store_true", help="skip the batch-size-1 peer comparison")
    parser.add_argument("--peer-tickets", type=int, default=None, help="default: a quarter of --tickets, at least 50")
    parser.add_argument("--timeout", type=float, default=None, help="seconds to wait after the last POST")
    args = parser.parse_args(argv)
    if min(args.tickets, args.clients, args.pollers) < 1 or args.in_flight < 0 or args.batch_window < 0:
        parser.error("--tickets, --clients and --pollers must be at least 1, --in-flight and --batch-window at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def log(message: str) -> None:
        print(f"[bench] {message}", file=sys.stderr, flush=True)

    def run(label: str, tickets: int, batch_size: int | None) -> PassResult:
        timeout = args.timeout if args.timeout is not None else 60.0 + tickets * 0.2
        return run_pass(
            label,
            tickets,
            clients=args.clients,
            batch_size=batch_size,
            pollers=args.pollers,
            in_flight=args.in_flight,
            timeout=timeout,
            log=log,
            moto=args.moto,
            batch_window=args.batch_window,
        )

    began = time.monotonic()
    main_pass = run("ours", args.tickets, None)
    same_size = peer = None
    if not args.skip_peer:
        peer_tickets = args.peer_tickets or max(50, args.tickets // 4)
        same_size = main_pass if peer_tickets == args.tickets else run("ours", peer_tickets, None)
        peer = run("peer", peer_tickets, 1)
    log(f"all passes took {time.monotonic() - began:.0f} s")
    print(report(main_pass, same_size, peer), flush=True)
    failed = [result for result in (main_pass, same_size, peer) if result is not None and result.missing]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
