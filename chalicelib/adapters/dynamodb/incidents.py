"""Incidents on the one table.

Items:
- incident: pk=INCIDENT#<id>  sk=INCIDENT          the whole incident, its updates and kept
  translations; `version` for optimistic locking; by_region (gsi1) `INCIDENTS#<open|resolved>` /
  `<created_at>#<id>` lists them by status (no clash with the desk's `<STATE>#<region>`).
- link:     pk=INCIDENT#<id>  sk=LINK#<ticket id>  one per linked ticket: the fan-out pages
  through them with a Query, and counts them with Select=COUNT.
- pointer:  pk=TICKET#<id>    sk=INCIDENT          the ticket's incident, beside the ticket: the
  conditional put that creates it is what keeps a ticket in at most one incident.

Linking writes the pointer first, then the link: a crash in between leaves a ticket that names
the incident but gets no updates, and linking it again (a no-op otherwise) repairs it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb.items import REGION_INDEX
from chalicelib.adapters.dynamodb.table import (
    CONDITION_FAILED,
    DynamoTable,
    deserialize,
    error_code,
    exists_if_condition_fails,
    serialize,
    stale_unless_condition_holds,
)
from chalicelib.domain.incidents import Incident, IncidentStatus, LinkPage, LinkResult
from chalicelib.domain.repositories import StaleTicket

BATCH_GET_KEYS = 100  # BatchGetItem's limit per call
BATCH_WRITE_ITEMS = 25  # BatchWriteItem's
LINK_PREFIX = "LINK#"
AFTER_ANY_LINK = "LINK#~"  # sorts after every LINK#<ULID>


def incident_key(incident_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"INCIDENT#{incident_id}"}, "sk": {"S": "INCIDENT"}}


def link_key(incident_id: str, ticket_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"INCIDENT#{incident_id}"}, "sk": {"S": f"{LINK_PREFIX}{ticket_id}"}}


def pointer_key(ticket_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"TICKET#{ticket_id}"}, "sk": {"S": "INCIDENT"}}


def listing_partition(resolved: bool) -> str:
    return "INCIDENTS#resolved" if resolved else "INCIDENTS#open"


def incident_item(incident: Incident) -> dict[str, Any]:
    record: dict[str, Any] = {
        "entity": "incident",
        **incident.to_record(),
        "gsi1pk": listing_partition(incident.status is IncidentStatus.RESOLVED),
        "gsi1sk": f"{incident.created_at}#{incident.incident_id}",
    }
    return {**incident_key(incident.incident_id), **serialize(record)}


class DynamoDBIncidents(DynamoTable):
    def create(self, incident: Incident) -> None:
        with exists_if_condition_fails(incident.incident_id):
            self._db.put_item(
                TableName=self.table_name, Item=incident_item(incident), ConditionExpression="attribute_not_exists(pk)"
            )

    def get(self, incident_id: str) -> Incident | None:
        record = self._get(incident_key(incident_id))
        return Incident.from_record(record) if record else None

    def save(self, before: Incident, after: Incident) -> None:
        with stale_unless_condition_holds(before.incident_id):
            self._db.put_item(
                TableName=self.table_name,
                Item=incident_item(after),
                ConditionExpression="#version = :version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":version": {"N": str(before.version)}},
            )

    def listed(self, resolved: bool, limit: int) -> list[Incident]:
        """One Query of the listing partition (newest first), then one BatchGetItem."""
        answer = self._db.query(
            TableName=self.table_name,
            IndexName=REGION_INDEX,
            KeyConditionExpression="gsi1pk = :partition",
            ExpressionAttributeValues={":partition": {"S": listing_partition(resolved)}},
            ScanIndexForward=False,
            Limit=limit,
        )
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in answer.get("Items", [])]
        found = [Incident.from_record(record) for record in self._batch_get(keys)]
        # The index lags the table by a moment: an incident that changed status since is left out.
        fresh = [incident for incident in found if (incident.status is IncidentStatus.RESOLVED) == resolved]
        return sorted(fresh, key=lambda incident: (incident.created_at, incident.incident_id), reverse=True)

    # --- links ------------------------------------------------------------------------------

    def link(self, incident_id: str, ticket_ids: Sequence[str]) -> LinkResult:
        unique = list(dict.fromkeys(ticket_ids))
        owners = self.incidents_of(unique)
        linked: list[str] = []
        already: list[str] = []
        elsewhere: dict[str, str] = {}
        for ticket_id in unique:
            owner = owners.get(ticket_id) or self._claim(incident_id, ticket_id)
            if owner is None:
                linked.append(ticket_id)
            elif owner == incident_id:
                already.append(ticket_id)
            else:
                elsewhere[ticket_id] = owner
        link = {"entity": "incident_link"}
        self._batch_write(
            [
                {
                    "PutRequest": {
                        "Item": {**link_key(incident_id, ticket_id), **serialize({**link, "ticket_id": ticket_id})}
                    }
                }
                for ticket_id in [*linked, *already]  # already: repairs a link a crash left unwritten
            ]
        )
        return LinkResult(tuple(linked), tuple(already), elsewhere)

    def _claim(self, incident_id: str, ticket_id: str) -> str | None:
        """Write the ticket's pointer if it has none; None when written, else the incident it
        names (another linking request won the race)."""
        record = {"entity": "incident_pointer", "ticket_id": ticket_id, "incident_id": incident_id}
        for _ in range(3):
            try:
                self._db.put_item(
                    TableName=self.table_name,
                    Item={**pointer_key(ticket_id), **serialize(record)},
                    ConditionExpression="attribute_not_exists(pk)",
                )
            except ClientError as error:
                if error_code(error) != CONDITION_FAILED:
                    raise
                owner = self.incident_of(ticket_id)
                if owner is not None:
                    return owner
                continue  # unlinked meanwhile: claim it again
            return None
        raise StaleTicket(ticket_id)

    def unlink(self, incident_id: str, ticket_ids: Sequence[str]) -> list[str]:
        unique = list(dict.fromkeys(ticket_ids))
        unlinked: list[str] = []
        for ticket_id in unique:
            try:
                self._db.delete_item(
                    TableName=self.table_name,
                    Key=pointer_key(ticket_id),
                    ConditionExpression="incident_id = :incident",
                    ExpressionAttributeValues={":incident": {"S": incident_id}},
                )
            except ClientError as error:
                if error_code(error) != CONDITION_FAILED:
                    raise
                continue  # not linked here
            unlinked.append(ticket_id)
        # Every given id: also removes a link whose pointer a crash already deleted.
        self._batch_write([{"DeleteRequest": {"Key": link_key(incident_id, ticket_id)}} for ticket_id in unique])
        return unlinked

    def linked_page(self, incident_id: str, after: str, limit: int) -> LinkPage:
        """One Query (Limit = limit + 1, to know whether another page follows). Ticket ids are
        ULIDs of one length, so `LINK#<after>0` is the first key after `after`'s."""
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": {"S": f"INCIDENT#{incident_id}"},
                ":low": {"S": f"{LINK_PREFIX}{after}0" if after else LINK_PREFIX},
                ":high": {"S": AFTER_ANY_LINK},
            },
            "ConsistentRead": True,
        }
        ids: list[str] = []
        while len(ids) <= limit:
            answer = self._db.query(**kwargs, Limit=limit + 1 - len(ids))
            ids.extend(item["ticket_id"]["S"] for item in answer.get("Items", []))
            if "LastEvaluatedKey" not in answer:
                break
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
        page = tuple(ids[:limit])
        return LinkPage(page, page[-1] if len(ids) > limit else None)

    def count_linked(self, incident_id: str) -> int:
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": f"INCIDENT#{incident_id}"}, ":prefix": {"S": LINK_PREFIX}},
            "Select": "COUNT",
            "ConsistentRead": True,
        }
        count = 0
        while True:
            answer = self._db.query(**kwargs)
            count += int(answer.get("Count", 0))
            if "LastEvaluatedKey" not in answer:
                return count
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def incident_of(self, ticket_id: str) -> str | None:
        record = self._get(pointer_key(ticket_id))
        return record["incident_id"] if record else None

    def incidents_of(self, ticket_ids: Sequence[str]) -> dict[str, str]:
        records = self._batch_get([pointer_key(ticket_id) for ticket_id in dict.fromkeys(ticket_ids)])
        return {record["ticket_id"]: record["incident_id"] for record in records}

    # --- batches ----------------------------------------------------------------------------

    def _batch_get(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Consistent BatchGetItem, 100 keys a call, retrying unprocessed keys."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), BATCH_GET_KEYS):
            pending: dict[str, Any] = {
                self.table_name: {"Keys": keys[start : start + BATCH_GET_KEYS], "ConsistentRead": True}
            }
            for attempt in range(6):
                answer = self._db.batch_get_item(RequestItems=pending)
                found.extend(deserialize(item) for item in answer.get("Responses", {}).get(self.table_name, []))
                pending = answer.get("UnprocessedKeys") or {}
                if not pending:
                    break
                time.sleep(min(0.05 * 2**attempt, 1.0))
            if pending:  # never answer with fewer tickets than asked for without saying so
                raise RuntimeError("DynamoDB left ticket reads unprocessed; the page will be retried")
        return found

    def _batch_write(self, requests: list[dict[str, Any]]) -> None:
        """BatchWriteItem, 25 requests a call, retrying unprocessed ones; raises if some remain."""
        for start in range(0, len(requests), BATCH_WRITE_ITEMS):
            pending: dict[str, Any] = {self.table_name: requests[start : start + BATCH_WRITE_ITEMS]}
            for attempt in range(6):
                pending = self._db.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
                if not pending:
                    break
                time.sleep(min(0.05 * 2**attempt, 1.0))
            if pending:
                raise RuntimeError("DynamoDB left link writes unprocessed; retry the request")
