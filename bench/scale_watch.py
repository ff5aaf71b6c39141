"""The load model's eyes (bench/scale.py): a token bucket standing for API Gateway's throttle,
and botocore hooks on the app's clients that see every status write, the write units each
request puts on each partition key, and the throttling errors."""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

STATUS_ORDER = {"received": 0, "detected": 1, "translated": 2, "routed": 3}
THROTTLE_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TransactionConflictException",
    "Throttling",
}


class TokenBucket:
    """API Gateway's throttle: `rate` requests a second, up to `burst` at once."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst, self.tokens = rate, burst, burst
        self.at = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


@dataclass
class Watch:
    """What the app's AWS calls show: status writes, write units per partition, throttles."""

    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    status: dict[str, tuple[int, float]] = field(default_factory=dict)  # ticket -> (status rank, since)
    posted: dict[str, float] = field(default_factory=dict)
    units: Counter[tuple[int, str, str]] = field(default_factory=Counter)  # (second, space, partition)
    throttles: Counter[str] = field(default_factory=Counter)
    calls: int = 0
    attempts: int = 0

    def attach(self, clients: list[Any]) -> None:
        for aws_client in clients:
            aws_client.meta.events.register("before-call", self._before_call)
            aws_client.meta.events.register("before-parameter-build", self._before_parameters)
            aws_client.meta.events.register("after-call", self._after_call)
            aws_client.meta.events.register("before-send", self._before_send)

    def _before_send(self, **kwargs: Any) -> None:
        with self.lock:
            self.attempts += 1

    def _after_call(self, parsed: Any = None, **kwargs: Any) -> None:
        code = ((parsed or {}).get("Error") or {}).get("Code", "")
        reasons = [reason.get("Code", "") for reason in (parsed or {}).get("CancellationReasons", []) or []]
        for found in [code, *(f"{reason}Exception" for reason in reasons)]:
            if found in THROTTLE_CODES:
                with self.lock:
                    self.throttles[found] += 1

    def _before_call(self, **kwargs: Any) -> None:
        with self.lock:
            self.calls += 1

    def _before_parameters(self, event_name: str, params: dict[str, Any], **kwargs: Any) -> None:
        """The request's own parameters (before-call sees the serialized request instead)."""
        if not event_name.startswith("before-parameter-build.dynamodb."):
            return
        operation = event_name.rsplit(".", 1)[1]
        second = int(time.monotonic() - self.started)
        try:
            for item, key, twice in _writes(operation, params):
                self._count(second, item, key, 2 if twice else 1)
        except (KeyError, TypeError):  # a shape this bench does not know: never fail the app's call
            with self.lock:
                self.throttles["(unread request)"] += 1

    def _count(self, second: int, item: dict[str, Any] | None, key: dict[str, Any], factor: int) -> None:
        size = len(json.dumps(item if item is not None else key))
        with self.lock:
            self.units[(second, "table", key["pk"]["S"])] += factor * max(1, math.ceil(size / 1024))
            if item is None:
                return
            if "gsi1pk" in item:
                self.units[(second, "by_region", item["gsi1pk"]["S"])] += factor
            if item.get("entity", {}).get("S") == "ticket" and "status" in item:
                rank = STATUS_ORDER.get(item["status"]["S"], -1)
                ticket_id = item["ticket_id"]["S"]
                if rank > self.status.get(ticket_id, (-1, 0.0))[0]:
                    self.status[ticket_id] = (rank, time.monotonic())

    def oldest_waiting(self, status_rank: int, now: float) -> float:
        """Seconds the oldest ticket has been waiting in `status_rank` (0: posted, not detected)."""
        with self.lock:
            since = [
                at if status_rank else self.posted.get(ticket_id, at)
                for ticket_id, (rank, at) in self.status.items()
                if rank == status_rank
            ]
        return max(0.0, now - min(since)) if since else 0.0

    def last_routed(self) -> float:
        """Seconds from the start to the last status `routed` written (nan if none)."""
        with self.lock:
            moments = [at for rank, at in self.status.values() if rank == STATUS_ORDER["routed"]]
        return max(moments) - self.started if moments else math.nan

    def routed(self) -> int:
        with self.lock:
            return sum(1 for rank, _ in self.status.values() if rank == STATUS_ORDER["routed"])

    def hottest(self, space: Callable[[str, str], bool], second: int | None = None) -> tuple[str, int]:
        """(partition, units) of the busiest partition of `space`, in one second or in all."""
        totals: Counter[str] = Counter()
        with self.lock:
            for (at, kind, partition), units in self.units.items():
                if (second is None or at == second) and space(kind, partition):
                    totals[partition] += units
        return totals.most_common(1)[0] if totals else ("-", 0)


def _writes(operation: str, params: dict[str, Any]) -> Iterator[tuple[dict[str, Any] | None, dict[str, Any], bool]]:
    """(item or None, its key, transactional) for each item a write request touches."""
    if operation == "PutItem":
        yield params["Item"], params["Item"], False
    elif operation in ("UpdateItem", "DeleteItem"):
        yield None, params["Key"], False
    elif operation == "TransactWriteItems":
        for entry in params.get("TransactItems", []):
            for kind, body in entry.items():
                if kind == "Put":
                    yield body["Item"], body["Item"], True
                elif kind in ("Update", "Delete", "ConditionCheck"):
                    yield None, body["Key"], True
    elif operation == "BatchWriteItem":
        for requests in params.get("RequestItems", {}).values():
            for request in requests:
                if "PutRequest" in request:
                    yield request["PutRequest"]["Item"], request["PutRequest"]["Item"], False


def is_work_list(kind: str, partition: str) -> bool:
    return kind == "by_region" and not partition.startswith("INCIDENTS#")


def is_counter(kind: str, partition: str) -> bool:
    return kind == "table" and partition.startswith("METRICS#")
