"""Conversation messages beside their ticket (`pk = TICKET#<id>`, `sk = MSG#<ulid>`)."""

from __future__ import annotations

from chalicelib.adapters.dynamodb.items import message_item, message_key
from chalicelib.adapters.dynamodb.table import (
    DynamoTable,
    deserialize,
    exists_if_condition_fails,
    stale_unless_condition_holds,
)
from chalicelib.domain.conversation import Message


class DynamoDBMessages(DynamoTable):
    def add(self, message: Message) -> None:
        with exists_if_condition_fails(message.message_id):
            self._db.put_item(
                TableName=self.table_name, Item=message_item(message), ConditionExpression="attribute_not_exists(pk)"
            )

    def get(self, ticket_id: str, message_id: str) -> Message | None:
        record = self._get(message_key(ticket_id, message_id))
        return Message.from_record(record) if record else None

    def save(self, before: Message, after: Message) -> None:
        with stale_unless_condition_holds(before.message_id):
            self._db.put_item(
                TableName=self.table_name,
                Item=message_item(after),
                ConditionExpression="#version = :version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":version": {"N": str(before.version)}},
            )

    def for_ticket(self, ticket_id: str) -> list[Message]:
        items = self._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": f"TICKET#{ticket_id}"}, ":prefix": {"S": "MSG#"}},
            ConsistentRead=True,
        )
        return [Message.from_record(deserialize(item)) for item in items]
