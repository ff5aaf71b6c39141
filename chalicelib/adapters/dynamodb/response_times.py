"""The regions' recent first-response times (`pk = STATS#<region>`), kept two weeks by TTL."""

from __future__ import annotations

import time
from datetime import datetime

from chalicelib.adapters.dynamodb.table import DynamoTable
from chalicelib.domain.ticket import iso

FIRST_RESPONSE_SAMPLE_TTL_SECONDS = 14 * 24 * 3600


class DynamoDBResponseTimes(DynamoTable):
    def add_first_response(self, region: str, ticket_id: str, minutes: float, at: datetime) -> None:
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

    def recent_first_responses(self, region: str, limit: int = 50) -> list[float]:
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
