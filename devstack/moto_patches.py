"""moto's DynamoDB, made to keep up with the local stack's load (the emulator, never the app).

moto 5's `TransactWriteItems` backs up every table a transaction names with `copy.deepcopy`
before it applies the first operation, so it can put the tables back if one operation fails.
That costs O(table size) per transaction (the bench's intake and routing writes are
transactions: a run of 1,000 tickets becomes quadratic) and, under moto's threaded server, a
write from another thread in the middle of the copy makes it raise `RuntimeError: dictionary
changed size during iteration`, which the client sees as a 500 and retries.

`apply()` changes two things, with the same answers as before:

- an undo log instead of the table copies: before the transaction runs, the items its
  operations name (by key: the item as it was, or "absent"); on any failure those items, and
  only those, are put back. moto's own code still checks, applies and cancels the operations,
  so the validation errors and the `CancellationReasons` are moto's.
- one lock around every DynamoDB request (the handler's `call_action`): moto checks a
  condition and then writes with nothing in between to stop another thread, and its Query and
  Scan iterate the table's dicts while another thread may add to them. DynamoDB applies each
  write atomically and serializes transactions with the other writes; under the lock moto
  does too. The lock costs little: moto's request handling holds the GIL anyway.

and, through devstack.moto_sqs, SQS's receive and delete without the per-message deep copies
and queue rescans (same answers; a lock that moto's SQS lacked), and through
devstack.moto_serialize, DynamoDB's item responses written by json.dumps instead of moto's
shape-walking serializer (same bodies, but for the order of keys), and through
devstack.moto_items, items built in linear time (moto re-adds every attribute's size per
attribute).

`apply()` returns a function that undoes it; applying twice is counted, so nested users
(a test inside a stack) are fine.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

from devstack.moto_items import apply_linear_items
from devstack.moto_serialize import apply_fast_item_responses
from devstack.moto_sqs import apply_sqs

_state = threading.local()  # .in_transaction: this thread is inside our transact_write_items
_patch_lock = threading.Lock()
_users = 0
_saved: dict[str, Any] = {}
DYNAMODB_LOCK = threading.RLock()


class _CopyKeepingTables:
    """moto.dynamodb.models' `copy` module, except that inside our transaction wrapper a Table
    is "copied" as itself: the undo log, not a snapshot, restores it."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        if getattr(_state, "in_transaction", False) and isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


UndoEntry = tuple[Any, Any, Any, Any]  # (table, hash key, range key, the item before or None)


def _item_key(table: Any, op_type: str, op: dict[str, Any]) -> tuple[Any, Any] | None:
    """(hash, range) DynamoTypes of the item an operation names; None if it names none properly
    (moto refuses that operation before it writes anything)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    attributes = op.get("Item") if op_type == "Put" else op.get("Key")
    try:
        hash_key = DynamoType(attributes[table.hash_key_attr])  # type: ignore[index]
        range_key = DynamoType(attributes[table.range_key_attr]) if table.range_key_attr else None  # type: ignore[index]
    except (KeyError, TypeError, AttributeError):
        return None
    return hash_key, range_key


def _undo_log(backend: Any, transact_items: list[dict[str, Any]]) -> list[UndoEntry]:
    undo: list[UndoEntry] = []
    for entry in transact_items:
        if not isinstance(entry, dict) or len(entry) != 1:
            continue  # moto refuses it (TransactWriteSingleOpException)
        op_type, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName")) if isinstance(op, dict) else None
        key = _item_key(table, op_type, op) if table is not None else None
        if key is None:
            continue
        try:
            before = table.get_item(*key)
        except Exception:  # a key of the wrong shape: moto refuses the operation
            continue
        undo.append((table, *key, copy.deepcopy(before)))
    return undo


def _roll_back(undo: list[UndoEntry]) -> None:
    for table, hash_key, range_key, before in reversed(undo):
        if before is None:
            if range_key is not None:
                table.items.get(hash_key, {}).pop(range_key, None)
                if hash_key in table.items and not table.items[hash_key]:
                    del table.items[hash_key]
            else:
                table.items.pop(hash_key, None)
        elif range_key is not None:
            table.items[hash_key][range_key] = before
        else:
            table.items[hash_key] = before


def _with_undo_log(original: Callable[..., None]) -> Callable[..., None]:
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with DYNAMODB_LOCK:
            undo = _undo_log(self, transact_items) if len(transact_items) <= 100 else []
            _state.in_transaction = True
            try:
                original(self, transact_items)
            except BaseException:
                _roll_back(undo)
                raise
            finally:
                _state.in_transaction = False

    transact_write_items.__wrapped__ = original  # type: ignore[attr-defined]
    return transact_write_items


def _serialized(original: Callable[..., Any]) -> Callable[..., Any]:
    def call_action(self: Any) -> Any:
        with DYNAMODB_LOCK:
            return original(self)

    call_action.__wrapped__ = original  # type: ignore[attr-defined]
    return call_action


def apply() -> Callable[[], None]:
    """Patch moto's DynamoDB in this process; returns the function that undoes it."""
    global _users
    import moto.dynamodb.models as models
    from moto.dynamodb.responses import DynamoHandler

    with _patch_lock:
        if _users == 0:
            backend = models.DynamoDBBackend
            _saved.update(
                transact=backend.__dict__["transact_write_items"],
                copy=models.copy,
                call_action=DynamoHandler.__dict__["call_action"],
            )
            backend.transact_write_items = _with_undo_log(_saved["transact"])  # type: ignore[method-assign]
            models.copy = _CopyKeepingTables()  # type: ignore[assignment]
            DynamoHandler.call_action = _serialized(_saved["call_action"])  # type: ignore[method-assign]
            _saved["sqs_undo"] = apply_sqs()
            _saved["serialize_undo"] = apply_fast_item_responses()
            _saved["items_undo"] = apply_linear_items()
        _users += 1
    undone = threading.Event()

    def undo() -> None:
        global _users
        with _patch_lock:
            if undone.is_set():
                return
            undone.set()
            _users -= 1
            if _users == 0:
                models.DynamoDBBackend.transact_write_items = _saved["transact"]  # type: ignore[method-assign]
                models.copy = _saved["copy"]  # type: ignore[assignment]
                DynamoHandler.call_action = _saved["call_action"]  # type: ignore[method-assign]
                _saved["sqs_undo"]()
                _saved["serialize_undo"]()
                _saved["items_undo"]()
                _saved.clear()

    return undo


def applied() -> bool:
    return _users > 0
