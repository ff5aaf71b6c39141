"""The desk's work lists and the support metrics when their hot keys are sharded (DynamoDB: a
region's work list over WORK_LIST_SHARDS index partitions, each counter over COUNTER_SHARDS
items): what an agent and an operator see must be what one partition would give, on both
stores. The tickets' ids are picked so that they fall in every shard."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.adapters.dynamodb import items
from chalicelib.composition_root import Dependencies
from chalicelib.domain import desk
from chalicelib.domain import support_metrics as m
from chalicelib.domain.ids import new_ticket_id
from chalicelib.domain.support_metrics import BacklogGauge
from chalicelib.domain.ticket import DeskState, Ticket
from tests.integration.builders import T0, detected, received_ticket, routed, seconds, translated

PRIORITIES = ("low", "normal", "high", "urgent")


def ids_in_every_shard(count: int) -> list[str]:
    """`count` ticket ids, created a minute apart, cycling through the work list's shards."""
    found: list[str] = []
    while len(found) < count:
        at = T0 + timedelta(minutes=len(found))
        wanted = f"#{len(found) % items.WORK_LIST_SHARDS}"
        candidate = new_ticket_id(int(at.timestamp() * 1000))
        partition = items.work_list_partition_of(DeskState.OPEN, "emea", candidate)
        if partition.endswith(wanted) or (wanted == "#0" and partition == "OPEN#emea"):
            found.append(candidate)
    return found


def open_tickets(store: Dependencies, count: int) -> list[Ticket]:
    """`count` tickets routed to emea through the store's transitions (so counted), in every
    shard, with mixed priorities; created a minute apart."""
    made = []
    for index, ticket_id in enumerate(ids_in_every_shard(count)):
        at = T0 + timedelta(minutes=index)
        ticket = received_ticket(at, ticket_id=ticket_id)
        store.tickets.create(ticket)
        ready = translated(detected(ticket, at), at)
        store.tickets.save_transition(ticket, ready)
        after = routed(ready, at + seconds(5), "emea", PRIORITIES[index * 3 % len(PRIORITIES)])
        store.tickets.save_transition(ready, after, awaiting_notification=True)
        made.append(after)
    return made


def queue_order(tickets: list[Ticket]) -> list[str]:
    """The order one partition keeps: most urgent, then the earliest deadline (then the id)."""
    from chalicelib.domain.projections import work_list_sort_key

    return [ticket.ticket_id for ticket in sorted(tickets, key=work_list_sort_key)]


def test_a_work_list_over_shards_reads_in_urgency_order_and_keeps_its_limit(store: Dependencies):
    # Given twelve open tickets of mixed priority, three in each shard
    tickets = open_tickets(store, 12)
    expected = queue_order(tickets)

    # When the desk lists them, whole and the first five
    # Then the shards are merged into the one order: urgent first, then the earliest deadline
    assert store.work_lists.ticket_ids("emea", DeskState.OPEN, 50) == expected
    assert store.work_lists.ticket_ids("emea", DeskState.OPEN, 5) == expected[:5]
    assert [ticket.ticket_id for ticket in store.list_work("emea", DeskState.OPEN, 5)] == expected[:5]


def test_the_queue_ahead_counts_every_shard(store: Dependencies):
    # Given twelve open tickets over every shard
    tickets = open_tickets(store, 12)
    expected = queue_order(tickets)

    # Then each ticket has exactly those ahead of it in the one order, whatever shard they are in
    by_id = {ticket.ticket_id: ticket for ticket in tickets}
    assert [store.work_lists.open_ahead_of(by_id[ticket_id]) for ticket_id in expected] == list(range(12))


def test_claims_take_the_most_urgent_across_shards_and_never_twice(store: Dependencies):
    # Given eight open tickets over every shard
    tickets = open_tickets(store, 8)
    expected = queue_order(tickets)

    # When agents claim one after the other (they read no language of these tickets first)
    claimed = [store.claim_next("emea", f"agent-{turn}", ["th"]) for turn in range(9)]

    # Then each claim took the most urgent ticket still open, none twice, and the ninth found none
    assert [ticket.ticket_id for ticket in claimed[:8] if ticket is not None] == expected
    assert claimed[8] is None
    # And the claimed list holds them all, in the same order
    assert store.work_lists.ticket_ids("emea", DeskState.CLAIMED, 50) == expected
    assert store.work_lists.ticket_ids("emea", DeskState.OPEN, 50) == []


def test_the_metrics_add_up_over_shards(store: Dependencies):
    # Given twelve tickets routed to emea (each write's counters land in some shard)
    tickets = open_tickets(store, 12)

    # When four are resolved and two wait on their requester
    for ticket in tickets[:4]:
        store.tickets.save_desk_change(ticket, desk.resolve(ticket, "ana", T0 + timedelta(hours=1)))
    for ticket in tickets[4:6]:
        claimed = desk.claim(ticket, "ana", T0 + timedelta(hours=1))
        store.tickets.save_desk_change(ticket, claimed)
        store.tickets.save_desk_change(claimed, desk.wait_on_requester(claimed, "ana", T0 + timedelta(hours=2)))

    # Then the day reads as one aggregate per region and language, with every write counted once
    [row] = store.support_metrics.daily([T0.date().isoformat()], ["emea"])
    assert (row.region, row.language, row.count(m.CREATED), row.count(m.RESOLVED)) == ("emea", "es", 12, 4)
    # And the backlog gauges are the sums of their shards
    assert store.support_metrics.backlog(["emea"]) == [BacklogGauge("emea", "es", open=6, waiting=2, breached=0)]
