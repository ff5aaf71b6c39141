"""TicketStore on one DynamoDB table (single-table design; keys and indexes in infra/).

Items:
- ticket:      pk=TICKET#<id>          sk=TICKET
- idempotency: pk=IDEMPOTENCY#<sha256> sk=IDEMPOTENCY  (expires_at is the table's TTL)

Indexes:
- by_region (gsi1): a region's desk work lists, one partition per desk state
  (`OPEN#<region>`, `CLAIMED#<region>`, `WAITING#<region>`; resolved tickets leave the index),
  most urgent then earliest deadline first.
- by_pipeline_stage (gsi2): tickets a worker still owes a step (or whose final message is not
  yet confirmed sent), sharded, sorted by when they last moved; the sweeper queries it.
- by_escalation (gsi3): tickets whose escalation level will rise (open or claimed, below the
  top level), sharded, sorted by when it rises; the escalation worker queries "due <= now".
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.domain.conversation import Message
from chalicelib.domain.desk import LISTABLE_STATES, next_escalation_due, queue_deadline
from chalicelib.domain.ports import (
    SWEEP_MESSAGE,
    SWEEP_RETRANSLATE,
    SWEEP_ROUTED,
    IdempotencyRecord,
    StaleTicket,
    StuckTicket,
    TicketExists,
)
from chalicelib.domain.routing import priority_rank
from chalicelib.domain.ticket import DeskState, Status, Ticket, iso, utc_now

SWEEP_SHARDS = 4
FIRST_RESPONSE_SAMPLE_TTL_SECONDS = 14 * 24 * 3600
# Counting the queue ahead of a ticket reads at most this many index entries (a few pages of
# a KEYS-sized projection); beyond it the answer is "at least this many".
BACKLOG_COUNT_CAP = 2000
# Sorts after every ISO 8601 deadline: a paused ticket has none.
NO_DEADLINE = "~"
REGION_INDEX = "by_region"
PIPELINE_INDEX = "by_pipeline_stage"
ESCALATION_INDEX = "by_escalation"
ESCALATION_SHARDS = 4
# Sorts after every ticket id: "due <= now" includes every ticket due at exactly `now`.
AFTER_ANY_ID = "~"

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def ticket_key(ticket_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"TICKET#{ticket_id}"}, "sk": {"S": "TICKET"}}


def idempotency_key(key_hash: str) -> dict[str, Any]:
    return {"pk": {"S": f"IDEMPOTENCY#{key_hash}"}, "sk": {"S": "IDEMPOTENCY"}}


def sweep_shard(ticket_id: str) -> int:
    return zlib.crc32(ticket_id.encode("ascii")) % SWEEP_SHARDS


def message_key(ticket_id: str, message_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"TICKET#{ticket_id}"}, "sk": {"S": f"MSG#{message_id}"}}


def desk_partition(state: DeskState, region: str) -> str:
    return f"{state.value.upper()}#{region}"


def desk_sort_key(ticket: Ticket) -> str:
    """Most urgent first, then the earliest running deadline; the id keeps keys unique."""
    assert ticket.routing is not None
    deadline = queue_deadline(ticket) or NO_DEADLINE
    return f"{priority_rank(ticket.routing.priority)}#{deadline}#{ticket.ticket_id}"


def escalation_partition(ticket_id: str) -> str:
    return f"ESCALATE#{zlib.crc32(ticket_id.encode('ascii')) % ESCALATION_SHARDS}"


def escalation_sort_key(due: datetime, ticket_id: str) -> str:
    """The due moment rounded up to the millisecond ISO keeps: a key never sorts before the
    moment the level really rises, so a worker that finds it also sees the level risen."""
    rounded = due + timedelta(microseconds=-due.microsecond % 1000)
    return f"{iso(rounded)}#{ticket_id}"


def sweep_partition(kind: str, shard: int) -> str:
    """kind: a pipeline status value, or SWEEP_ROUTED / SWEEP_RETRANSLATE / SWEEP_MESSAGE."""
    return f"SWEEP#{kind}#{shard}"


class DynamoDBTicketStore:
    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    # --- writes -------------------------------------------------------------------------

    def create(
        self,
        ticket: Ticket,
        idempotency_key_hash: str | None = None,
        idempotency: IdempotencyRecord | None = None,
        expires_at: int | None = None,
    ) -> None:
        put_ticket = {
            "TableName": self.table_name,
            "Item": self._ticket_item(ticket, awaiting_notification=False),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        try:
            if idempotency is None or idempotency_key_hash is None:
                self._db.put_item(**put_ticket)
                return
            record = {
                **idempotency_key(idempotency_key_hash),
                **_serialize(
                    {
                        "entity": "idempotency",
                        "ticket_id": idempotency.ticket_id,
                        "fingerprint": idempotency.fingerprint,
                        "sealed_token": idempotency.sealed_token,
                        "expires_at": expires_at,
                    }
                ),
            }
            self._db.transact_write_items(
                TransactItems=[
                    {"Put": put_ticket},
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": record,
                            # An expired record (TTL deletes lazily) may be taken over.
                            "ConditionExpression": "attribute_not_exists(pk) OR expires_at < :now",
                            "ExpressionAttributeValues": {":now": {"N": str(int(time.time()))}},
                        }
                    },
                ]
            )
        except ClientError as error:
            if _error_code(error) in {"ConditionalCheckFailedException", "TransactionCanceledException"}:
                raise TicketExists(ticket.ticket_id) from error
            raise

    def save_transition(self, before: Ticket, after: Ticket, awaiting_notification: bool) -> None:
        try:
            self._db.put_item(
                TableName=self.table_name,
                Item=self._ticket_item(after, awaiting_notification),
                ConditionExpression="#status = :status AND #version = :version",
                ExpressionAttributeNames={"#status": "status", "#version": "version"},
                ExpressionAttributeValues={
                    ":status": {"S": before.status.value},
                    ":version": {"N": str(before.version)},
                },
            )
        except ClientError as error:
            if _error_code(error) == "ConditionalCheckFailedException":
                raise StaleTicket(before.ticket_id) from error
            raise

    def save_desk_change(self, before: Ticket, after: Ticket) -> None:
        """Write a desk change only if the stored ticket is still at `before`'s version and desk
        state: of two agents claiming the same ticket, exactly one wins."""
        assert before.desk is not None
        try:
            self._db.put_item(
                TableName=self.table_name,
                Item=self._ticket_item(after, awaiting_notification=False),
                # The version alone makes it atomic; the state guards the intent. A ticket routed
                # before the desk existed has no stored desk (it reads as open).
                ConditionExpression="#version = :version AND (#desk.#state = :state OR attribute_not_exists(#desk))",
                ExpressionAttributeNames={"#version": "version", "#desk": "desk", "#state": "state"},
                ExpressionAttributeValues={
                    ":version": {"N": str(before.version)},
                    ":state": {"S": before.desk.state.value},
                },
            )
        except ClientError as error:
            if _error_code(error) == "ConditionalCheckFailedException":
                raise StaleTicket(before.ticket_id) from error
            raise

    def mark_notified(self, ticket_id: str, version: int, then_retranslate: bool = False) -> None:
        values: dict[str, Any] = {":version": {"N": str(version)}}
        if then_retranslate:
            update = "SET gsi2pk = :partition, gsi2sk = :at, sweep_attempts = :zero"
            values.update(
                {
                    ":partition": {"S": sweep_partition(SWEEP_RETRANSLATE, sweep_shard(ticket_id))},
                    ":at": {"S": iso(utc_now())},
                    ":zero": {"N": "0"},
                }
            )
        else:
            update = "REMOVE gsi2pk, gsi2sk, sweep_attempts"
        try:
            self._db.update_item(
                TableName=self.table_name,
                Key=ticket_key(ticket_id),
                UpdateExpression=update,
                ConditionExpression="#version = :version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if _error_code(error) == "ConditionalCheckFailedException":
                raise StaleTicket(ticket_id) from error
            raise

    def record_sweep(self, stuck: StuckTicket, now: datetime, give_up: bool) -> None:
        """Count a re-send and push the ticket back in the queue of the sweeper's index.

        The version is not bumped: a worker holding the ticket may still finish its step.
        A ticket past the attempt limit moves to a STUCK partition for an operator to inspect.
        """
        partition = f"STUCK#{stuck.kind}" if give_up else sweep_partition(stuck.kind, sweep_shard(stuck.ticket_id))
        values: dict[str, Any] = {
            ":partition": {"S": partition},
            ":at": {"S": iso(now)},
            ":attempts": {"N": str(stuck.sweep_attempts + 1)},
            ":version": {"N": str(stuck.version)},
        }
        names = {"#version": "version"}
        if stuck.message_id is not None:
            key, condition = message_key(stuck.ticket_id, stuck.message_id), "#version = :version"
        else:
            key, condition = ticket_key(stuck.ticket_id), "#status = :status AND #version = :version"
            values[":status"] = {"S": stuck.status.value}
            names["#status"] = "status"
        try:
            self._db.update_item(
                TableName=self.table_name,
                Key=key,
                UpdateExpression="SET gsi2pk = :partition, gsi2sk = :at, sweep_attempts = :attempts",
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if _error_code(error) == "ConditionalCheckFailedException":
                raise StaleTicket(stuck.ticket_id) from error
            raise

    # --- reads --------------------------------------------------------------------------

    def get(self, ticket_id: str) -> Ticket | None:
        answer = self._db.get_item(TableName=self.table_name, Key=ticket_key(ticket_id), ConsistentRead=True)
        item = answer.get("Item")
        return Ticket.from_record(_deserialize(item)) if item else None

    def get_many(self, ticket_ids: Sequence[str]) -> dict[str, Ticket]:
        """Consistent BatchGetItem (100 keys a call), retrying unprocessed keys."""
        found: dict[str, Ticket] = {}
        unique = list(dict.fromkeys(ticket_ids))
        for start in range(0, len(unique), 100):
            pending: dict[str, Any] = {
                self.table_name: {
                    "Keys": [ticket_key(ticket_id) for ticket_id in unique[start : start + 100]],
                    "ConsistentRead": True,
                }
            }
            for attempt in range(6):
                answer = self._db.batch_get_item(RequestItems=pending)
                for item in answer.get("Responses", {}).get(self.table_name, []):
                    ticket = Ticket.from_record(_deserialize(item))
                    found[ticket.ticket_id] = ticket
                pending = answer.get("UnprocessedKeys") or {}
                if not pending:
                    break
                time.sleep(min(0.05 * 2**attempt, 1.0))
        return found

    def get_idempotency(self, key_hash: str) -> IdempotencyRecord | None:
        answer = self._db.get_item(TableName=self.table_name, Key=idempotency_key(key_hash), ConsistentRead=True)
        item = answer.get("Item")
        if not item:
            return None
        record = _deserialize(item)
        if record.get("expires_at") is not None and int(record["expires_at"]) < time.time():
            return None
        return IdempotencyRecord(record["ticket_id"], record["fingerprint"], record["sealed_token"])

    def stuck(self, kind: str, older_than: datetime, limit: int) -> list[StuckTicket]:
        """Items of sweep `kind` resting since before `older_than`, oldest first per shard."""
        items = self._query_shards(
            PIPELINE_INDEX,
            "gsi2pk = :partition AND gsi2sk < :cutoff",
            [sweep_partition(kind, shard) for shard in range(SWEEP_SHARDS)],
            iso(older_than),
            limit,
        )
        found: list[StuckTicket] = []
        for item in items:
            record = _deserialize(item)
            found.append(
                StuckTicket(
                    kind=kind,
                    ticket_id=record["ticket_id"],
                    # message items carry no status: their ticket is routed by then
                    status=Status(record.get("status", Status.ROUTED.value)),
                    version=int(record["version"]),
                    correlation_id=record.get("correlation_id", ""),
                    sweep_attempts=int(record.get("sweep_attempts") or 0),
                    routed_region=record.get("region"),
                    message_id=record.get("message_id"),
                    resting_since=item["gsi2sk"]["S"],
                )
            )
        return found

    def escalations_due(self, now: datetime, limit: int) -> list[str]:
        """Ids of tickets whose escalation level has risen by `now` (earliest due first per
        shard): one Query per shard on the sparse index, never a scan."""
        items = self._query_shards(
            ESCALATION_INDEX,
            "gsi3pk = :partition AND gsi3sk <= :cutoff",
            [f"ESCALATE#{shard}" for shard in range(ESCALATION_SHARDS)],
            f"{iso(now)}#{AFTER_ANY_ID}",
            limit,
        )
        return [item["ticket_id"]["S"] for item in items]

    def _query_shards(
        self, index: str, condition: str, partitions: list[str], cutoff: str, limit: int
    ) -> list[dict[str, Any]]:
        """Up to `limit` items of a sharded sparse index whose sort key passes `cutoff`, shard
        after shard, following pages: the sweeper's and the escalation worker's one access path."""
        found: list[dict[str, Any]] = []
        for partition in partitions:
            kwargs: dict[str, Any] = {
                "TableName": self.table_name,
                "IndexName": index,
                "KeyConditionExpression": condition,
                "ExpressionAttributeValues": {":partition": {"S": partition}, ":cutoff": {"S": cutoff}},
            }
            while len(found) < limit:
                answer = self._db.query(**kwargs, Limit=limit - len(found))
                found.extend(answer.get("Items", []))
                if "LastEvaluatedKey" not in answer:
                    break
                kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
        return found[:limit]

    def open_in_region(self, region: str, limit: int = 50) -> list[str]:
        """Ticket ids of a region's open work list, most urgent and earliest due first."""
        return self.desk_list(region, DeskState.OPEN, limit)

    def desk_list(self, region: str, state: DeskState, limit: int = 50) -> list[str]:
        """Ticket ids of a region's work list in `state`, most urgent and earliest due first."""
        if state not in LISTABLE_STATES:
            raise ValueError(f"no work list for desk state {state.value}")
        answer = self._db.query(
            TableName=self.table_name,
            IndexName=REGION_INDEX,
            KeyConditionExpression="gsi1pk = :partition",
            ExpressionAttributeValues={":partition": {"S": desk_partition(state, region)}},
            Limit=limit,
        )
        return [item["ticket_id"]["S"] for item in answer.get("Items", [])]

    def open_ahead_of(self, ticket: Ticket) -> int:
        """How many open tickets of the ticket's region sort before it (more urgent, or as urgent
        and due earlier): a Select=COUNT Query on the index up to its sort key, never a scan.
        Counted up to BACKLOG_COUNT_CAP."""
        if ticket.routing is None:
            return 0
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": REGION_INDEX,
            "KeyConditionExpression": "gsi1pk = :partition AND gsi1sk < :key",
            "ExpressionAttributeValues": {
                ":partition": {"S": desk_partition(DeskState.OPEN, ticket.routing.region)},
                ":key": {"S": desk_sort_key(ticket)},
            },
            "Select": "COUNT",
        }
        count = 0
        while count < BACKLOG_COUNT_CAP:
            answer = self._db.query(**kwargs)
            count += int(answer.get("Count", 0))
            if "LastEvaluatedKey" not in answer:
                break
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
        return min(count, BACKLOG_COUNT_CAP)

    # --- mapping ------------------------------------------------------------------------

    def _ticket_item(self, ticket: Ticket, awaiting_notification: bool) -> dict[str, Any]:
        record: dict[str, Any] = {"entity": "ticket", **ticket.to_record()}
        if ticket.routing is not None:
            record["region"] = ticket.routing.region
            # One work list per region and desk state; a resolved ticket leaves the index.
            state = ticket.desk.state if ticket.desk is not None else DeskState.OPEN
            if state in LISTABLE_STATES:
                record["gsi1pk"] = desk_partition(state, ticket.routing.region)
                record["gsi1sk"] = desk_sort_key(ticket)
        # Its escalation level will rise: visible to the escalation worker from that moment.
        escalation_due = next_escalation_due(ticket)
        if escalation_due is not None:
            record["gsi3pk"] = escalation_partition(ticket.ticket_id)
            record["gsi3sk"] = escalation_sort_key(escalation_due, ticket.ticket_id)
        # Still owed something: visible to the sweeper until the next step is done.
        if ticket.status is not Status.ROUTED:
            owed: str | None = ticket.status.value
        elif awaiting_notification:
            owed = SWEEP_ROUTED
        elif ticket.awaiting_translation:
            owed = SWEEP_RETRANSLATE
        else:
            owed = None
        if owed is not None:
            record["gsi2pk"] = sweep_partition(owed, sweep_shard(ticket.ticket_id))
            record["gsi2sk"] = ticket.updated_at
            record["sweep_attempts"] = 0
        return {**ticket_key(ticket.ticket_id), **_serialize(record)}

    # --- first-response times (for the requester's ETA) ----------------------------------

    def add_first_response_sample(self, region: str, ticket_id: str, minutes: float, at: datetime) -> None:
        self._db.put_item(
            TableName=self.table_name,
            Item={
                "pk": {"S": f"STATS#{region}"},
                "sk": {"S": f"FIRST_RESPONSE#{iso(at)}#{ticket_id}"},
                "entity": {"S": "first_response_sample"},
                "minutes": {"N": str(round(max(minutes, 0.0), 2))},
                "expires_at": {"N": str(int(at.timestamp()) + FIRST_RESPONSE_SAMPLE_TTL_SECONDS)},
            },
        )

    def recent_first_response_minutes(self, region: str, limit: int = 50) -> list[float]:
        answer = self._db.query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": f"STATS#{region}"}, ":prefix": {"S": "FIRST_RESPONSE#"}},
            ScanIndexForward=False,
            Limit=limit,
        )
        now = time.time()
        return [
            float(item["minutes"]["N"])
            for item in answer.get("Items", [])
            if int(item.get("expires_at", {}).get("N", "0")) >= now  # TTL deletes lazily
        ]

    # --- conversation -------------------------------------------------------------------

    def add_message(self, message: Message) -> None:
        try:
            self._db.put_item(
                TableName=self.table_name,
                Item=self._message_item(message),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if _error_code(error) == "ConditionalCheckFailedException":
                raise TicketExists(message.message_id) from error
            raise

    def get_message(self, ticket_id: str, message_id: str) -> Message | None:
        answer = self._db.get_item(
            TableName=self.table_name, Key=message_key(ticket_id, message_id), ConsistentRead=True
        )
        item = answer.get("Item")
        return Message.from_record(_deserialize(item)) if item else None

    def save_message(self, before: Message, after: Message) -> None:
        try:
            self._db.put_item(
                TableName=self.table_name,
                Item=self._message_item(after),
                ConditionExpression="#version = :version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":version": {"N": str(before.version)}},
            )
        except ClientError as error:
            if _error_code(error) == "ConditionalCheckFailedException":
                raise StaleTicket(before.message_id) from error
            raise

    def messages(self, ticket_id: str) -> list[Message]:
        found: list[Message] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": f"TICKET#{ticket_id}"}, ":prefix": {"S": "MSG#"}},
            "ConsistentRead": True,
        }
        while True:
            answer = self._db.query(**kwargs)
            found.extend(Message.from_record(_deserialize(item)) for item in answer.get("Items", []))
            if "LastEvaluatedKey" not in answer:
                return found
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def _message_item(self, message: Message) -> dict[str, Any]:
        record: dict[str, Any] = {"entity": "message", **message.to_record()}
        if message.awaiting_translation:
            # The translate worker owes it a translation: the sweeper re-sends if it waits too long.
            record["gsi2pk"] = sweep_partition(SWEEP_MESSAGE, sweep_shard(message.ticket_id))
            record["gsi2sk"] = message.created_at
            record["sweep_attempts"] = 0
        return {**message_key(message.ticket_id, message.message_id), **_serialize(record)}


def _error_code(error: ClientError) -> str:
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


def _serialize(record: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(_to_dynamo(value)) for key, value in record.items()}


def _deserialize(item: dict[str, Any]) -> dict[str, Any]:
    record = {key: _from_dynamo(_deserializer.deserialize(value)) for key, value in item.items()}
    for internal in ("pk", "sk", "entity", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"):
        record.pop(internal, None)
    return record
