"""The tickets the sweeper parked: `gsi2pk = STUCK#<kind>` in `by_pipeline_stage`, `gsi2sk =`
when it gave up (`DynamoDBSweepIndex.record_sweep` with give_up). Unparking puts the entry back
into its shard as the ticket's projection had it (`SWEEP#<kind>#<shard>`, since it last moved),
attempts at 0: the next sweep re-sends its claim check."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb.items import PIPELINE_INDEX, parked_partition, sweep_partition, ticket_key
from chalicelib.adapters.dynamodb.table import CONDITION_FAILED, DynamoTable, deserialize
from chalicelib.domain.dead_letters import ParkedTicket


def _parked(record: dict[str, Any], kind: str, parked_at: str) -> ParkedTicket:
    return ParkedTicket(
        ticket_id=record["ticket_id"],
        kind=kind,
        attempts=int(record.get("sweep_attempts") or 0),
        parked_at=parked_at,
        version=int(record["version"]),
        region=record.get("region"),
    )


class DynamoDBParkedTickets(DynamoTable):
    def parked(self, kind: str, limit: int) -> list[ParkedTicket]:
        found: list[ParkedTicket] = []
        for item in self._query_all(
            IndexName=PIPELINE_INDEX,
            KeyConditionExpression="gsi2pk = :partition",
            ExpressionAttributeValues={":partition": {"S": parked_partition(kind)}},
        ):
            found.append(_parked(deserialize(item), kind, item["gsi2sk"]["S"]))
            if len(found) >= limit:
                break
        return found

    def unpark(self, ticket_id: str) -> ParkedTicket | None:
        item = self._db.get_item(TableName=self.table_name, Key=ticket_key(ticket_id), ConsistentRead=True).get("Item")
        partition = item.get("gsi2pk", {}).get("S", "") if item else ""
        if not item or not partition.startswith("STUCK#"):
            return None
        record = deserialize(item)
        kind = partition.removeprefix("STUCK#")
        parked = _parked(record, kind, item["gsi2sk"]["S"])
        # A routed ticket waits on its desk message since it was routed; others since they last moved.
        resting_since = record.get("updated_at") or parked.parked_at
        try:
            self._db.update_item(
                TableName=self.table_name,
                Key=ticket_key(ticket_id),
                UpdateExpression="SET gsi2pk = :partition, gsi2sk = :since, sweep_attempts = :zero",
                ConditionExpression="gsi2pk = :parked AND #version = :version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={
                    ":partition": {"S": sweep_partition(kind, ticket_id)},
                    ":since": {"S": resting_since},
                    ":zero": {"N": "0"},
                    ":parked": {"S": parked_partition(kind)},
                    ":version": {"N": str(parked.version)},
                },
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == CONDITION_FAILED:
                return None  # moved on, or another operator retried it meanwhile
            raise
        return parked
