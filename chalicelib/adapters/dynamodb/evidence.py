"""Evidence entries beside their ticket (`pk = TICKET#<id>`, `sk = EVIDENCE#<evidence id>`).

Evidence ids are ULIDs, so a ticket's entries read back oldest first with one Query. The files
themselves are in the evidence bucket (adapters/evidence_storage.py), never in the table.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamodb.table import (
    DynamoTable,
    deserialize,
    exists_if_condition_fails,
    serialize,
    stale_unless_condition_holds,
)
from chalicelib.domain.evidence import Evidence

EVIDENCE_PREFIX = "EVIDENCE#"


def evidence_key(ticket_id: str, evidence_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"TICKET#{ticket_id}"}, "sk": {"S": f"{EVIDENCE_PREFIX}{evidence_id}"}}


def evidence_item(evidence: Evidence) -> dict[str, Any]:
    record: dict[str, Any] = {"entity": "evidence", **evidence.to_record()}
    return {**evidence_key(evidence.ticket_id, evidence.evidence_id), **serialize(record)}


class DynamoDBEvidence(DynamoTable):
    def add(self, evidence: Evidence) -> None:
        with exists_if_condition_fails(evidence.evidence_id):
            self._db.put_item(
                TableName=self.table_name,
                Item=evidence_item(evidence),
                ConditionExpression="attribute_not_exists(pk)",
            )

    def get(self, ticket_id: str, evidence_id: str) -> Evidence | None:
        record = self._get(evidence_key(ticket_id, evidence_id))
        return Evidence.from_record(record) if record else None

    def save(self, before: Evidence, after: Evidence) -> None:
        with stale_unless_condition_holds(before.evidence_id):
            self._db.put_item(
                TableName=self.table_name,
                Item=evidence_item(after),
                ConditionExpression="#version = :version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":version": {"N": str(before.version)}},
            )

    def for_ticket(self, ticket_id: str) -> list[Evidence]:
        items = self._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": f"TICKET#{ticket_id}"}, ":prefix": {"S": EVIDENCE_PREFIX}},
            ConsistentRead=True,
        )
        return [Evidence.from_record(deserialize(item)) for item in items]
