"""`make bench-scale`: a burst, then a sustained rate, replayed against the local stack scaled down.

    python -m bench.scale --scale 100 --burst-seconds 10 --sustained-seconds 30

The load of docs/SCALING.md (a burst of 1,000 tickets/s, then a sustained 100 tickets/s), divided
by --scale (default 100: 10 tickets/s for --burst-seconds, then 1 ticket/s), posted over HTTP to
a fresh devstack LocalStack (its own moto server) as an open loop: a ticket is posted at its
time whether or not the stack keeps up. Every --interval seconds it reports:

- offered, accepted and 429 answers per second. chalice.local has no API Gateway throttle, so
  the route throttle of infra/protection.py (POST /tickets: rate and burst, both divided by
  --scale) is simulated by a token bucket in front of the client; a refused POST is retried like
  an SDK would (exponential backoff from 0.5 s, at most 6 attempts), then counted as given up;
- tickets routed so far;
- each pipeline queue's depth: ApproximateNumberOfMessages + ...NotVisible (GetQueueAttributes
  on the bench's own client);
- the age of the oldest ticket waiting for each stage, in seconds: SQS has no "age of the oldest
  message" attribute (that is a CloudWatch metric) and moto keeps none, so it is computed from
  the tickets' writes: a ticket waits for detect from its POST until a write gives it status
  `detected`, and so on (every status write is seen through a botocore hook on the app's clients);
- throttling errors from DynamoDB and SQS (ProvisionedThroughputExceeded, ThrottlingException,
  RequestLimitExceeded, TransactionConflict) and retried HTTP attempts, counted by botocore
  hooks as bench/pipeline.py does. moto never throttles, so these say what the code does with
  one, not what AWS would;
- the hottest partition's writes: DynamoDB's own limits (1,000 WCU a second per partition, on
  the table and on each index) cannot show on moto, so the bench counts the write units every
  request puts on each partition key (PutItem: the item's size in KB, rounded up, and one on
  each index entry it carries; a TransactWriteItems item twice), and reports the busiest work
  list partition (`by_region`) and the busiest counter partition (`METRICS#...`) per second
  here, then per routed ticket: times 1,000 tickets/s, what that partition would take in AWS.

The peer (--peer): `unsharded`, the same load with one work-list and one counter shard (the
spelling before sharding), or `concurrency1`, one poller per queue (a reserved concurrency of
one per function). The last table is ours/peer. At the default scale a pass takes about a minute
on two cores (a burst of 100 tickets, then 30), two passes a few minutes.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.pipeline import DeskSink, ticket_body
from bench.scale_watch import STATUS_ORDER, TokenBucket, Watch, is_counter, is_work_list
from devstack.stack import LocalStack

FULL_BURST, FULL_SUSTAINED = 1000.0, 100.0  # tickets/s: the load docs/SCALING.md is about
PARTITION_WCU = 1000
STAGES = (("detect", "received"), ("translate", "detected"), ("route", "translated"))
RETRY_ATTEMPTS, RETRY_FIRST_PAUSE = 6, 0.5


def say(text: str = "") -> None:
    print(text, flush=True)


@dataclass
class Row:
    second: float
    phase: str
    offered: int
    accepted: int
    refused: int
    routed: int
    depth: dict[str, int]
    oldest: dict[str, float]
    work_list_units: int
    counter_units: int
    throttles: int


@dataclass
class Pass:
    label: str
    rows: list[Row] = field(default_factory=list)
    offered: int = 0
    accepted: int = 0
    refused: int = 0
    gave_up: int = 0
    drained_after: float = math.nan
    watch: Watch = field(default_factory=Watch)
    unrouted: int = 0
    answers: dict[str, int] = field(default_factory=dict)  # other answers than 201 and 429


class Load:
    """The open-loop client: each ticket posted at its time, through the simulated throttle."""

    def __init__(self, base_url: str, bucket: TokenBucket, watch: Watch, one_region_share: float) -> None:
        self.base_url, self.bucket, self.watch = base_url, bucket, watch
        self.one_region_share = one_region_share
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()

    def post(self, index: int, at: float) -> None:
        try:
            self._post_one(index, at)
        except Exception as error:  # a bench thread must not die silently
            self._add("error")
            if self.counts["error"] == 1:
                say(f"[scale] posting failed: {error!r}")

    def _post_one(self, index: int, at: float) -> None:
        time.sleep(max(0.0, at - time.monotonic()))
        _, body = ticket_body(index)
        if (index * 37 % 100) < self.one_region_share * 100:
            body["requester"] = {**body.get("requester", {}), "country": "US"}  # the na desk
        pause = RETRY_FIRST_PAUSE
        for _ in range(RETRY_ATTEMPTS):
            self._add("offered")
            if not self.bucket.take():
                self._add("refused")
                time.sleep(pause)
                pause *= 2
                continue
            posted_at = time.monotonic()
            status, answer = _post(f"{self.base_url}/tickets", body)
            if status == 201:
                self._add("accepted")
                with self.watch.lock:
                    self.watch.posted[answer["ticket_id"]] = posted_at
                return
            self._add(f"http {status}")
            if self.counts[f"http {status}"] == 1:
                say(f"[scale] POST /tickets answered {status}: {answer}")
            return
        self._add("gave up")

    def _add(self, what: str) -> None:
        with self.lock:
            self.counts[what] += 1


def _post(url: str, body: dict[str, Any]) -> tuple[int, Any]:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read()[:300]


def schedule(args: argparse.Namespace) -> list[float]:
    """Offsets (s) of each ticket: the burst rate, then the sustained rate."""
    burst, sustained = FULL_BURST / args.scale, FULL_SUSTAINED / args.scale
    times = [index / burst for index in range(int(burst * args.burst_seconds))]
    times += [args.burst_seconds + index / sustained for index in range(int(sustained * args.sustained_seconds))]
    return times


@contextmanager
def shard_counts(work_list: int | None, counters: int | None) -> Iterator[None]:
    from chalicelib.adapters.dynamodb import items, support_metrics

    saved = items.WORK_LIST_SHARDS, support_metrics.COUNTER_SHARDS
    if work_list is not None:
        items.WORK_LIST_SHARDS = work_list
    if counters is not None:
        support_metrics.COUNTER_SHARDS = counters
    try:
        yield
    finally:
        items.WORK_LIST_SHARDS, support_metrics.COUNTER_SHARDS = saved


def run_pass(label: str, args: argparse.Namespace, pollers: int, shards: tuple[int | None, int | None]) -> Pass:
    """One fresh stack, the whole load, sampled every --interval s until drained or timed out."""
    from chalicelib.adapters.aws import client
    from infra.protection import ROUTE_THROTTLES

    rate, burst = ROUTE_THROTTLES[("/tickets", "POST")]
    result = Pass(label)
    stack = LocalStack(
        port=0,
        honour_env_endpoint=False,
        pollers_per_queue=pollers,
        # One address posts everything: the per-address budgets would cut it (API Gateway's is simulated).
        env_overrides={"SWEEP_AFTER_SECONDS": "600", "RATE_LIMITS": "off"},
        log_level=None if args.verbose else "ERROR",
    )
    with shard_counts(*shards), stack:
        stack.wait_until_healthy()
        assert stack.endpoint_url is not None
        import boto3

        sqs = boto3.session.Session().client("sqs", endpoint_url=stack.endpoint_url)
        urls = {role: sqs.get_queue_url(QueueName=stack.queue_names[role])["QueueUrl"] for role, _ in STAGES}
        desks = [name for role, name in stack.queue_names.items() if role.startswith("desk-") and "dlq" not in role]
        result.watch.attach([client("dynamodb"), client("sqs")])
        bucket = TokenBucket(args.route_rate or rate / args.scale, args.route_burst or max(1.0, burst / args.scale))
        load = Load(stack.base_url, bucket, result.watch, args.one_region_share)
        times = schedule(args)
        say(f"[scale] {label}: {len(times)} tickets, {pollers} pollers per queue")
        say(f"[scale] POST /tickets throttle: {bucket.rate:g}/s, burst {bucket.burst:g}")
        with DeskSink(stack.endpoint_url, desks), ThreadPoolExecutor(args.clients, "scale-client") as pool:
            result.watch.started = start = time.monotonic()
            for index, offset in enumerate(times):
                pool.submit(load.post, index, start + offset)
            load_ends = times[-1] if times else 0.0
            deadline = start + load_ends + args.timeout
            while time.monotonic() < deadline:
                time.sleep(max(0.0, start + (len(result.rows) + 1) * args.interval - time.monotonic()))
                result.rows.append(sample(result, load, sqs, urls, start, args))
                now = time.monotonic() - start
                settled = load.counts["accepted"] + load.counts["gave up"] + sum(
                    count for what, count in load.counts.items() if what.startswith("http")
                ) >= len(times)
                if now > load_ends and settled and result.watch.routed() >= load.counts["accepted"]:
                    break
        result.drained_after = result.watch.last_routed()
        result.offered, result.accepted = load.counts["offered"], load.counts["accepted"]
        result.refused, result.gave_up = load.counts["refused"], load.counts["gave up"]
        result.unrouted = load.counts["accepted"] - result.watch.routed()
        result.answers = {what: count for what, count in load.counts.items() if what.startswith(("http", "error"))}
    return result


def sample(result: Pass, load: Load, sqs: Any, urls: dict[str, str], start: float, args: argparse.Namespace) -> Row:
    now = time.monotonic()
    second = now - start
    previous = result.rows[-1] if result.rows else None
    depth = {}
    for role, url in urls.items():
        attributes = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        depth[role] = int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )
    oldest = {role: result.watch.oldest_waiting(STATUS_ORDER[status], time.monotonic()) for role, status in STAGES}
    with load.lock:
        counts = Counter(load.counts)
    seconds = range(int(previous.second) if previous else 0, int(second))
    with result.watch.lock:
        throttles = sum(result.watch.throttles.values())
    return Row(
        second=second,
        phase="burst"
        if second <= args.burst_seconds
        else "sustained"
        if second <= args.burst_seconds + args.sustained_seconds
        else "drain",
        offered=counts["offered"],
        accepted=counts["accepted"],
        refused=counts["refused"],
        routed=result.watch.routed(),
        depth=depth,
        oldest=oldest,
        work_list_units=max((result.watch.hottest(is_work_list, s)[1] for s in seconds), default=0),
        counter_units=max((result.watch.hottest(is_counter, s)[1] for s in seconds), default=0),
        throttles=throttles,
    )


# --- report ---------------------------------------------------------------------------------


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(cells))

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def over_time(result: Pass, args: argparse.Namespace) -> str:
    header = ["t (s)", "phase", "offered/s", "201/s", "429/s", "routed", "depth d/t/r", "oldest d/t/r (s)"]
    header += ["hot list WU/s", "hot counter WU/s", "throttles"]
    rows, previous = [], None
    for row in result.rows:
        span = row.second - (previous.second if previous else 0.0)

        def rate(value: int, before: int, span: float = span) -> str:
            return f"{(value - before) / span:.1f}" if span > 0 else "-"

        rows.append(
            [
                f"{row.second:.0f}",
                row.phase,
                rate(row.offered, previous.offered if previous else 0),
                rate(row.accepted, previous.accepted if previous else 0),
                rate(row.refused, previous.refused if previous else 0),
                str(row.routed),
                "/".join(str(row.depth[role]) for role, _ in STAGES),
                "/".join(f"{row.oldest[role]:.0f}" for role, _ in STAGES),
                str(row.work_list_units),
                str(row.counter_units),
                str(row.throttles),
            ]
        )
        previous = row
    return table(header, rows)


@dataclass(frozen=True)
class Figure:
    name: str
    value: Callable[[Pass], float]
    fmt: str


def figures() -> list[Figure]:
    def per_ticket(space: Callable[[str, str], bool]) -> Callable[[Pass], float]:
        return lambda r: r.watch.hottest(space)[1] / max(1, r.watch.routed())

    return [
        Figure("tickets accepted (201)", lambda r: r.accepted, ".0f"),
        Figure("429 answers (simulated API Gateway route throttle)", lambda r: r.refused, ".0f"),
        Figure("tickets given up after retries", lambda r: r.gave_up, ".0f"),
        Figure("tickets not routed at the end", lambda r: r.unrouted, ".0f"),
        Figure("seconds from the start to the last ticket routed", lambda r: r.drained_after, ".0f"),
        Figure("max queue depth, detect", lambda r: max((x.depth["detect"] for x in r.rows), default=0), ".0f"),
        Figure("max queue depth, translate", lambda r: max((x.depth["translate"] for x in r.rows), default=0), ".0f"),
        Figure(
            "max age of oldest waiting, detect (s)",
            lambda r: max((x.oldest["detect"] for x in r.rows), default=0),
            ".1f",
        ),
        Figure(
            "max age of oldest waiting, translate (s)",
            lambda r: max((x.oldest["translate"] for x in r.rows), default=0),
            ".1f",
        ),
        Figure("DynamoDB/SQS throttling errors", lambda r: sum(r.watch.throttles.values()), ".0f"),
        Figure("retried HTTP attempts", lambda r: r.watch.attempts - r.watch.calls, ".0f"),
        Figure("hottest work-list partition: WU per routed ticket", per_ticket(is_work_list), ".3f"),
        Figure("  at 1,000 tickets/s: WCU/s (limit 1,000)", lambda r: per_ticket(is_work_list)(r) * FULL_BURST, ".0f"),
        Figure("hottest counter partition: WU per routed ticket", per_ticket(is_counter), ".3f"),
        Figure("  at 1,000 tickets/s: WCU/s (limit 1,000)", lambda r: per_ticket(is_counter)(r) * FULL_BURST, ".0f"),
    ]


def summary(ours: Pass, peer: Pass | None) -> str:
    header = ["", ours.label] + ([peer.label, "ours/peer"] if peer else [])
    rows = []
    for figure in figures():
        mine = figure.value(ours)
        row = [figure.name, format(mine, figure.fmt)]
        if peer is not None:
            theirs = figure.value(peer)
            ratio = f"{mine / theirs:.2f}x" if theirs and not math.isnan(theirs) and not math.isnan(mine) else "-"
            row += [format(theirs, figure.fmt), ratio]
        rows.append(row)
    return table(header, rows)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=100.0, help="divide the 1,000/s burst and 100/s by this (100)")
    parser.add_argument("--burst-seconds", type=float, default=10.0)
    parser.add_argument("--sustained-seconds", type=float, default=30.0)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between samples (2)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to drain after the load (120)")
    parser.add_argument("--pollers", type=int, default=2, help="poller threads per pipeline queue (2)")
    parser.add_argument("--clients", type=int, default=16, help="HTTP client threads (16)")
    parser.add_argument("--one-region-share", type=float, default=0.8, help="share of tickets from the US (na desk)")
    parser.add_argument("--route-rate", type=float, help="POST /tickets throttle here (default: infra's / --scale)")
    parser.add_argument("--route-burst", type=float, help="its burst (default: infra's / --scale)")
    parser.add_argument("--verbose", action="store_true", help="the stack's own log lines too")
    parser.add_argument("--peer", choices=("unsharded", "concurrency1", "none"), default="unsharded")
    args = parser.parse_args(argv)
    if args.scale <= 0 or args.pollers < 1 or args.clients < 1 or args.interval <= 0:
        parser.error("--scale, --interval must be positive, --pollers and --clients at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    ours = run_pass("ours", args, args.pollers, (None, None))
    peer = None
    if args.peer == "unsharded":
        peer = run_pass("unsharded", args, args.pollers, (1, 1))
    elif args.peer == "concurrency1":
        peer = run_pass("concurrency 1", args, 1, (None, None))
    say(
        f"\nload: {FULL_BURST:g} tickets/s for {args.burst_seconds:g} s then {FULL_SUSTAINED:g}/s for "
        f"{args.sustained_seconds:g} s, scaled by 1/{args.scale:g}; {args.one_region_share:.0%} from one region (na)"
    )
    for result in (ours, peer):
        if result is not None and result.answers:
            say(f"[scale] {result.label}: unexpected answers to POST /tickets: {result.answers}")
    for result in (ours, peer):
        if result is not None:
            say(f"\n== {result.label}: over time (depth and oldest: detect/translate/route queues)")
            say(over_time(result, args))
    say("\n== summary" + (f" (peer: {peer.label})" if peer else ""))
    say(summary(ours, peer))
    say(
        "\nnotes: 429s come from a token bucket standing for API Gateway (chalice.local has none);"
        "\n  oldest = the oldest ticket waiting for that stage, from the tickets' status writes (moto keeps no"
        "\n  message age); WU = write units counted per partition key from the requests (moto reports none);"
        "\n  throttling errors stay 0 on moto, which never throttles."
        f"\nall passes took {time.monotonic() - began:.0f} s"
    )
    return 1 if ours.unrouted or (peer is not None and peer.unrouted) else 0


if __name__ == "__main__":
    sys.exit(main())
