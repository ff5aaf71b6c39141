"""Make moto's DynamoDB fast enough for ten thousand tickets, atomic under threads, and deaf to the
requests the harness refused (the test double, never the app).

moto checks a write's condition and then applies it with nothing in between to stop another
thread: two concurrent requests with one Idempotency-Key could both pass the
`attribute_not_exists` of their TransactWriteItems and make two tickets, which DynamoDB (each
write atomic, transactions serializable) never does. Here every write runs under one lock.

Three costs in moto 5 grow with the table and make a long run quadratic:

- TransactWriteItems snapshots every table it touches (`copy.deepcopy(table)`) to roll back a
  cancelled transaction: at 200 tickets one transaction already costs ~0.4 s. Here: an undo log
  of just the items the transaction names, with the same outcome (all or nothing).
- A Query deep-copies every matching item before counting or projecting it (the ETA's
  `Select=COUNT` over a region's open tickets matches up to 2,000): here a shallow copy (new
  item, new attribute dict, the same values; nothing downstream mutates them).
- Projecting an item onto a KEYS_ONLY or INCLUDE index converts the whole item to JSON once per
  projected attribute: here the wanted top-level attributes are picked.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_skip = threading.local()


class _CopyWithoutTableSnapshots:
    """moto.dynamodb.models' `copy` module, except that a Table is not copied inside our wrapper."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        if getattr(_skip, "on", False) and isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


def _shallow_item(item: Any) -> Any:
    from moto.dynamodb.models.dynamo_type import Item

    copied = Item(item.hash_key, item.range_key, {})
    copied.attrs.update(item.attrs)
    return copied


class _CopyForQueries:
    """moto.dynamodb.models.table's `copy` module: query and scan results are copied shallowly."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.dynamo_type import Item

        if isinstance(value, Item):
            return _shallow_item(value)
        if isinstance(value, list) and all(isinstance(item, Item) for item in value):
            return [_shallow_item(item) for item in value]
        return copy.deepcopy(value, memo)


def _project(index: Any, item: Any) -> Any:
    """SecondaryIndex.project, picking top-level attributes instead of a JSON round trip each."""
    projection = (index.projection or {}).get("ProjectionType")
    if projection not in ("KEYS_ONLY", "INCLUDE"):
        return item
    wanted = set(index.table_key_attrs) | {key["AttributeName"] for key in index.schema}
    if projection == "INCLUDE":
        wanted |= set(index.projection.get("NonKeyAttributes", []))
    projected = _shallow_item(item)
    for name in list(projected.attrs):
        if name not in wanted:
            del projected.attrs[name]
    return projected


def _item_key(table: Any, op_type: str, op: dict[str, Any]) -> tuple[Any, Any] | None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    attributes = op.get("Item") if op_type == "Put" else op.get("Key")
    try:
        hash_key = DynamoType(attributes[table.hash_key_attr])
        range_key = DynamoType(attributes[table.range_key_attr]) if table.range_key_attr else None
    except (KeyError, TypeError):
        return None
    return hash_key, range_key


def _with_item_undo_log(original: Callable[..., None]) -> Callable[..., None]:
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        undo: list[tuple[Any, Any, Any, Any]] = []
        for entry in transact_items:
            op_type, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName")) if isinstance(op, dict) else None
            key = _item_key(table, op_type, op) if table is not None else None
            if key is not None:
                undo.append((table, *key, copy.deepcopy(table.get_item(*key))))
        _skip.on = True
        try:
            original(self, transact_items)
        except BaseException:
            for table, hash_key, range_key, before in reversed(undo):
                if before is None:
                    table.delete_item(hash_key, range_key)
                elif range_key is not None:
                    table.items[hash_key][range_key] = before
                else:
                    table.items[hash_key] = before
            raise
        finally:
            _skip.on = False

    return transact_write_items


WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
_write_lock = threading.RLock()


def _atomic(original: Callable[..., Any]) -> Callable[..., Any]:
    def write(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _write_lock:
            return original(self, *args, **kwargs)

    return write


def _unless_refused(original: Callable[..., Any]) -> Callable[..., Any]:
    from bench.faults_injection import REFUSED

    def stub(self: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(REFUSED, "on", False):
            REFUSED.on = False
            return None  # the harness answered this request; moto must not apply it
        return original(self, *args, **kwargs)

    return stub


@contextmanager
def faster_moto() -> Iterator[None]:
    import moto.dynamodb.models as models
    import moto.dynamodb.models.table as tables

    backend, index = models.DynamoDBBackend, tables.SecondaryIndex
    saved = (backend.transact_write_items, models.copy, tables.copy, index.project)
    backend.transact_write_items = _with_item_undo_log(saved[0])  # type: ignore[method-assign]
    models.copy = _CopyWithoutTableSnapshots()  # type: ignore[assignment]
    tables.copy = _CopyForQueries()  # type: ignore[assignment]
    index.project = _project  # type: ignore[method-assign,assignment]
    from moto.core.botocore_stubber import BotocoreStubber

    stubber_call = BotocoreStubber.__call__
    BotocoreStubber.__call__ = _unless_refused(stubber_call)  # type: ignore[method-assign]
    writes = {name: getattr(backend, name) for name in WRITES}
    for name, original in writes.items():
        setattr(backend, name, _atomic(original))
    try:
        yield
    finally:
        BotocoreStubber.__call__ = stubber_call  # type: ignore[method-assign]
        for name, original in writes.items():
            setattr(backend, name, original)
        backend.transact_write_items, models.copy, tables.copy, index.project = saved  # type: ignore[method-assign]
