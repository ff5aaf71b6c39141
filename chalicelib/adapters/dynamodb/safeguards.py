"""The store's side of the safeguards (issue 9): who may open a ticket, revoked agent tokens and
request counters, on the one table.

Items:
- access:      pk=TICKET#<id>              sk=ACCESS    the requester's rotated token (hash)
- revocations: pk=REVOKED#AGENT#<name>     sk=REVOKED   every token issued until `issued_before`
               pk=REVOKED#TOKEN#<token id> sk=REVOKED   one token
- counters:    pk=RATE#<bucket>            sk=<window start>
Revocations and counters carry `expires_at` (the table's TTL): they outlive what they guard by
nothing more than they must.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb.items import ticket_key
from chalicelib.adapters.dynamodb.table import (
    CONDITION_FAILED,
    DynamoTable,
    deserialize,
    error_code,
    serialize,
    stale_unless_condition_holds,
)
from chalicelib.domain.access import TicketAccess
from chalicelib.domain.agent_tokens import Revocation
from chalicelib.domain.ticket import DeskState, iso

ACCESS_SK = "ACCESS"
# Only what the decision needs: the ticket's text never leaves the table on an access check.
# The whole desk map (a few short fields): a nested path into a null desk trips moto.
_ACCESS_PROJECTION = "sk, token_hash, rotations, #region, #desk, updated_at"
_ACCESS_NAMES = {"#region": "region", "#desk": "desk"}


class DynamoDBTicketAccess(DynamoTable):
    def access(self, ticket_id: str) -> TicketAccess | None:
        keys = [ticket_key(ticket_id), {**ticket_key(ticket_id), "sk": {"S": ACCESS_SK}}]
        items = {item["sk"]["S"]: deserialize(item) for item in self._projected(keys)}
        ticket = items.get("TICKET")
        if ticket is None:
            return None
        rotation = items.get(ACCESS_SK) or {}
        desk = ticket.get("desk") or {}
        resolved = desk.get("state") == DeskState.RESOLVED.value
        return TicketAccess(
            ticket_id,
            rotation.get("token_hash") or ticket["token_hash"],
            ticket.get("region"),
            (desk.get("resolved_at") or ticket.get("updated_at")) if resolved else None,
            int(rotation.get("rotations") or 0),
        )

    def _projected(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # One BatchGetItem whether the ticket exists or not (the same cost either way).
        request = {"Keys": keys, "ConsistentRead": True, "ProjectionExpression": _ACCESS_PROJECTION}
        pending: dict[str, Any] = {self.table_name: {**request, "ExpressionAttributeNames": _ACCESS_NAMES}}
        found: list[dict[str, Any]] = []
        while pending:
            answer = self._db.batch_get_item(RequestItems=pending)
            found.extend(answer.get("Responses", {}).get(self.table_name, []))
            pending = answer.get("UnprocessedKeys") or {}
        return found

    def rotate(self, before: TicketAccess, token_hash: str, at: datetime) -> None:
        item = {"entity": "access", "token_hash": token_hash, "rotations": before.rotations + 1, "rotated_at": iso(at)}
        condition: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(pk)"}
            if before.rotations == 0
            else {
                "ConditionExpression": "rotations = :seen",
                "ExpressionAttributeValues": {":seen": {"N": str(before.rotations)}},
            }
        )
        with stale_unless_condition_holds(before.ticket_id):
            self._db.put_item(
                TableName=self.table_name,
                Item={**ticket_key(before.ticket_id), "sk": {"S": ACCESS_SK}, **serialize(item)},
                **condition,
            )


def _revoked_agent(agent: str) -> dict[str, Any]:
    return {"pk": {"S": f"REVOKED#AGENT#{agent}"}, "sk": {"S": "REVOKED"}}


def _revoked_token(token_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"REVOKED#TOKEN#{token_id}"}, "sk": {"S": "REVOKED"}}


class DynamoDBAgentRevocations(DynamoTable):
    def revoke_agent(self, agent: str, issued_before: int, expires_at: int) -> None:
        try:
            self._db.update_item(
                TableName=self.table_name,
                Key=_revoked_agent(agent),
                UpdateExpression="SET issued_before = :cutoff, expires_at = :expires, entity = :entity",
                # Never moves the cutoff back: of two revocations the later one holds.
                ConditionExpression="attribute_not_exists(issued_before) OR issued_before < :cutoff",
                ExpressionAttributeValues={
                    ":cutoff": {"N": str(issued_before)},
                    ":expires": {"N": str(expires_at)},
                    ":entity": {"S": "revocation"},
                },
            )
        except ClientError as error:
            if error_code(error) != CONDITION_FAILED:
                raise

    def revoke_token(self, token_id: str, agent: str, expires_at: int) -> None:
        item = {"entity": "revocation", "agent": agent, "expires_at": expires_at}
        self._db.put_item(TableName=self.table_name, Item={**_revoked_token(token_id), **serialize(item)})

    def revocation(self, agent: str, token_id: str) -> Revocation:
        found = {
            item["pk"]["S"]: deserialize(item)
            for item in self._get_many([_revoked_agent(agent), _revoked_token(token_id)])
        }
        cutoff = found.get(f"REVOKED#AGENT#{agent}", {}).get("issued_before")
        return Revocation(int(cutoff) if cutoff is not None else None, f"REVOKED#TOKEN#{token_id}" in found)


class DynamoDBRateCounters(DynamoTable):
    def hit(self, bucket: str, window_start: int, expires_at: int) -> int:
        answer = self._db.update_item(
            TableName=self.table_name,
            Key={"pk": {"S": f"RATE#{bucket}"}, "sk": {"S": str(window_start)}},
            UpdateExpression="ADD hits :one SET expires_at = if_not_exists(expires_at, :expires)",
            ExpressionAttributeValues={":one": {"N": "1"}, ":expires": {"N": str(expires_at)}},
            ReturnValues="UPDATED_NEW",
        )
        return int(answer["Attributes"]["hits"]["N"])
