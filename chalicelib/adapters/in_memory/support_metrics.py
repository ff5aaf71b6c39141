"""domain/repositories.SupportMetrics in a dictionary of the shared InMemoryDatabase
(`database.table("metrics")`: CounterKey -> {field: number}).

Writers apply counter changes with `apply_changes(database, changes)` under the database's lock,
in the same critical section as their own conditional write (the ticket store does so on every
ticket write; the lock is re-entrant), as DynamoDB applies them in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.support_metrics import (
    BACKLOG_FIELDS,
    BacklogGauge,
    CounterChange,
    CounterKey,
    DailyAggregate,
    deflection_changes,
    grouped,
)

if TYPE_CHECKING:
    from chalicelib.adapters.in_memory.tickets import InMemoryDatabase

METRICS_TABLE = "metrics"


def apply_changes(database: InMemoryDatabase, changes: Iterable[CounterChange]) -> None:
    """Add the changes to their aggregates, under the database lock (re-entrant: call it while
    holding the lock of your own conditional write, so both happen or neither)."""
    with database.lock:
        table = database.table(METRICS_TABLE)
        for key, fields in grouped(changes).items():
            counters: dict[str, Any] = table.setdefault(key, {})
            for field, delta in fields.items():
                counters[field] = _tidy(counters.get(field, 0) + delta)


def _tidy(value: float) -> float:
    rounded = round(value, 6)
    return int(rounded) if float(rounded).is_integer() else rounded


class InMemorySupportMetrics:
    def __init__(self, database: InMemoryDatabase) -> None:
        self.db = database

    @property
    def _table(self) -> dict[CounterKey, dict[str, Any]]:
        return self.db.table(METRICS_TABLE)

    def daily(self, days: Sequence[str], regions: Sequence[str]) -> list[DailyAggregate]:
        wanted_days, wanted_regions = set(days), set(regions)
        with self.db.lock:
            found = [
                DailyAggregate(key.day, key.region, key.language, dict(counters))
                for key, counters in self._table.items()
                if key.day is not None and key.day in wanted_days and key.region in wanted_regions
            ]
        return sorted(found, key=lambda row: (row.day, row.region, row.language))

    def backlog(self, regions: Sequence[str]) -> list[BacklogGauge]:
        wanted = set(regions)
        with self.db.lock:
            found = [
                BacklogGauge(
                    key.region, key.language, **{field: int(counters.get(field, 0)) for field in BACKLOG_FIELDS}
                )
                for key, counters in self._table.items()
                if key.is_backlog and key.region in wanted
            ]
        return sorted(found, key=lambda gauge: (gauge.region, gauge.language))

    def record_deflection(self, region: str, language: str, at: datetime) -> None:
        self.apply(deflection_changes(region, language, at))

    def apply(self, changes: Iterable[CounterChange]) -> None:
        """Counter changes on their own (a writer without a conditional write of its own)."""
        apply_changes(self.db, changes)
