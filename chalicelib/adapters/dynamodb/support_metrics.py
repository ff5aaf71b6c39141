"""Support metrics on the one table: aggregates the ticket writes keep, read without a scan.

Items (one aggregate spread over COUNTER_SHARDS items, number attributes a write ADDs to):
- per UTC day, region and language: `pk = METRICS#<yyyy-mm-dd>[#<shard>]`, `sk = <region>#<language>`;
- the backlog gauges:                 `pk = METRICS#BACKLOG[#<shard>]`,      `sk = <region>#<language>`.
Shard 0 has no suffix: the spelling of the items written before the counters were sharded, so
those are read as shard 0 (no migration). A write adds to one shard, drawn at random; a read
adds the shards up. Why: an item takes at most 1,000 WCU/s, a transactional update costs 2 WCU,
and every ticket of a region and language (of a day) updates the same aggregate; the shards also
keep concurrent transactions from meeting on one item (docs/SCALING.md).

Writers put the counter updates in the same TransactWriteItems as their own conditional write
(`counter_update_items`, or `transact_with_counters` which also retries a TransactionConflict:
every ticket of a region and language updates the same few items). Reading a period is one
Query per day partition and shard (per region for an agent of some regions), plus one per shard
for the backlog.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb.table import TRANSACTION_CANCELLED, DynamoTable, deserialize, error_code
from chalicelib.domain.repositories import StaleTicket
from chalicelib.domain.support_metrics import (
    BACKLOG_FIELDS,
    BacklogGauge,
    CounterChange,
    CounterKey,
    DailyAggregate,
    deflection_changes,
    grouped,
)

BACKLOG_PARTITION = "METRICS#BACKLOG"
# Items per aggregate. Grow it freely; shrinking hides what the dropped shards hold.
COUNTER_SHARDS = 4
_shard_picker = random.Random()
TRANSACTION_ATTEMPTS = 5
CONDITION_FAILED_REASON = "ConditionalCheckFailed"
CONFLICT_REASON = "TransactionConflict"
# Attributes of a metrics item that are not counters.
_DESCRIPTIVE = {"pk", "sk", "entity", "metric_day", "region", "language"}


def metrics_partition(day: str | None, shard: int = 0) -> str:
    """A day's (or, day None, the backlog's) partition of one shard; shard 0 is unsuffixed."""
    base = BACKLOG_PARTITION if day is None else f"METRICS#{day}"
    return base if shard == 0 else f"{base}#{shard}"


def metrics_partitions(day: str | None) -> list[str]:
    return [metrics_partition(day, shard) for shard in range(COUNTER_SHARDS)]


def metrics_key(key: CounterKey, shard: int = 0) -> dict[str, Any]:
    return {"pk": {"S": metrics_partition(key.day, shard)}, "sk": {"S": f"{key.region}#{key.language}"}}


def counter_update_items(
    table_name: str, changes: Iterable[CounterChange], shard: int | None = None
) -> list[dict[str, Any]]:
    """TransactWriteItems `Update` entries adding `changes` to their aggregates: one per item
    (a transaction may not touch an item twice), unconditional, in one shard (`shard`, else one
    drawn at random). Add them to the transaction of the write that causes the changes, so they
    count exactly when that write succeeds."""
    if shard is None:
        shard = _shard_picker.randrange(COUNTER_SHARDS)
    updates = []
    for key, fields in sorted(grouped(changes).items(), key=lambda item: item[0].sort_key):
        names = {"#entity": "entity", "#region": "region", "#language": "language"}
        values: dict[str, Any] = {
            ":entity": {"S": "metrics_backlog" if key.is_backlog else "metrics_day"},
            ":region": {"S": key.region},
            ":language": {"S": key.language},
        }
        sets = ["#entity = :entity", "#region = :region", "#language = :language"]
        if key.day is not None:
            names["#day"], values[":day"] = "metric_day", {"S": key.day}
            sets.append("#day = :day")
        adds = []
        for index, (field, delta) in enumerate(sorted(fields.items())):
            names[f"#c{index}"], values[f":c{index}"] = field, {"N": _number(delta)}
            adds.append(f"#c{index} :c{index}")
        updates.append(
            {
                "Update": {
                    "TableName": table_name,
                    "Key": metrics_key(key, shard),
                    "UpdateExpression": f"SET {', '.join(sets)} ADD {', '.join(adds)}",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            }
        )
    return updates


def transact_with_counters(
    db: Any, table_name: str, writes: Sequence[dict[str, Any]], changes: Iterable[CounterChange]
) -> None:
    """One TransactWriteItems: `writes` (yours, conditional) and the counter updates. Retried
    when it was cancelled only by a TransactionConflict (another transaction was updating the
    same aggregate); any other failure is raised as DynamoDB answered (see `cancelled_by_condition`)."""
    items = [*writes, *counter_update_items(table_name, changes)]
    for attempt in range(TRANSACTION_ATTEMPTS):
        try:
            db.transact_write_items(TransactItems=items)
            return
        except ClientError as error:
            reasons = cancellation_reasons(error)
            conflict = CONFLICT_REASON in reasons and CONDITION_FAILED_REASON not in reasons
            if not conflict or attempt == TRANSACTION_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0, 0.025 * 2**attempt))


def cancellation_reasons(error: ClientError) -> list[str]:
    """The code of each item of a cancelled transaction ("None" for the ones that were fine)."""
    if error_code(error) != TRANSACTION_CANCELLED:
        return []
    return [str(reason.get("Code", "None")) for reason in error.response.get("CancellationReasons", [])]


@contextlib.contextmanager
def stale_unless_transaction_holds(entity_id: str) -> Iterator[None]:
    """A transaction cancelled because a condition failed: somebody else wrote first."""
    try:
        yield
    except ClientError as error:
        if CONDITION_FAILED_REASON in cancellation_reasons(error):
            raise StaleTicket(entity_id) from error
        raise


def _number(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


class DynamoDBSupportMetrics(DynamoTable):
    def daily(self, days: Sequence[str], regions: Sequence[str]) -> list[DailyAggregate]:
        """One Query per day and shard: of the region's items for an agent of one region, else
        of the whole day (a few hundred small items at most), filtered to `regions`; the shards
        of an aggregate added up."""
        wanted = set(regions)
        found: list[DailyAggregate] = []
        for day in days:
            items = self._shards_of(metrics_partitions(day), wanted)
            found.extend(DailyAggregate(day, region, language, counters) for (region, language), counters in items)
        return found

    def backlog(self, regions: Sequence[str]) -> list[BacklogGauge]:
        items = self._shards_of(metrics_partitions(None), set(regions))
        return [
            BacklogGauge(region, language, **{field: int(counters.get(field, 0)) for field in BACKLOG_FIELDS})
            for (region, language), counters in items
        ]

    def _shards_of(self, partitions: list[str], regions: set[str]) -> list[tuple[tuple[str, str], dict[str, float]]]:
        """The counters of each region and language in `regions`, summed over `partitions`
        (an aggregate's shards), in the order they were first met."""
        summed: dict[tuple[str, str], dict[str, float]] = {}
        for partition in partitions:
            values = {":pk": {"S": partition}}
            condition = "pk = :pk"
            if len(regions) == 1:
                values[":region"] = {"S": f"{next(iter(regions))}#"}
                condition += " AND begins_with(sk, :region)"
            for item in self._query_all(KeyConditionExpression=condition, ExpressionAttributeValues=values):
                region_language = _region_language(item)
                if region_language[0] not in regions:
                    continue
                into = summed.setdefault(region_language, {})
                for field, value in _counters(item).items():
                    into[field] = _tidy(into.get(field, 0) + value)
        return list(summed.items())

    def record_deflection(self, region: str, language: str, at: datetime) -> None:
        (update,) = counter_update_items(self.table_name, deflection_changes(region, language, at))
        self._db.update_item(**update["Update"])


def _region_language(item: dict[str, Any]) -> tuple[str, str]:
    region, _, language = item["sk"]["S"].partition("#")
    return region, language


def _counters(item: dict[str, Any]) -> dict[str, float]:
    record = deserialize({name: value for name, value in item.items() if name not in _DESCRIPTIVE})
    return {name: value for name, value in record.items() if isinstance(value, int | float)}


def _tidy(value: float) -> float:
    """A sum of shards as one item would hold it: an int when whole, else 6 decimals."""
    rounded = round(value, 6)
    return int(rounded) if float(rounded).is_integer() else rounded
