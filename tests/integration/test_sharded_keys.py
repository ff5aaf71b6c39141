"""The sharded hot keys as an operator sees them in DynamoDB (moto), and data written before
they were sharded: a deployed stage upgrades without a migration (docs/SCALING.md)."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import aws_resource_names
from chalicelib.adapters.aws import client
from chalicelib.adapters.dynamodb import items, support_metrics
from chalicelib.adapters.dynamodb.items import ticket_key
from chalicelib.composition_root import Dependencies
from chalicelib.domain import support_metrics as m
from chalicelib.domain.support_metrics import BacklogGauge
from chalicelib.domain.ticket import DeskState
from chalicelib.settings import get_settings
from tests.contract.test_sharded_indexes_contract import open_tickets, queue_order
from tests.integration.builders import STAGE, T0

TABLE = aws_resource_names.table_name(STAGE)
DAY = T0.date().isoformat()


@pytest.fixture
def store(aws: None) -> Dependencies:
    return Dependencies(get_settings())


def stored(ticket_id: str) -> dict[str, Any]:
    return client("dynamodb").get_item(TableName=TABLE, Key=ticket_key(ticket_id))["Item"]


def metric_items() -> list[dict[str, Any]]:
    answer = client("dynamodb").scan(
        TableName=TABLE, FilterExpression="begins_with(pk, :m)", ExpressionAttributeValues={":m": {"S": "METRICS#"}}
    )
    return answer["Items"]


def test_a_regions_open_tickets_spread_over_every_work_list_shard(store: Dependencies):
    # Given eight tickets routed to emea
    tickets = open_tickets(store, 8)

    # Then their index entries sit in every shard, shard 0 spelled as before sharding
    partitions = {stored(ticket.ticket_id)["gsi1pk"]["S"] for ticket in tickets}
    assert partitions == {"OPEN#emea", "OPEN#emea#1", "OPEN#emea#2", "OPEN#emea#3"}


def test_an_entry_written_before_sharding_is_listed_counted_and_claimed(store: Dependencies):
    # Given four open tickets, one of them still under the unsharded partition an older
    # deployment wrote although its id now belongs to another shard
    tickets = open_tickets(store, 4)
    old = next(ticket for ticket in tickets if stored(ticket.ticket_id)["gsi1pk"]["S"] == "OPEN#emea#1")
    client("dynamodb").update_item(
        TableName=TABLE,
        Key=ticket_key(old.ticket_id),
        UpdateExpression="SET gsi1pk = :old",
        ExpressionAttributeValues={":old": {"S": "OPEN#emea"}},
    )
    expected = queue_order(tickets)

    # Then the desk still lists it in its place and counts it in the queue ahead of the others
    assert store.work_lists.ticket_ids("emea", DeskState.OPEN, 50) == expected
    assert store.work_lists.open_ahead_of(old) == expected.index(old.ticket_id)
    # And claiming everything takes it too, which moves it to its shard of the claimed list
    claimed = [store.claim_next("emea", "ana", []) for _ in tickets]
    assert sorted(ticket.ticket_id for ticket in claimed if ticket) == sorted(expected)
    assert stored(old.ticket_id)["gsi1pk"]["S"] == "CLAIMED#emea#1"


def test_counters_written_before_sharding_add_to_the_shards(store: Dependencies):
    # Given the day and backlog items an older deployment kept (unsharded)
    for partition, field in ((f"METRICS#{DAY}", m.CREATED), ("METRICS#BACKLOG", m.OPEN)):
        client("dynamodb").put_item(
            TableName=TABLE,
            Item={"pk": {"S": partition}, "sk": {"S": "emea#es"}, field: {"N": "100"}, "region": {"S": "emea"}},
        )

    # When eight more tickets are routed, their counters spread over the shards
    open_tickets(store, 8)

    # Then the report adds the old items and every shard up
    [row] = store.support_metrics.daily([DAY], ["emea"])
    assert row.count(m.CREATED) == 108
    assert store.support_metrics.backlog(["emea"]) == [BacklogGauge("emea", "es", open=108, waiting=0, breached=0)]
    assert len({item["pk"]["S"] for item in metric_items()}) > 2


def test_growing_the_shard_counts_keeps_what_the_old_counts_wrote(store: Dependencies, monkeypatch):
    # Given eight tickets written with four shards per key
    before = open_tickets(store, 8)

    # When a deployment doubles both shard counts and routes eight more
    monkeypatch.setattr(items, "WORK_LIST_SHARDS", 8)
    monkeypatch.setattr(support_metrics, "COUNTER_SHARDS", 8)
    after = open_tickets(store, 8)

    # Then the work list and the counts hold every ticket, old and new, in one order
    assert store.work_lists.ticket_ids("emea", DeskState.OPEN, 50) == queue_order([*before, *after])
    assert store.support_metrics.backlog(["emea"]) == [BacklogGauge("emea", "es", open=16, waiting=0, breached=0)]
    assert any(stored(ticket.ticket_id)["gsi1pk"]["S"] in {"OPEN#emea#5", "OPEN#emea#7"} for ticket in after)
