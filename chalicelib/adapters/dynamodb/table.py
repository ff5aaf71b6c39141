"""What every DynamoDB repository shares: the table, its lazy client, the codec, conditional
writes that lose as StaleTicket, and paged queries."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.domain.repositories import StaleTicket, TicketExists

# Attributes that spell keys and index entries: never part of the domain record.
KEY_ATTRIBUTES = ("pk", "sk", "entity", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk")
CONDITION_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CANCELLED = "TransactionCanceledException"

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class DynamoTable:
    """Base of the repositories: one table name, the client created on first use."""

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        item = self._db.get_item(TableName=self.table_name, Key=key, ConsistentRead=True).get("Item")
        return deserialize(item) if item else None

    def _query_all(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every item a Query finds, following pages."""
        kwargs = {"TableName": self.table_name, **kwargs}
        while True:
            answer = self._db.query(**kwargs)
            yield from answer.get("Items", [])
            if "LastEvaluatedKey" not in answer:
                return
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def _due_in_sweep_index(self, index: str, partitions: list[str], now: str, limit: int) -> list[dict[str, Any]]:
        """The whole items (records) whose entry in the sparse sweep index (`index`) is due by
        `now` (sort key <= now), up to `limit`, partition after partition. The index projects a
        few attributes only, so the items are read again, consistently: still due when read."""
        keys: list[dict[str, Any]] = []
        for partition in partitions:
            for item in self._query_all(
                IndexName=index,
                KeyConditionExpression="gsi2pk = :partition AND gsi2sk <= :now",
                ExpressionAttributeValues={":partition": {"S": partition}, ":now": {"S": now}},
                Limit=limit,
            ):
                keys.append({"pk": item["pk"], "sk": item["sk"]})
                if len(keys) >= limit:
                    return [deserialize(item) for item in self._get_many(keys)]
        return [deserialize(item) for item in self._get_many(keys)]

    def _get_many(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The whole items at `keys` (an index query projects a few attributes only), strongly
        consistent, 100 a call, unprocessed keys retried."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), 100):
            pending: dict[str, Any] = {self.table_name: {"Keys": keys[start : start + 100], "ConsistentRead": True}}
            while pending:
                answer = self._db.batch_get_item(RequestItems=pending)
                found.extend(answer.get("Responses", {}).get(self.table_name, []))
                pending = answer.get("UnprocessedKeys") or {}
        return found


@contextlib.contextmanager
def stale_unless_condition_holds(entity_id: str) -> Iterator[None]:
    """A conditional write whose condition failed means somebody else wrote first: StaleTicket."""
    try:
        yield
    except ClientError as error:
        if error_code(error) == CONDITION_FAILED:
            raise StaleTicket(entity_id) from error
        raise


@contextlib.contextmanager
def exists_if_condition_fails(entity_id: str) -> Iterator[None]:
    """A create whose `attribute_not_exists` failed (alone or in a transaction): TicketExists."""
    try:
        yield
    except ClientError as error:
        if error_code(error) in {CONDITION_FAILED, TRANSACTION_CANCELLED}:
            raise TicketExists(entity_id) from error
        raise


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: _to_dynamo(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_dynamo(item) for item in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _from_dynamo(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(item) for item in value]
    return value


def serialize(record: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(_to_dynamo(value)) for key, value in record.items()}


def deserialize(item: dict[str, Any]) -> dict[str, Any]:
    """The domain record of an item: plain values, key and index attributes dropped."""
    record = {key: _from_dynamo(_deserializer.deserialize(value)) for key, value in item.items()}
    for internal in KEY_ATTRIBUTES:
        record.pop(internal, None)
    return record
