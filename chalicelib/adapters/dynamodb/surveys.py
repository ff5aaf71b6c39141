"""Satisfaction surveys beside their ticket (`pk = TICKET#<id>`, `sk = SURVEY#<resolution>`).

A scheduled survey sits in the `by_pipeline_stage` index under `SWEEP#csat#<shard>`, sorted by
when it comes due; requested, answered and cancelled ones leave it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb.items import PIPELINE_INDEX, sweep_partition, sweep_partitions
from chalicelib.adapters.dynamodb.support_metrics import stale_unless_transaction_holds, transact_with_counters
from chalicelib.adapters.dynamodb.table import (
    DynamoTable,
    exists_if_condition_fails,
    serialize,
    stale_unless_condition_holds,
)
from chalicelib.domain.satisfaction import Survey
from chalicelib.domain.ticket import iso
from chalicelib.observability import logger

SWEEP_CSAT = "csat"


def survey_key(ticket_id: str, resolution: int) -> dict[str, Any]:
    return {"pk": {"S": f"TICKET#{ticket_id}"}, "sk": {"S": f"SURVEY#{resolution:04d}"}}


def survey_item(survey: Survey) -> dict[str, Any]:
    record: dict[str, Any] = {"entity": "survey", **survey.to_record()}
    if survey.scheduled:
        record["gsi2pk"] = sweep_partition(SWEEP_CSAT, survey.ticket_id)
        record["gsi2sk"] = survey.due_at
    return {**survey_key(survey.ticket_id, survey.resolution), **serialize(record)}


class DynamoDBSurveys(DynamoTable):
    """`on_counted` hears the metric changes of an answer once written (the EMF metrics)."""

    def __init__(self, table_name: str, on_counted: Callable[[Sequence[Any]], None] | None = None) -> None:
        super().__init__(table_name)
        self._on_counted = on_counted

    def add(self, survey: Survey) -> None:
        with exists_if_condition_fails(survey.ticket_id):
            self._db.put_item(
                TableName=self.table_name, Item=survey_item(survey), ConditionExpression="attribute_not_exists(pk)"
            )

    def get(self, ticket_id: str, resolution: int) -> Survey | None:
        record = self._get(survey_key(ticket_id, resolution))
        return Survey.from_record(record) if record else None

    def save(self, before: Survey, after: Survey, metric_changes: Sequence[Any] = ()) -> None:
        put = {
            "TableName": self.table_name,
            "Item": survey_item(after),
            "ConditionExpression": "#version = :version",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": {":version": {"N": str(before.version)}},
        }
        if not metric_changes:
            with stale_unless_condition_holds(before.ticket_id):
                self._db.put_item(**put)
            return
        # The survey's version is the transaction's only condition: a failed one lost a race.
        with stale_unless_transaction_holds(before.ticket_id):
            transact_with_counters(self._db, self.table_name, [{"Put": put}], metric_changes)
        if self._on_counted is not None:
            try:
                self._on_counted(metric_changes)
            except Exception:  # the answer stands; a lost metric line must not fail it
                logger.exception("satisfaction metrics not emitted")

    def due(self, now: datetime, limit: int) -> list[Survey]:
        records = self._due_in_sweep_index(PIPELINE_INDEX, sweep_partitions(SWEEP_CSAT), iso(now), limit)
        return sorted((Survey.from_record(record) for record in records), key=lambda entry: entry.due_at)
