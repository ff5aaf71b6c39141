"""What the cost model counts while the app runs on in-process moto: botocore hooks and wrappers.

- `AwsMeter`: every AWS request by service and operation (botocore `before-call`), SQS payload
  sizes in billed 64 KiB chunks, and DynamoDB capacity. Every DynamoDB call that accepts it is
  sent with `ReturnConsumedCapacity="INDEXES"` (`provide-client-params`) and the answer's
  `ConsumedCapacity` is summed (`after-call`), as "reported". moto answers with a flat figure
  (1.0 for PutItem, Query, DeleteItem; 0.5 for GetItem; nothing for UpdateItem; per table for
  the batch and transaction calls) whatever the item size, so the billed units are *computed*
  beside it from the items themselves, read from moto's store before and after each call, with
  DynamoDB's rules (bench/cost_prices.py) and the index entries each write adds, changes or
  removes.
- `LogMeter`: the bytes the app writes to stdout (Powertools' JSON log lines and EMF metrics).
- `TimedHandler`: a Lambda handler's invocations and wall-clock durations.
- `CountingTranslator`: a provider that echoes the text and counts the characters it was sent.
"""

from __future__ import annotations

import io
import json
import statistics
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.cost_prices import read_units, sqs_billed_requests, write_units

WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem"}


# --- DynamoDB capacity, from moto's store ------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """One item as DynamoDB would size it: bytes, and per index (key values, projection, bytes)."""

    size: int
    entries: dict[str, tuple[str, str, int]]


def snapshot(table: Any, item: Any) -> Snapshot | None:
    if item is None:
        return None
    entries = {}
    for index in table.global_indexes:
        if all(name in item.attrs for name in index.schema_key_attrs):
            projected = index.project(item)
            keys = repr([item.attrs[name].value for name in index.schema_key_attrs])
            entries[index.name] = (
                keys,
                repr(sorted((k, repr(v.value)) for k, v in projected.attrs.items())),
                projected.size(),
            )
    return Snapshot(item.size(), entries)


def index_writes(before: Snapshot | None, after: Snapshot | None) -> dict[str, int]:
    """Write units each index spends to follow one item from `before` to `after`."""
    old = before.entries if before else {}
    new = after.entries if after else {}
    units: dict[str, int] = {}
    for name in set(old) | set(new):
        if name in old and name in new:
            if old[name][0] != new[name][0]:  # the key moved: delete the old entry, put the new one
                units[name] = write_units(old[name][2]) + write_units(new[name][2])
            elif old[name][1] != new[name][1]:
                units[name] = write_units(new[name][2])
        elif name in old:
            units[name] = write_units(old[name][2])
        else:
            units[name] = write_units(new[name][2])
    return units


class DynamoStore:
    """Items as moto holds them (in-process), read without a request so nothing is counted."""

    def __init__(self, region: str = "us-east-1") -> None:
        self.region = region

    @property
    def backend(self) -> Any:  # looked up each time: every cohort of the run has a fresh account
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        return dynamodb_backends[DEFAULT_ACCOUNT_ID][self.region]

    def table(self, name: str) -> Any:
        return self.backend.get_table(name)

    def item(self, table_name: str, key: dict[str, Any]) -> Any:
        table = self.table(table_name)
        names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
        try:
            return self.backend.get_item(table_name, {name: key[name] for name in names})
        except Exception:
            return None

    def snapshot(self, table_name: str, key: dict[str, Any]) -> Snapshot | None:
        return snapshot(self.table(table_name), self.item(table_name, key))

    def stored_bytes(self, overhead: int = 100) -> int:
        """Every item and index entry with DynamoDB's 100 bytes of overhead each."""
        total = 0
        for table in self.backend.tables.values():
            for item in table.all_items():
                shot = snapshot(table, item)
                assert shot is not None
                total += shot.size + overhead + sum(entry[2] + overhead for entry in shot.entries.values())
        return total


def _write_targets(operation: str, params: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(action, table, key or item) for every item a write call touches."""
    if operation in WRITE_OPS:
        return [(operation, params["TableName"], params.get("Key") or params.get("Item", {}))]
    if operation == "BatchWriteItem":
        return [
            ("PutItem", table, request["PutRequest"]["Item"])
            if "PutRequest" in request
            else ("DeleteItem", table, request["DeleteRequest"]["Key"])
            for table, requests in params["RequestItems"].items()
            for request in requests
        ]
    if operation == "TransactWriteItems":
        targets = []
        for entry in params["TransactItems"]:
            (action, body), *_ = entry.items()
            targets.append((action, body["TableName"], body.get("Key") or body.get("Item", {})))
        return targets
    return []


@dataclass
class Capacity:
    reported: Counter[str] = field(default_factory=Counter)  # operation -> units moto reported
    write: Counter[str] = field(default_factory=Counter)  # operation -> computed WRU (table)
    index_write: Counter[str] = field(default_factory=Counter)  # index -> computed WRU
    read: Counter[str] = field(default_factory=Counter)  # operation -> computed RRU
    approximated_queries: int = 0  # filtered queries scaled by ScannedCount / Count
    counted_queries: int = 0  # Select=COUNT queries sized by the index's average entry


class DynamoCapacity:
    def __init__(self, store: DynamoStore) -> None:
        self.store = store
        self.capacity = Capacity()
        self._local = threading.local()
        self._averages: dict[tuple[str, str | None], tuple[float, int]] = {}  # (mean, asks since)

    def on_params(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if "ReturnConsumedCapacity" in model.input_shape.members:
            params["ReturnConsumedCapacity"] = "INDEXES"
        targets = _write_targets(model.name, params)
        self._local.before = [(action, table, key, self.store.snapshot(table, key)) for action, table, key in targets]
        self._local.params = params

    def on_after(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        operation, params = model.name, getattr(self._local, "params", {})
        reported = parsed.get("ConsumedCapacity")
        for entry in reported if isinstance(reported, list) else [reported] if reported else []:
            self.capacity.reported[operation] += float(entry.get("CapacityUnits", 0))
        failed = http_response.status_code >= 300
        for action, table, key, before in getattr(self._local, "before", []):
            after = None if failed else self.store.snapshot(table, key)
            sizes = [shot.size for shot in (before, after) if shot]
            self.capacity.write[operation] += write_units(max(sizes, default=0), operation == "TransactWriteItems")
            if not failed and action != "ConditionCheck":
                for index, units in index_writes(before, after).items():
                    self.capacity.index_write[index] += units
        self._local.before = []
        if not failed:
            self.capacity.read[operation] += self._reads(operation, params, parsed)

    def _reads(self, operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> float:
        item_size = self._item_size
        if operation == "GetItem":
            return read_units(item_size(params["TableName"], params["Key"]), bool(params.get("ConsistentRead")))
        if operation == "BatchGetItem":
            return sum(
                read_units(item_size(table, key), bool(request.get("ConsistentRead")))
                for table, request in params["RequestItems"].items()
                for key in request["Keys"]
            )
        if operation == "TransactGetItems":
            return sum(
                read_units(item_size(entry["Get"]["TableName"], entry["Get"]["Key"]), True, transactional=True)
                for entry in params["TransactItems"]
            )
        if operation in {"Query", "Scan"}:
            return self._query_reads(params, parsed)
        return 0.0

    def _average_size(self, table_name: str, index: str | None) -> float:
        """The mean size of the table's items (or of an index's entries), refreshed every 50 asks."""
        key = (table_name, index)
        cached = self._averages.get(key)
        if cached is None or cached[1] >= 50:
            table = self.store.table(table_name)
            gsi = next((g for g in table.global_indexes if g.name == index), None)
            sizes = [
                (gsi.project(item) if gsi else item).size()
                for item in table.all_items()
                if gsi is None or all(name in item.attrs for name in gsi.schema_key_attrs)
            ]
            cached = (statistics.fmean(sizes) if sizes else 0.0, 0)
        self._averages[key] = (cached[0], cached[1] + 1)
        return cached[0]

    def _item_size(self, table: str, key: dict[str, Any], index: str | None = None) -> int:
        item = self.store.item(table, key)
        if item is None:
            return 0
        if index is None:
            return int(item.size())
        gsi = next(g for g in self.store.table(table).global_indexes if g.name == index)
        return int(gsi.project(item).size())

    def _query_reads(self, params: dict[str, Any], parsed: dict[str, Any]) -> float:
        table, index = params["TableName"], params.get("IndexName")
        total = sum(self._item_size(table, item, index) for item in parsed.get("Items", []))
        count, scanned = parsed.get("Count", 0), parsed.get("ScannedCount", 0)
        if params.get("Select") == "COUNT":  # no items come back, yet every one counted was read
            self.capacity.counted_queries += 1
            total = int(scanned * self._average_size(table, index))
        elif scanned > count:  # items the filter dropped were read too: sized like the kept ones
            self.capacity.approximated_queries += 1
            total = int(total / count * scanned) if count else scanned * 1024
        return read_units(total, bool(params.get("ConsistentRead")) and index is None)


# --- every AWS request --------------------------------------------------------------------------


def _sqs_payload(entry: dict[str, Any]) -> int:
    size = len(str(entry.get("MessageBody") or entry.get("Body") or "").encode("utf-8"))
    for name, attribute in (entry.get("MessageAttributes") or {}).items():
        size += (
            len(name.encode()) + len(str(attribute.get("DataType", ""))) + len(str(attribute.get("StringValue", "")))
        )
    return size


class AwsMeter:
    def __init__(self, store: DynamoStore) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()
        self.sqs_billed: Counter[str] = Counter()
        self.dynamodb = DynamoCapacity(store)
        self.enabled = False
        self._local = threading.local()

    def attach(self, events: Any) -> None:
        """Register on a botocore event emitter (a session's: every client made later inherits it)."""
        events.register("before-call", self._on_call)
        events.register("provide-client-params.dynamodb", self._gate(self.dynamodb.on_params))
        events.register("after-call.dynamodb", self._gate(self.dynamodb.on_after))
        events.register("provide-client-params.sqs", self._on_sqs_params)
        events.register("after-call.sqs", self._on_sqs_after)

    def _gate(self, handler: Callable[..., None]) -> Callable[..., None]:
        def gated(**kwargs: Any) -> None:
            if self.enabled:
                handler(**kwargs)

        return gated

    def _on_call(self, event_name: str, **_: Any) -> None:
        if self.enabled:
            _, service, operation = event_name.split(".", 2)
            self.calls[(service.lower(), operation)] += 1

    def _on_sqs_params(self, params: dict[str, Any], **_: Any) -> None:
        entries = params.get("Entries") if "Entries" in params else [params]
        self._local.sent = sum(_sqs_payload(entry) for entry in entries or [])

    def _on_sqs_after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if not self.enabled:
            return
        if model.name == "ReceiveMessage":
            messages = parsed.get("Messages", [])
            if not messages:  # an empty poll is the poller's idle cost, not a ticket's: not counted
                self.calls[("sqs", "ReceiveMessage")] -= 1
                return
            payload = sum(_sqs_payload(message) for message in messages)
        else:
            payload = getattr(self._local, "sent", 0) if model.name.startswith("SendMessage") else 0
        self.sqs_billed[model.name] += sqs_billed_requests(payload)


# --- logs, handlers, translation -----------------------------------------------------------------


class LogMeter(io.TextIOBase):
    """Stands in for sys.stdout: counts what the app logs and keeps the EMF metric definitions."""

    def __init__(self) -> None:
        self.bytes = 0
        self.lines = 0
        self.emf_lines = 0
        self.emf_bytes = 0
        self.metrics: set[tuple[str, str, tuple[str, ...]]] = set()
        self.enabled = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not self.enabled:
            return len(text)
        for line in text.splitlines():
            size = len(line.encode("utf-8")) + 1
            self.bytes += size
            self.lines += 1
            if '"_aws"' in line:
                self.emf_lines += 1
                self.emf_bytes += size
                self._remember_metrics(line)
        return len(text)

    def _remember_metrics(self, line: str) -> None:
        try:
            record = json.loads(line)
        except ValueError:
            return
        for directive in record.get("_aws", {}).get("CloudWatchMetrics", []):
            for metric in directive.get("Metrics", []):
                for dimensions in directive.get("Dimensions", [[]]):
                    values = tuple(f"{name}={record.get(name)}" for name in dimensions)
                    self.metrics.add((directive.get("Namespace", ""), metric["Name"], values))


class TimedHandler:
    def __init__(self, handler: Callable[..., Any], name: str, durations: dict[str, list[float]]) -> None:
        self.handler, self.name, self.durations = handler, name, durations

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.handler(*args, **kwargs)
        finally:
            self.durations[self.name].append((time.perf_counter() - started) * 1000)


def new_durations() -> dict[str, list[float]]:
    return defaultdict(list)


@dataclass
class CountingTranslator:
    """A provider that answers with the text it was sent (tagged) and counts the characters."""

    name: str = "counting"
    max_chars: int = 5000
    max_bytes: int = 10000
    chars: int = 0
    calls: int = 0
    by_pair: Counter[str] = field(default_factory=Counter)

    def translate(self, text: str, source: str, target: str) -> str:
        self.chars += len(text)
        self.calls += 1
        self.by_pair[f"{source}->{target}"] += len(text)
        return f"[{target}] {text}"
