"""The faults the fault harness injects, all from the edge of the app (nothing in chalicelib changes).

- AWS errors: a botocore `before-send` hook on the app's own DynamoDB and SQS clients answers
  some requests with `ThrottlingException`, `ProvisionedThroughputExceededException` (DynamoDB)
  or a 500 `InternalServerError` instead of letting moto see them (botocore then retries, as it
  does in AWS); an `after-call` hook makes some calls fail *after* moto applied them (the answer
  was lost: the write or the send happened, the caller saw an error).
- Crashes: `Crash` is a BaseException, so no `except Exception` in the app can swallow it; like a
  process dying, it ends the request or the Lambda invocation. Proxies around the idempotency
  store, the ticket store and the publisher raise it at the boundaries the harness names.
- A translation provider that can be down, and that remembers every text it was sent.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import botocore.endpoint
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from moto.core.botocore_stubber import MockRawResponse

from chalicelib.domain.ports import OutgoingMessage, ProviderUnavailable

# --- crash points ----------------------------------------------------------------------------

AFTER_VALIDATION = "after validation"
AFTER_TICKET_WRITE = "after the ticket write"
AFTER_SEND = "after a send"
AFTER_WORKER_WRITE = "after a worker's write"
BEFORE_DELETE = "before delete"
CRASH_POINTS = (AFTER_VALIDATION, AFTER_TICKET_WRITE, AFTER_SEND, AFTER_WORKER_WRITE, BEFORE_DELETE)


class Crash(BaseException):
    """The process died here: no answer to the client, no batch response to Lambda."""


@dataclass
class CrashPlan:
    """How often each boundary crashes; `armed` off stops every crash (the settle phase)."""

    rates: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    armed: bool = True
    counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()

    def maybe(self, point: str) -> None:
        if not self.armed:
            return
        with self._lock:
            hit = self._random.random() < self.rates.get(point, 0.0)
            if hit:
                self.counts[point] += 1
        if hit:
            raise Crash(point)


class _Proxy:
    def __init__(self, real: Any, crashes: CrashPlan) -> None:
        self._real = real
        self._crashes = crashes

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class CrashingIdempotency(_Proxy):
    """A retry's read of its key's record (intake writes first, then reads only when refused)."""

    def get(self, key_hash: str) -> Any:
        self._crashes.maybe(AFTER_VALIDATION)
        return self._real.get(key_hash)


class CrashingTickets(_Proxy):
    def create(self, ticket: Any, idempotency: Any = None, charges: Any = ()) -> None:
        # The intake's first store call: a crash here is a crash right after the body validated.
        self._crashes.maybe(AFTER_VALIDATION)
        self._real.create(ticket, idempotency, charges)
        self._crashes.maybe(AFTER_TICKET_WRITE)

    def save_transition(self, before: Any, after: Any, awaiting_notification: bool = False) -> None:
        self._real.save_transition(before, after, awaiting_notification=awaiting_notification)
        self._crashes.maybe(AFTER_WORKER_WRITE)


@dataclass
class Outbox:
    """What architecture rule 4 is about, seen from outside: desk messages sent, desk messages
    confirmed in the sweep index, acknowledgements that failed (they leave the desk message
    unconfirmed on purpose, so the sweeper sends both again)."""

    sent: Counter[str] = field(default_factory=Counter)
    confirmed: Counter[str] = field(default_factory=Counter)
    acknowledgement_failed: set[str] = field(default_factory=set)
    # Desk messages of a SendMessageBatch that applied, answered an error, and botocore sent again.
    sent_again_by_the_sdk: set[str] = field(default_factory=set)

    def unconfirmed(self, ticket_id: str) -> bool:
        return self.sent[ticket_id] > self.confirmed[ticket_id]


def _desk_ticket_ids(messages: Sequence[OutgoingMessage], unsent: set[str]) -> list[str]:
    return [
        message.body["ticket_id"]
        for message in messages
        if message.body.get("type") == "ticket.routed" and message.message_id not in unsent
    ]


class CrashingPublisher(_Proxy):
    """Crashes after a send; counts the desk messages that went out."""

    def __init__(self, real: Any, crashes: CrashPlan, outbox: Outbox) -> None:
        super().__init__(real, crashes)
        self._outbox = outbox

    def send(self, messages: Sequence[OutgoingMessage]) -> set[str]:
        unsent = self._real.send(messages)
        self._outbox.sent.update(_desk_ticket_ids(messages, unsent))
        self._crashes.maybe(AFTER_SEND)
        return unsent


class WatchedSweepIndex(_Proxy):
    """Counts the desk messages confirmed (`mark_notified` returned)."""

    def __init__(self, real: Any, outbox: Outbox) -> None:
        super().__init__(real, CrashPlan())
        self._outbox = outbox

    def mark_notified(self, ticket_id: str, *args: Any, **kwargs: Any) -> None:
        self._real.mark_notified(ticket_id, *args, **kwargs)
        self._outbox.confirmed[ticket_id] += 1


class WatchedAcknowledgement:
    """The requester's acknowledgement (Dependencies.acknowledge); remembers the ones that failed."""

    def __init__(self, real: Callable[[Any], None], outbox: Outbox) -> None:
        self._real = real
        self._outbox = outbox

    def __call__(self, ticket: Any) -> None:
        try:
            self._real(ticket)
        except Exception:
            self._outbox.acknowledgement_failed.add(ticket.ticket_id)
            raise


# --- AWS errors --------------------------------------------------------------------------------

# (code, HTTP status) per service; botocore's standard retry mode retries all of them.
AWS_ERRORS = {
    "dynamodb": (
        ("ThrottlingException", 400),
        ("ProvisionedThroughputExceededException", 400),
        ("InternalServerError", 500),
    ),
    "sqs": (("ThrottlingException", 400), ("InternalServerError", 500)),
}
_PROTOCOL_PREFIX = {"dynamodb": "com.amazonaws.dynamodb.v20120810#", "sqs": "com.amazonaws.sqs#"}
# The harness's own reads of the queues and the table are not faulted (they are not the app).
UNFAULTED = frozenset({"GetQueueUrl", "GetQueueAttributes", "ListQueues", "PurgeQueue", "CreateQueue"})


# Set by the refusing hook, read by moto's stubber (bench/faults_moto.py): this request never
# reaches moto. botocore emits `before-send` to every handler and keeps the first answer, so
# without it moto would apply a request the harness answered with an error.
REFUSED = threading.local()


@dataclass
class AwsFaults:
    """A share of the app's AWS requests is refused (moto never sees it; botocore retries), applied
    and answered with a 500 (botocore retries: a timeout after the write, as AWS can), or applied
    and answered with an error after botocore's retries (the caller sees the error)."""

    before_rate: float = 0.0
    after_rate: float = 0.0
    retried_rate: float = 0.0
    seed: int = 0
    armed: bool = True
    counts: Counter[str] = field(default_factory=Counter)
    # A SendMessageBatch that applied but answered an error still sent its desk messages.
    outbox: Outbox = field(default_factory=Outbox)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()
        self._paused = threading.local()

    def attach(self, clients: dict[str, Any]) -> None:
        for service, aws_client in clients.items():
            aws_client.meta.events.register_first(f"before-send.{service}", self._before_send(service))
            aws_client.meta.events.register(f"before-call.{service}", _keep_request)
            aws_client.meta.events.register(f"after-call.{service}", self._after_call(service))

    def paused(self) -> _Pause:
        """`with faults.paused():` the harness's own calls (reading the queues, the ledger)."""
        return _Pause(self._paused)

    def _draw(self, rate: float, service: str) -> tuple[str, int] | None:
        if not self.armed or getattr(self._paused, "on", False) or rate <= 0:
            return None
        with self._lock:
            if self._random.random() >= rate:
                return None
            return self._random.choice(AWS_ERRORS[service])

    def _before_send(self, service: str) -> Callable[..., Any]:
        def hook(request: Any, **kwargs: Any) -> AWSResponse | None:
            operation = _operation(request)
            if operation in UNFAULTED:
                return None
            error = self._draw(self.before_rate, service)
            if error is not None:
                REFUSED.on = True
                self.counts[f"{service} {error[0]} (refused)"] += 1
            else:
                error = self._draw(self.retried_rate, service)
                if error is None:
                    return None
                error = ("InternalServerError", 500)
                self.counts[f"{service} InternalServerError (applied, botocore retried)"] += 1
                if operation == "SendMessageBatch":
                    self.outbox.sent_again_by_the_sdk.update(_routed_ticket_ids(request.body))
            code, status = error
            body = json.dumps({"__type": _PROTOCOL_PREFIX[service] + code, "message": "injected by the harness"})
            headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-query-error": f"{code};Sender"}
            return AWSResponse(request.url, status, headers, MockRawResponse(body.encode()))

        return hook

    def _after_call(self, service: str) -> Callable[..., Any]:
        def hook(model: Any, http_response: Any = None, **kwargs: Any) -> None:
            if model.name in UNFAULTED or model.name.startswith(("Get", "BatchGet", "Query", "Scan", "Receive")):
                return  # a lost answer to a read is just a refused read
            if http_response is not None and http_response.status_code >= 300:
                return
            error = self._draw(self.after_rate, service)
            if error is None:
                return
            code, _ = error
            self.counts[f"{service} {code} (after it applied)"] += 1
            if model.name == "SendMessageBatch":
                self.outbox.sent.update(_routed_ticket_ids((kwargs.get("context") or {}).get("harness_request_body")))
            raise ClientError({"Error": {"Code": code, "Message": "answer lost (injected)"}}, model.name)

        return hook


def _keep_request(params: Any, context: Any = None, **kwargs: Any) -> None:
    if context is not None:
        context["harness_request_body"] = params.get("body")


def _routed_ticket_ids(body: Any) -> list[str]:
    """The tickets whose desk message (a `ticket.routed` claim check) a SendMessageBatch carried."""
    try:
        entries = json.loads(body or b"{}").get("Entries", [])
        bodies = [json.loads(entry["MessageBody"]) for entry in entries]
    except (ValueError, KeyError, TypeError):
        return []
    return [body["ticket_id"] for body in bodies if body.get("type") == "ticket.routed"]


class _Pause:
    def __init__(self, local: threading.local) -> None:
        self._local = local

    def __enter__(self) -> None:
        self._local.on = True

    def __exit__(self, *exc: object) -> None:
        self._local.on = False


def _operation(request: Any) -> str:
    target = request.headers.get("X-Amz-Target", b"")
    target = target.decode() if isinstance(target, bytes) else str(target)
    return target.rsplit(".", 1)[-1]


class _NoSleep:
    """botocore.endpoint's `time`, minus the back-off sleeps (the harness's time is simulated)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        return None


def skip_retry_sleeps() -> Callable[[], None]:
    """Make botocore retry at once; returns the undo."""
    original = botocore.endpoint.time
    botocore.endpoint.time = _NoSleep()  # type: ignore[assignment]

    def undo() -> None:
        botocore.endpoint.time = original

    return undo


# --- the translation provider --------------------------------------------------------------------


@dataclass
class FlakyTranslator:
    """A provider that echoes the (masked) text it gets, down while `down` is set."""

    name: str = "flaky"
    max_chars: int = 5000
    max_bytes: int = 10000
    down: bool = False
    received: list[str] = field(default_factory=list)
    refused: int = 0

    def translate(self, text: str, source: str, target: str) -> str:
        if self.down:
            self.refused += 1
            raise ProviderUnavailable("the provider is down (injected outage)")
        self.received.append(text)
        return text
