"""Tickets on the one table: conditional writes on what the writer read, atomic idempotent create."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from chalicelib.adapters.dynamodb.items import idempotency_key, ticket_item, ticket_key
from chalicelib.adapters.dynamodb.table import (
    DynamoTable,
    deserialize,
    exists_if_condition_fails,
    serialize,
    stale_unless_condition_holds,
)
from chalicelib.domain.repositories import IdempotencyClaim, IdempotencyRecord
from chalicelib.domain.ticket import Ticket

BATCH_GET_KEYS = 100  # BatchGetItem's limit per call


class DynamoDBTickets(DynamoTable):
    def create(self, ticket: Ticket, idempotency: IdempotencyClaim | None = None) -> None:
        put_ticket = {
            "TableName": self.table_name,
            "Item": ticket_item(ticket, awaiting_notification=False),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        with exists_if_condition_fails(ticket.ticket_id):
            if idempotency is None:
                self._db.put_item(**put_ticket)
                return
            self._db.transact_write_items(TransactItems=[{"Put": put_ticket}, {"Put": self._claim(idempotency)}])

    def _claim(self, claim: IdempotencyClaim) -> dict[str, Any]:
        record = claim.record
        return {
            "TableName": self.table_name,
            "Item": {
                **idempotency_key(claim.key_hash),
                **serialize(
                    {
                        "entity": "idempotency",
                        "ticket_id": record.ticket_id,
                        "fingerprint": record.fingerprint,
                        "sealed_token": record.sealed_token,
                        "expires_at": claim.expires_at,
                    }
                ),
            },
            # An expired record (TTL deletes lazily) may be taken over.
            "ConditionExpression": "attribute_not_exists(pk) OR expires_at < :now",
            "ExpressionAttributeValues": {":now": {"N": str(int(time.time()))}},
        }

    def get(self, ticket_id: str) -> Ticket | None:
        record = self._get(ticket_key(ticket_id))
        return Ticket.from_record(record) if record else None

    def get_many(self, ticket_ids: Sequence[str]) -> dict[str, Ticket]:
        """Consistent BatchGetItem (100 keys a call), retrying unprocessed keys."""
        found: dict[str, Ticket] = {}
        unique = list(dict.fromkeys(ticket_ids))
        for start in range(0, len(unique), BATCH_GET_KEYS):
            keys = [ticket_key(ticket_id) for ticket_id in unique[start : start + BATCH_GET_KEYS]]
            pending: dict[str, Any] = {self.table_name: {"Keys": keys, "ConsistentRead": True}}
            for attempt in range(6):
                answer = self._db.batch_get_item(RequestItems=pending)
                for item in answer.get("Responses", {}).get(self.table_name, []):
                    ticket = Ticket.from_record(deserialize(item))
                    found[ticket.ticket_id] = ticket
                pending = answer.get("UnprocessedKeys") or {}
                if not pending:
                    break
                time.sleep(min(0.05 * 2**attempt, 1.0))
        return found

    def save_transition(self, before: Ticket, after: Ticket, awaiting_notification: bool = False) -> None:
        with stale_unless_condition_holds(before.ticket_id):
            self._db.put_item(
                TableName=self.table_name,
                Item=ticket_item(after, awaiting_notification),
                ConditionExpression="#status = :status AND #version = :version",
                ExpressionAttributeNames={"#status": "status", "#version": "version"},
                ExpressionAttributeValues={
                    ":status": {"S": before.status.value},
                    ":version": {"N": str(before.version)},
                },
            )

    def save_desk_change(self, before: Ticket, after: Ticket) -> None:
        """Of two agents claiming the same ticket, exactly one wins."""
        assert before.desk is not None
        with stale_unless_condition_holds(before.ticket_id):
            self._db.put_item(
                TableName=self.table_name,
                Item=ticket_item(after, awaiting_notification=False),
                # The version alone makes it atomic; the state guards the intent. A ticket routed
                # before the desk existed has no stored desk (it reads as open).
                ConditionExpression="#version = :version AND (#desk.#state = :state OR attribute_not_exists(#desk))",
                ExpressionAttributeNames={"#version": "version", "#desk": "desk", "#state": "state"},
                ExpressionAttributeValues={
                    ":version": {"N": str(before.version)},
                    ":state": {"S": before.desk.state.value},
                },
            )


class DynamoDBIdempotency(DynamoTable):
    def get(self, key_hash: str) -> IdempotencyRecord | None:
        record = self._get(idempotency_key(key_hash))
        if record is None:
            return None
        if record.get("expires_at") is not None and int(record["expires_at"]) < time.time():
            return None  # TTL deletes lazily
        return IdempotencyRecord(record["ticket_id"], record["fingerprint"], record["sealed_token"])
