"""Push tickets through the real pipeline while everything that can go wrong does; keep a ledger.

Shared by `make bench-faults` (bench/faults.py, 10,000 tickets) and the normal suite
(tests/faults/, a few hundred). Runs in-process on a moto account the caller opened (mock_aws
with the infra/ resources): the intake through chalice.test.Client (HTTP, the real route), the
three pipeline workers through their real Lambda handlers, fed by this module instead of a
poller so that it decides what each delivery looks like:

- duplicates: a message handed over k = 2, 3 or 5 times, in one batch, in separate batches,
  or in batches running at the same time in threads;
- reordering: batches shuffled, and some messages held back to a later round;
- crashes at every boundary (bench/faults_injection.py), after which the message is not deleted
  and comes back when its visibility expires (past maxReceiveCount, in the dead-letter queue,
  which the harness redrives now and then as an operator would);
- AWS errors on DynamoDB and SQS, before or after the request applied;
- a translation provider outage, a few rounds at a time.

The clock is simulated: each round moves it forward and the sweeper runs, as it would every
minute. When every ticket is submitted, the faults stop and the pipeline settles; then the
ledger is reconciled (bench/faults_ledger.py).
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bench.faults_injection import (
    AFTER_SEND,
    AFTER_TICKET_WRITE,
    AFTER_VALIDATION,
    AFTER_WORKER_WRITE,
    BEFORE_DELETE,
    AwsFaults,
    Crash,
    CrashingIdempotency,
    CrashingPublisher,
    CrashingTickets,
    CrashPlan,
    FlakyTranslator,
    WatchedAcknowledgement,
    WatchedSweepIndex,
    skip_retry_sleeps,
)
from bench.faults_ledger import Ledger, Reconciliation, reconcile
from bench.faults_moto import faster_moto
from bench.faults_queues import Deliveries, Queues
from bench.messages import SAMPLES

DEFAULT_CRASH_RATES = {
    AFTER_VALIDATION: 0.02,
    AFTER_TICKET_WRITE: 0.03,
    AFTER_SEND: 0.02,
    AFTER_WORKER_WRITE: 0.02,
    BEFORE_DELETE: 0.03,
}
MAX_POSTS = 40  # a client's attempts at one submission before it gives up


@dataclass(frozen=True)
class FaultConfig:
    tickets: int = 300
    seed: int = 7
    per_round: int = 60  # submissions per round
    crash_rates: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_CRASH_RATES))
    aws_refused: float = 0.03  # share of the app's AWS requests refused (botocore retries them)
    aws_retried: float = 0.005  # share applied, answered 500, sent again by botocore
    aws_lost_answer: float = 0.01  # share applied, then answered with an error (after botocore's retries)
    duplicate_share: float = 0.2  # share of messages delivered k = 2, 3 or 5 times
    concurrent_share: float = 0.3  # share of rounds whose batches run two at a time
    hold_back: float = 0.1  # share of messages held back to a later round
    concurrent_posts: float = 0.05  # share of submissions POSTed twice at the same time
    outage_every: int = 5  # every Nth round (and the next) the translation provider is down
    redrive_every: int = 4
    tick_seconds: float = 25.0
    settle_rounds: int = 40


class HarnessClock:
    """The app's clock during a run: starts now, moves only when the harness says."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)


@dataclass
class Submission:
    key: str
    body: dict[str, Any]
    pii: tuple[str, ...]


PHONE_FORMATS = ("+44 20 7946 {n:04d}", "(415) 555-{n:04d}", "+55 11 9{n:04d}-1234", "030 12{n:04d}")


def make_submission(index: int, rng: random.Random) -> Submission:
    sample = SAMPLES[index % len(SAMPLES)]
    email = f"requester.{index}.{rng.randrange(10**6)}@example.com"
    phone = PHONE_FORMATS[index % len(PHONE_FORMATS)].format(n=rng.randrange(10**4))
    body = sample.body(requester_id=f"user-{index}")
    body["description"] = f"{sample.text} {email} {phone}"
    return Submission(str(uuid.uuid4()), body, (email, phone))


@dataclass
class Harness:
    config: FaultConfig
    api: Any  # chalice.test.Client
    ledger: Ledger = field(default_factory=Ledger)
    posts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from chalicelib.adapters.aws import client
        from chalicelib.composition_root import dependencies, override_dependencies
        from chalicelib.domain.ticket import utc_now

        config = self.config
        self.rng = random.Random(config.seed)
        self.crashes = CrashPlan(dict(config.crash_rates), seed=config.seed + 1)
        self.aws = AwsFaults(config.aws_refused, config.aws_lost_answer, config.aws_retried, seed=config.seed + 2)
        self.translator = FlakyTranslator()
        self.clock = HarnessClock(utc_now())
        deps = dependencies()
        self.deps = override_dependencies(
            settings=without_rate_limits(deps.settings),
            clock=self.clock,
            tickets=CrashingTickets(deps.tickets, self.crashes),
            idempotency=CrashingIdempotency(deps.idempotency, self.crashes),
            publisher=CrashingPublisher(deps.publisher, self.crashes, self.aws.outbox),
            sweep_index=WatchedSweepIndex(deps.sweep_index, self.aws.outbox),
            translators=[self.translator],
        )
        # Replaces the cached property on this instance; the stage table and the sweeper call it.
        self.deps.acknowledge = WatchedAcknowledgement(self.deps.acknowledge, self.aws.outbox)  # type: ignore[misc]
        _ = (self.deps.stages, self.deps.run_stage, self.deps.sweep)  # built once, before any thread
        self.aws.attach({"dynamodb": client("dynamodb"), "sqs": client("sqs")})
        self.queues = Queues(self.deps.settings, self.aws.paused, self.ledger)
        self.deliveries = Deliveries(self.queues, self.crashes, self.rng)
        self.submitted = 0

    # --- the client ----------------------------------------------------------------------

    def submit(self, submission: Submission) -> None:
        for _ in range(MAX_POSTS):
            self.posts["attempts"] = self.posts.get("attempts", 0) + 1
            try:
                status, body = self._post(submission)
            except Crash:
                self.posts["no answer"] = self.posts.get("no answer", 0) + 1
                continue
            if status in (200, 201):
                self.ledger.accept(submission.key, body["ticket_id"])
                return
            if status < 500 and status != 429:
                raise AssertionError(f"the intake refused a valid ticket: {status} {body}")
            self.posts[f"answered {status}"] = self.posts.get(f"answered {status}", 0) + 1
        self.ledger.gave_up.append(submission.key)

    def _post(self, submission: Submission) -> tuple[int, Any]:
        response = self.api.http.post(
            "/tickets",
            headers={"Content-Type": "application/json", "Idempotency-Key": submission.key},
            body=json.dumps(submission.body, ensure_ascii=False).encode(),
        )
        return response.status_code, json.loads(response.body) if response.body else None

    def submit_concurrently(self, submission: Submission) -> None:
        """Two requests with one key at once: the HTTP one here, the other straight to the use case
        (chalice's app holds the current request in one attribute: two HTTP calls would mix)."""
        from chalicelib.api.contract import parse_new_ticket

        def other() -> None:
            for _ in range(MAX_POSTS):
                try:
                    created = self.deps.submit_ticket(parse_new_ticket(submission.body), submission.key, "concurrent")
                except Crash:
                    continue
                except Exception:  # an injected AWS error reached the "client": it retries
                    continue
                self.ledger.accept(submission.key, created.ticket.ticket_id)
                return

        thread = threading.Thread(target=other)
        thread.start()
        self.submit(submission)
        thread.join()

    # --- the run ---------------------------------------------------------------------------

    def round(self, number: int, faults: bool) -> dict[str, int]:
        config = self.config
        self.translator.down = faults and config.outage_every > 0 and number % config.outage_every in (0, 1)
        while faults and self.submitted < config.tickets and self.submitted < (number + 1) * config.per_round:
            submission = make_submission(self.submitted, self.rng)
            self.ledger.seeded_pii.update(submission.pii)
            if self.rng.random() < config.concurrent_posts:
                self.submit_concurrently(submission)
            else:
                self.submit(submission)
            self.submitted += 1
        shape = (
            dict(
                duplicate_share=config.duplicate_share,
                hold_back=config.hold_back,
                # Every other round at least: a short run has concurrent batches too.
                concurrent=number % 2 == 0 or self.rng.random() < config.concurrent_share,
            )
            if faults
            else dict(duplicate_share=0.0, hold_back=0.0, concurrent=False)
        )
        moved = self.deliveries.deliver_all(**shape)
        if not faults or number % config.redrive_every == 0:
            moved += self.queues.redrive_dead_letters()
        self.clock.advance(config.tick_seconds if faults else self.deps.settings.sweep_after_seconds * 25)
        counts = self._sweep()
        self.queues.drain_desks()
        return {"moved": moved, "resent": counts.get("resent", 0)}

    def _sweep(self) -> dict[str, int]:
        for _ in range(MAX_POSTS):
            try:
                return self.deps.sweep()
            except (Crash, Exception):  # the scheduled run failed: the next one tries again
                continue
        return {}

    def run(self, progress: Callable[[str], None] | None = None) -> Reconciliation:
        undo = skip_retry_sleeps()
        try:
            with faster_moto():
                number = 0
                while self.submitted < self.config.tickets:
                    self.round(number, faults=True)
                    number += 1
                    if progress and number % 10 == 0:
                        progress(f"round {number}: {self.submitted} submitted")
                self.settle(number)
                return self.reconcile()
        finally:
            undo()

    def settle(self, number: int) -> None:
        """Faults off, provider back: rounds until nothing moves and nothing is re-sent twice running."""
        self.crashes.armed = self.aws.armed = False
        self.translator.down = False
        quiet = 0
        for settle in range(self.config.settle_rounds):
            counts = self.round(number + settle, faults=False)
            quiet = quiet + 1 if not counts["moved"] and not counts["resent"] else 0
            if quiet >= 2:
                return

    def reconcile(self) -> Reconciliation:
        with self.aws.paused():
            stored = self.queues.stored_tickets(self.deps.tickets)
        leaks = pii_leaks(self.translator.received, self.ledger.seeded_pii)
        result = reconcile(self.ledger, self.submitted, stored, leaks, self.aws.outbox)
        result.details.update(
            posts=dict(self.posts),
            crashes=dict(self.crashes.counts),
            aws_errors=dict(self.aws.counts),
            deliveries=dict(self.deliveries.counts),
            provider_refusals=self.translator.refused,
            provider_calls=len(self.translator.received),
            left_on_queues=self.queues.depths(),
        )
        return result


def without_rate_limits(settings: Any) -> Any:
    """One client posts every ticket from one address: the per-IP budget is off, as for `make bench`."""
    safeguards = getattr(settings, "safeguards", None)
    if safeguards is None or not hasattr(safeguards, "rate_limits"):
        return settings
    return replace(settings, safeguards=replace(safeguards, rate_limits=False))


def pii_leaks(received: list[str], seeded: set[str]) -> list[str]:
    """Seeded e-mails and phone numbers (their digits) found in what the provider was sent."""
    leaks: list[str] = []
    digits_sent = ["".join(ch for ch in text if ch.isdigit()) for text in received]
    for value in seeded:
        if "@" in value:
            leaks += [value for text in received if value in text][:1]
            continue
        digits = "".join(ch for ch in value if ch.isdigit())
        if any(digits[-7:] in sent for sent in digits_sent):
            leaks.append(value)
    return leaks


def run(config: FaultConfig, api: Any, progress: Callable[[str], None] | None = None) -> Reconciliation:
    """One run on the moto account the caller opened (the infra/ resources, empty)."""
    return Harness(config, api).run(progress)
