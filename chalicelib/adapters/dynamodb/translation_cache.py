"""TranslationCache on the ticket table: pk=TRCACHE#<key>, sk=TRCACHE, expiring by TTL.

Keys and values are masked text (placeholders, no personal data), so the cache can be kept
for months without holding anything a requester could ask to erase.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from chalicelib.adapters.aws import client

CACHE_TTL_SECONDS = 90 * 24 * 3600


def _key(key: str) -> dict[str, Any]:
    return {"pk": {"S": f"TRCACHE#{key}"}, "sk": {"S": "TRCACHE"}}


class DynamoDBTranslationCache:
    def __init__(self, table_name: str, ttl_seconds: int = CACHE_TTL_SECONDS) -> None:
        self.table_name = table_name
        self.ttl_seconds = ttl_seconds

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        unique = list(dict.fromkeys(keys))
        if not unique:
            return {}
        answer = client("dynamodb").batch_get_item(
            RequestItems={self.table_name: {"Keys": [_key(key) for key in unique[:100]]}}
        )
        now = time.time()
        found: dict[str, str] = {}
        for item in answer.get("Responses", {}).get(self.table_name, []):
            if int(item.get("expires_at", {}).get("N", "0")) < now:
                continue  # TTL deletes lazily: an expired entry is a miss
            found[item["pk"]["S"].removeprefix("TRCACHE#")] = item["translated"]["S"]
        return found

    def put(self, key: str, translated: str) -> None:
        client("dynamodb").put_item(
            TableName=self.table_name,
            Item={
                **_key(key),
                "entity": {"S": "translation_cache"},
                "translated": {"S": translated},
                "expires_at": {"N": str(int(time.time()) + self.ttl_seconds)},
            },
        )
