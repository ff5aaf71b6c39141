"""The pipeline as a state machine: Hypothesis interleaves submissions, deliveries, duplicates,
reordering, crashes, visibility expiries, redrives, clock moves and sweeps, and checks after
every step what a requester or an operator would notice.

The use cases run on the in-memory store (the DynamoDB store's twin, held to the same contract
by tests/contract/) with the real stage table, the real n-gram detector, SQS as in
tests/stateful/fake_sqs.py and the fault harness's crash points and flaky provider
(bench/faults_injection.py); bench/fault_harness.py drives the same faults through moto and HTTP.

Invariants: one ticket per accepted submission (the same ticket on every replay); status never
goes backwards; a ticket reaches a desk at most once, except a ticket whose desk message went
out right before a crash (architecture rule 4); no e-mail address or phone number written in a
ticket reaches the translation provider. At the end (faults off, pending submissions retried,
the pipeline settled), every accepted ticket has reached its routing region's desk.

Bounded for the normal suite; STATEFUL_EXAMPLES and STATEFUL_STEPS allow a longer run.
"""

from __future__ import annotations

import os
import random
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from bench.fault_harness import PHONE_FORMATS, pii_leaks
from bench.faults_injection import (
    AFTER_SEND,
    AFTER_TICKET_WRITE,
    AFTER_VALIDATION,
    AFTER_WORKER_WRITE,
    BEFORE_DELETE,
    Crash,
    CrashingIdempotency,
    CrashingPublisher,
    CrashingTickets,
    FlakyTranslator,
    Outbox,
    WatchedSweepIndex,
)
from bench.messages import SAMPLES
from chalicelib import aws_resource_names
from chalicelib.api.contract import parse_new_ticket
from chalicelib.composition_root import Dependencies
from chalicelib.domain.ticket import utc_now
from chalicelib.settings import get_settings
from chalicelib.workers.sqs_batch import handle_sqs_event
from devstack.lambda_events import sqs_event
from tests.stateful.fake_sqs import FakeSqs

WORKERS = {
    aws_resource_names.DETECT: "detect_language",
    aws_resource_names.TRANSLATE: "translate_ticket",
    aws_resource_names.ROUTE: "route_ticket",
}
INTAKE_CRASHES = st.sampled_from([None, None, AFTER_VALIDATION, AFTER_TICKET_WRITE, AFTER_SEND])
WORKER_CRASHES = st.sampled_from([None, None, AFTER_WORKER_WRITE, AFTER_SEND, BEFORE_DELETE])
LOCAL_PARTS = st.from_regex(r"[a-z][a-z0-9._+-]{0,12}[a-z0-9]", fullmatch=True)
EMAILS = st.builds(lambda local, domain: f"{local}@{domain}.example.com", LOCAL_PARTS, st.sampled_from(["mail", "b-c"]))
PHONES = st.builds(lambda form, n: form.format(n=n), st.sampled_from(PHONE_FORMATS), st.integers(0, 9999))


class OneShotCrash:
    """The CrashPlan the crash proxies ask: crashes once at the point a rule armed."""

    def __init__(self) -> None:
        self.point: str | None = None

    def maybe(self, point: str) -> None:
        if self.point == point:
            self.point = None
            raise Crash(point)


class Clock:
    """Starts at the real time: idempotency records expire by the wall clock, as TTL does."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Submission:
    key: str
    body: dict[str, Any]
    ticket_id: str | None = None


@cache
def help_matcher() -> Any:
    """Built once for the whole run (a few tenths of a second each time otherwise)."""
    return Dependencies(settings=get_settings()).help_matcher


class PipelineMachine(RuleBasedStateMachine):
    @initialize()
    def fresh_desk(self) -> None:
        base = get_settings()
        self.clock = Clock()
        self.crash = OneShotCrash()
        self.translator = FlakyTranslator()
        self.sqs = FakeSqs({base.desk_queue_name(region): region for region in aws_resource_names.REGIONS})
        self.outbox = Outbox()
        deps = Dependencies.in_memory(base, clock=self.clock, translators=[self.translator])
        store = deps.overrides
        self.db = store["tickets"].db
        self.deps = replace(
            deps,
            overrides={
                **store,
                "help_matcher": help_matcher(),
                "tickets": CrashingTickets(store["tickets"], self.crash),
                "idempotency": CrashingIdempotency(store["idempotency"], self.crash),
                "publisher": CrashingPublisher(self.sqs, self.crash, self.outbox),
                "sweep_index": WatchedSweepIndex(store["sweep_index"], self.outbox),
            },
        )
        self.submissions: list[Submission] = []
        self.seeded: set[str] = set()
        self.ranks: dict[str, int] = {}

    # --- the requester's client ------------------------------------------------------------

    def _post(self, submission: Submission, crash: str | None) -> None:
        self.crash.point = crash
        try:
            created = self.deps.submit_ticket(parse_new_ticket(submission.body), submission.key, "stateful")
        except Crash:
            return  # no answer: the client will retry with the same key
        finally:
            self.crash.point = None
        if submission.ticket_id is not None:
            assert created.ticket.ticket_id == submission.ticket_id, "a replay answered another ticket"
        submission.ticket_id = created.ticket.ticket_id

    @rule(sample=st.integers(0, len(SAMPLES) - 1), email=EMAILS, phone=PHONES, crash=INTAKE_CRASHES)
    def submit(self, sample: int, email: str, phone: str, crash: str | None) -> None:
        body = SAMPLES[sample].body()
        body["description"] = f"{SAMPLES[sample].text} {email} {phone}"
        self.seeded |= {email, phone}
        submission = Submission(str(uuid.uuid4()), body)
        self.submissions.append(submission)
        self._post(submission, crash)

    @precondition(lambda self: self.submissions)
    @rule(pick=st.integers(0, 10**6), crash=INTAKE_CRASHES)
    def post_again(self, pick: int, crash: str | None) -> None:
        """The client retries (no answer yet) or replays (an answer it did not see)."""
        self._post(self.submissions[pick % len(self.submissions)], crash)

    # --- SQS and Lambda ----------------------------------------------------------------------

    @rule(
        role=st.sampled_from(sorted(WORKERS)),
        limit=st.integers(1, 10),
        copies=st.sampled_from([1, 1, 2, 3, 5]),
        order=st.randoms(use_true_random=False),
        crash=WORKER_CRASHES,
    )
    def deliver(self, role: str, limit: int, copies: int, order: random.Random, crash: str | None) -> None:
        """One Lambda invocation: a batch in any order, each message `copies` times."""
        queue = self.deps.settings.queue_name(role)
        taken = self.sqs.receive(queue, limit, order)
        if not taken:
            return
        records = [envelope.as_sqs() for envelope in taken for _ in range(copies)]
        order.shuffle(records)
        self.crash.point = crash
        try:
            answer = handle_sqs_event(
                WORKERS[role], sqs_event(records, f"arn:aws:sqs:::{queue}", "us-east-1"), self.deps
            )
            self.crash.maybe(BEFORE_DELETE)
        except Crash:
            return  # nothing deleted: the batch comes back when its visibility expires
        finally:
            self.crash.point = None
        failed = {item["itemIdentifier"] for item in answer["batchItemFailures"]}
        self.sqs.delete(queue, [envelope for envelope in taken if envelope.message_id not in failed])

    @rule()
    def expire_visibility(self) -> None:
        self.sqs.expire_visibility()

    @rule()
    def redrive(self) -> None:
        self.sqs.redrive()

    @rule(seconds=st.integers(1, 900))
    def advance_clock(self, seconds: int) -> None:
        self.clock.now += timedelta(seconds=seconds)

    @rule(crash=st.sampled_from([None, None, AFTER_SEND]))
    def sweep(self, crash: str | None) -> None:
        self.crash.point = crash
        try:
            self.deps.sweep()
        except Crash:
            pass  # the scheduled run died; the next one tries again
        finally:
            self.crash.point = None

    @rule(down=st.booleans())
    def provider(self, down: bool) -> None:
        self.translator.down = down

    # --- what must always hold ---------------------------------------------------------------

    @invariant()
    def one_ticket_per_submission(self) -> None:
        accepted = [submission.ticket_id for submission in self.submissions if submission.ticket_id]
        assert len(accepted) == len(set(accepted)), "two submissions answered with one ticket"
        assert set(accepted) <= set(self.db.tickets), "an accepted ticket is not stored"
        # A crash after the write leaves a stored ticket its client has not been told about yet;
        # never more tickets than submissions.
        assert len(self.db.tickets) <= len(self.submissions)

    @invariant()
    def status_never_goes_backwards(self) -> None:
        for ticket_id, stored in self.db.tickets.items():
            rank = stored.ticket.status.rank
            assert rank >= self.ranks.get(ticket_id, rank), f"{ticket_id} went back to {stored.ticket.status}"
            self.ranks[ticket_id] = rank

    @invariant()
    def each_desk_message_once(self) -> None:
        for ticket_id, copies in self.sqs.desk.items():
            assert ticket_id in self.db.tickets, "a desk message for a ticket nobody stored"
            explained = self.outbox.unconfirmed(ticket_id)  # a crash between the send and its confirmation
            assert copies == 1 or explained, f"{ticket_id} reached its desk {copies} times"
            routing = self.db.tickets[ticket_id].ticket.routing
            assert routing is not None and self.sqs.desk_regions[ticket_id] == {routing.region}

    @invariant()
    def no_personal_data_reaches_the_provider(self) -> None:
        assert pii_leaks(self.translator.received, self.seeded) == []

    def teardown(self) -> None:
        """Faults off: pending submissions retried, the pipeline settled; every ticket at its desk."""
        if not hasattr(self, "deps"):
            return
        self.translator.down = False
        for submission in self.submissions:
            if submission.ticket_id is None:
                self._post(submission, None)
        for _ in range(30):
            self.sqs.redrive()
            self.sqs.expire_visibility()
            for role in WORKERS:
                queue = self.sqs.queues.get(self.deps.settings.queue_name(role), [])
                while any(not envelope.in_flight for envelope in queue):
                    self.deliver(role, 10, 1, random.Random(0), None)
            self.clock.now += timedelta(seconds=self.deps.settings.sweep_after_seconds * 25)
            resent = self.deps.sweep()["resent"]
            if not resent and not self.sqs.waiting():
                break
        accepted = {submission.ticket_id for submission in self.submissions}
        assert set(self.db.tickets) == accepted
        for ticket_id in accepted:
            assert self.db.tickets[ticket_id].ticket.status.value == "routed", ticket_id
            assert self.sqs.desk[ticket_id] >= 1, f"{ticket_id} never reached its desk"


PipelineMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("STATEFUL_EXAMPLES", "30")),
    stateful_step_count=int(os.environ.get("STATEFUL_STEPS", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestPipelineMachine = PipelineMachine.TestCase
