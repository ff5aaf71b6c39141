"""The table's sparse indexes read as the domain's projections: the desk's work lists, the
sweeper's index and the escalation index. Queries only, never a scan.

Every one is sharded (items.py): a reader queries each shard and merges them. The work list's
shards are merged on the sort key (`heapq.merge`), so the list comes out in the order one
partition would give it; the queue ahead of a ticket is a COUNT per shard, added up."""

from __future__ import annotations

import heapq
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb.items import (
    AFTER_ANY_ID,
    ESCALATION_INDEX,
    PIPELINE_INDEX,
    REGION_INDEX,
    escalation_partitions,
    message_key,
    parked_partition,
    sweep_partition,
    sweep_partitions,
    ticket_key,
    work_list_partitions,
)
from chalicelib.adapters.dynamodb.table import DynamoTable, deserialize, stale_unless_condition_holds
from chalicelib.domain.desk import LISTABLE_STATES
from chalicelib.domain.projections import SWEEP_RETRANSLATE, work_list_sort_key
from chalicelib.domain.repositories import StuckTicket
from chalicelib.domain.ticket import DeskState, Status, Ticket, iso

# Counting the queue ahead of a ticket reads at most this many index entries (a few pages of
# a KEYS-sized projection); beyond it the answer is "at least this many".
BACKLOG_COUNT_CAP = 2000


class DynamoDBWorkLists(DynamoTable):
    def ticket_ids(self, region: str, state: DeskState, limit: int = 50) -> list[str]:
        """The first `limit` of each shard (the first `limit` of the whole list are among them),
        merged on the sort key."""
        if state not in LISTABLE_STATES:
            raise ValueError(f"no work list for desk state {state.value}")
        shards = [self._first(partition, limit) for partition in work_list_partitions(state, region)]
        merged = heapq.merge(*shards, key=lambda item: item["gsi1sk"]["S"])
        return [item["ticket_id"]["S"] for _, item in zip(range(limit), merged, strict=False)]

    def _first(self, partition: str, limit: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": REGION_INDEX,
            "KeyConditionExpression": "gsi1pk = :partition",
            "ExpressionAttributeValues": {":partition": {"S": partition}},
        }
        while len(found) < limit:
            answer = self._db.query(**kwargs, Limit=limit - len(found))
            found.extend(answer.get("Items", []))
            if "LastEvaluatedKey" not in answer:
                break
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
        return found

    def open_ahead_of(self, ticket: Ticket) -> int:
        """A Select=COUNT Query per shard up to the ticket's sort key, added up to BACKLOG_COUNT_CAP."""
        if ticket.routing is None:
            return 0
        count = 0
        for partition in work_list_partitions(DeskState.OPEN, ticket.routing.region):
            kwargs: dict[str, Any] = {
                "TableName": self.table_name,
                "IndexName": REGION_INDEX,
                "KeyConditionExpression": "gsi1pk = :partition AND gsi1sk < :key",
                "ExpressionAttributeValues": {
                    ":partition": {"S": partition},
                    ":key": {"S": work_list_sort_key(ticket)},
                },
                "Select": "COUNT",
            }
            while count < BACKLOG_COUNT_CAP:
                answer = self._db.query(**kwargs)
                count += int(answer.get("Count", 0))
                if "LastEvaluatedKey" not in answer:
                    break
                kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
        return min(count, BACKLOG_COUNT_CAP)


class _ShardedIndex(DynamoTable):
    def _query_shards(
        self, index: str, condition: str, partitions: list[str], cutoff: str, limit: int
    ) -> list[dict[str, Any]]:
        """Up to `limit` items of a sharded sparse index whose sort key passes `cutoff`, shard
        after shard, following pages."""
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


class DynamoDBSweepIndex(_ShardedIndex):
    def stuck(self, kind: str, older_than: datetime, limit: int) -> list[StuckTicket]:
        """Oldest first per shard."""
        items = self._query_shards(
            PIPELINE_INDEX, "gsi2pk = :partition AND gsi2sk < :cutoff", sweep_partitions(kind), iso(older_than), limit
        )
        found: list[StuckTicket] = []
        for item in items:
            record = deserialize(item)
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

    def record_sweep(self, stuck: StuckTicket, now: datetime, give_up: bool) -> None:
        """The version is not bumped: a worker holding the ticket may still finish its step."""
        partition = parked_partition(stuck.kind) if give_up else sweep_partition(stuck.kind, stuck.ticket_id)
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
        with stale_unless_condition_holds(stuck.ticket_id):
            self._db.update_item(
                TableName=self.table_name,
                Key=key,
                UpdateExpression="SET gsi2pk = :partition, gsi2sk = :at, sweep_attempts = :attempts",
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )

    def mark_notified(self, ticket_id: str, version: int, now: datetime, then_retranslate: bool = False) -> None:
        values: dict[str, Any] = {":version": {"N": str(version)}}
        if then_retranslate:
            update = "SET gsi2pk = :partition, gsi2sk = :at, sweep_attempts = :zero"
            values.update(
                {
                    ":partition": {"S": sweep_partition(SWEEP_RETRANSLATE, ticket_id)},
                    ":at": {"S": iso(now)},
                    ":zero": {"N": "0"},
                }
            )
        else:
            update = "REMOVE gsi2pk, gsi2sk, sweep_attempts"
        with stale_unless_condition_holds(ticket_id):
            self._db.update_item(
                TableName=self.table_name,
                Key=ticket_key(ticket_id),
                UpdateExpression=update,
                ConditionExpression="#version = :version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues=values,
            )


class DynamoDBEscalationIndex(_ShardedIndex):
    def due(self, now: datetime, limit: int) -> list[str]:
        """Earliest due first per shard."""
        items = self._query_shards(
            ESCALATION_INDEX,
            "gsi3pk = :partition AND gsi3sk <= :cutoff",
            escalation_partitions(),
            f"{iso(now)}#{AFTER_ANY_ID}",
            limit,
        )
        return [item["ticket_id"]["S"] for item in items]
