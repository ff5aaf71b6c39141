"""Notifications beside their ticket (`pk = TICKET#<id>`, `sk = NOTIFY#<notification id>`).

A queued notification sits in the `by_pipeline_stage` index under `SWEEP#notify#<shard>`, sorted
by when its next attempt is due, so the sweeper finds what to re-send with a query; sent and
failed ones leave the index (sparse).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb.items import PIPELINE_INDEX, sweep_partition, sweep_partitions
from chalicelib.adapters.dynamodb.table import (
    DynamoTable,
    deserialize,
    exists_if_condition_fails,
    serialize,
    stale_unless_condition_holds,
)
from chalicelib.domain.notifications import Notification
from chalicelib.domain.ticket import iso

SWEEP_NOTIFY = "notify"


def notification_key(ticket_id: str, notification_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"TICKET#{ticket_id}"}, "sk": {"S": f"NOTIFY#{notification_id}"}}


def notification_item(notification: Notification) -> dict[str, Any]:
    record: dict[str, Any] = {"entity": "notification", **notification.to_record()}
    if notification.queued:
        record["gsi2pk"] = sweep_partition(SWEEP_NOTIFY, notification.ticket_id)
        record["gsi2sk"] = notification.next_attempt_at
    return {**notification_key(notification.ticket_id, notification.notification_id), **serialize(record)}


class DynamoDBNotifications(DynamoTable):
    def add(self, notification: Notification) -> None:
        with exists_if_condition_fails(notification.notification_id):
            self._db.put_item(
                TableName=self.table_name,
                Item=notification_item(notification),
                ConditionExpression="attribute_not_exists(pk)",
            )

    def get(self, ticket_id: str, notification_id: str) -> Notification | None:
        record = self._get(notification_key(ticket_id, notification_id))
        return Notification.from_record(record) if record else None

    def save(self, before: Notification, after: Notification) -> None:
        with stale_unless_condition_holds(before.notification_id):
            self._db.put_item(
                TableName=self.table_name,
                Item=notification_item(after),
                ConditionExpression="#version = :version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":version": {"N": str(before.version)}},
            )

    def for_ticket(self, ticket_id: str) -> list[Notification]:
        items = self._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": f"TICKET#{ticket_id}"}, ":prefix": {"S": "NOTIFY#"}},
            ConsistentRead=True,
        )
        found = [Notification.from_record(deserialize(item)) for item in items]
        return sorted(found, key=lambda notification: (notification.created_at, notification.notification_id))

    def due(self, now: datetime, limit: int) -> list[Notification]:
        records = self._due_in_sweep_index(PIPELINE_INDEX, sweep_partitions(SWEEP_NOTIFY), iso(now), limit)
        return sorted((Notification.from_record(record) for record in records), key=lambda entry: entry.next_attempt_at)
