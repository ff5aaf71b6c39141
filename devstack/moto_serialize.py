"""moto's DynamoDB item reads made cheaper: responses written with json.dumps, projections
without a round trip through Python values (the emulator, never the app).

moto 5 serializes every response by walking the operation's output shape in botocore's model,
member by member: for a response of items (GetItem, Query, BatchGetItem...) that is a few
hundred Python calls per attribute, and under the bench's load it was a fifth of moto's CPU.
Item operations' results are already the wire shape once moto has turned its DynamoTypes into
dicts (`DynamoResult`), so `apply_fast_item_responses()` writes those with json.dumps, with
what the serializer changes besides: binary values (B, BS) base64-encoded, capacity units as
floats, absent (None) members left out. The status and headers still come from moto's
serializer (given no members, which costs little). Table and stream operations and errors go
through moto's serializer unchanged.

`Item.project` (a ProjectionExpression, or an index's projected attributes) turned the whole
item into Python values with a deep copy at every level, once per projected attribute, then
serialized the result back; for projections of top-level attributes (the common case) the
projected item now takes the attributes' values as they are stored, as an unprojected read
does. Nested paths and list elements still go through moto's own code.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

ITEM_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchGetItem",
        "BatchWriteItem",
        "Query",
        "Scan",
        "TransactGetItems",
        "TransactWriteItems",
    }
)


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _capacity(value: Any) -> Any:
    """ConsumedCapacity with its numbers as floats (the model's Double), as the serializer writes them."""
    if isinstance(value, dict):
        return {key: _capacity(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_capacity(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def body_of(result: dict[str, Any]) -> str:
    """The JSON body the serializer writes for an item operation's result."""
    members = {key: value for key, value in result.items() if value is not None}
    if "ConsumedCapacity" in members:
        members["ConsumedCapacity"] = _capacity(members["ConsumedCapacity"])
    return json.dumps(members, default=_encode, separators=(",", ":"))


def _top_level_projection(original: Callable[..., Any]) -> Callable[..., Any]:
    def project(self: Any, projection_expressions: list[list[str]]) -> Any:
        if not all(len(path) == 1 and "[" not in path[0] for path in projection_expressions):
            return original(self, projection_expressions)
        from moto.dynamodb.models.dynamo_type import Item

        names = [path[0] for path in projection_expressions]
        attrs = {name: self.attrs[name] for name in names if name in self.attrs}
        return Item(hash_key=self.hash_key, range_key=self.range_key, attrs=attrs)

    project.__wrapped__ = original  # type: ignore[attr-defined]
    return project


def apply_fast_item_responses() -> Callable[[], None]:
    """Patch DynamoResult in this process; returns the function that undoes it (not counted:
    devstack.moto_patches.apply counts its users and calls this once)."""
    from moto.core.responses import ActionResult
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.responses import DynamoResult

    saved = DynamoResult.__dict__.get("execute_result")
    saved_project = Item.__dict__["project"]
    Item.project = _top_level_projection(saved_project)  # type: ignore[method-assign]

    def execute_result(self: Any, context: Any) -> Any:
        result = self.result
        if context.operation_model.name not in ITEM_OPERATIONS or not isinstance(result, dict):
            return ActionResult.execute_result(self, context)
        status, headers, _ = ActionResult(result={}).execute_result(context)
        return status, headers, body_of(result)

    DynamoResult.execute_result = execute_result  # type: ignore[method-assign]

    def undo() -> None:
        Item.project = saved_project  # type: ignore[method-assign]
        if saved is None:
            del DynamoResult.execute_result
        else:
            DynamoResult.execute_result = saved  # type: ignore[method-assign]

    return undo
