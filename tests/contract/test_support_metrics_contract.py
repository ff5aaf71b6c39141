"""The support metrics' aggregates, kept by the ticket writes, on both stores: counted with the
ticket's conditional write, so exactly once, and read back per day, region and language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.adapters.aws import client
from chalicelib.adapters.dynamodb.support_metrics import counter_update_items
from chalicelib.adapters.in_memory import InMemorySupportMetrics
from chalicelib.composition_root import Dependencies
from chalicelib.domain import desk
from chalicelib.domain import support_metrics as m
from chalicelib.domain.repositories import StaleTicket
from chalicelib.domain.support_metrics import BacklogGauge, CounterChange, satisfaction_changes
from chalicelib.domain.ticket import Ticket
from tests.integration.builders import T0, detected, received_ticket, routed, translated

DAY = T0.date().isoformat()
NEXT_DAY = (T0 + timedelta(days=1)).date().isoformat()


def hours(count: float) -> timedelta:
    return timedelta(hours=count)


def route_one(store: Dependencies, region: str = "latam", at=T0) -> Ticket:
    """A ticket submitted at `at` and carried to `region`'s desk through the store's transitions."""
    ticket = received_ticket(at)
    store.tickets.create(ticket)
    ready = translated(detected(ticket, at), at)
    store.tickets.save_transition(ticket, ready)
    after = routed(ready, at + timedelta(seconds=5), region)
    store.tickets.save_transition(ready, after, awaiting_notification=True)
    return after


def counters(store: Dependencies, day: str = DAY, region: str = "latam") -> dict[str, float]:
    rows = [row for row in store.support_metrics.daily([day], [region]) if row.language == "es"]
    assert len(rows) <= 1
    return dict(rows[0].counters) if rows else {}


def backlog(store: Dependencies, region: str = "latam") -> BacklogGauge | None:
    found = [gauge for gauge in store.support_metrics.backlog([region]) if gauge.language == "es"]
    return found[0] if found else None


def test_a_routed_ticket_is_created_and_open_in_its_region_and_language(store: Dependencies):
    # When a ticket reaches the latam desk
    route_one(store)

    # Then the day counts it created, and the backlog open
    assert counters(store) == {m.CREATED: 1}
    assert backlog(store) == BacklogGauge("latam", "es", open=1, waiting=0, breached=0)


def test_the_same_transition_written_twice_counts_once(store: Dependencies):
    # Given a ticket ready for routing
    ticket = received_ticket(T0)
    store.tickets.create(ticket)
    ready = translated(detected(ticket, T0), T0)
    store.tickets.save_transition(ticket, ready)
    after = routed(ready, T0, "latam")
    store.tickets.save_transition(ready, after, awaiting_notification=True)

    # When a re-delivered message routes it again from what it read before
    with pytest.raises(StaleTicket):
        store.tickets.save_transition(ready, routed(ready, T0 + timedelta(seconds=9), "latam"))

    # Then it was counted once
    assert counters(store) == {m.CREATED: 1}
    assert backlog(store) == BacklogGauge("latam", "es", open=1)


def test_a_desk_change_that_lost_its_race_counts_nothing(store: Dependencies):
    ticket = route_one(store)
    # Given ana resolved the ticket first
    store.tickets.save_desk_change(ticket, desk.resolve(ticket, "ana", T0 + hours(1)))

    # When bob, who read it open, sets it waiting
    with pytest.raises(StaleTicket):
        store.tickets.save_desk_change(ticket, desk.wait_on_requester(ticket, "bob", T0 + hours(1)))

    # Then only ana's resolution counts
    assert counters(store)[m.RESOLVED] == 1
    assert backlog(store) == BacklogGauge("latam", "es", open=0, waiting=0, breached=0)


def test_a_ticket_through_the_desk_keeps_the_counters_and_gauges(store: Dependencies):
    ticket = route_one(store)
    claimed = desk.claim(ticket, "ana", T0 + hours(1))
    store.tickets.save_desk_change(ticket, claimed)
    answered = desk.record_first_response(claimed, "ana", T0 + timedelta(minutes=90))
    assert answered is not None
    store.tickets.save_desk_change(claimed, answered)
    waiting = desk.wait_on_requester(answered, "ana", T0 + hours(2))
    store.tickets.save_desk_change(answered, waiting)
    assert backlog(store) == BacklogGauge("latam", "es", open=0, waiting=1)

    # When it is resolved the next day
    resolved = desk.resolve(waiting, "ana", T0 + hours(24))
    store.tickets.save_desk_change(waiting, resolved)

    # Then each event counts on its day, and the backlog is empty
    assert counters(store) == {
        m.CREATED: 1,
        "first_response_le_120": 1,
        m.FIRST_RESPONSE_MINUTES: 90,
        m.FIRST_RESPONSE_WITHIN_SLA: 1,
    }
    assert counters(store, NEXT_DAY) == {m.RESOLVED: 1, "resolution_le_1440": 1, m.RESOLUTION_MINUTES: 1440}
    assert backlog(store) == BacklogGauge("latam", "es", open=0, waiting=0, breached=0)


def test_a_breach_counts_with_the_escalation_write(store: Dependencies):
    ticket = route_one(store)
    escalated = desk.escalate(ticket, T0 + hours(25))  # past the 24 h first-response deadline
    assert escalated is not None

    store.tickets.save_desk_change(ticket, escalated)

    assert backlog(store) == BacklogGauge("latam", "es", open=1, waiting=0, breached=1)


def test_minutes_add_up_the_same_on_both_stores(store: Dependencies):
    for offset in (0, 1):
        ticket = route_one(store, at=T0 + timedelta(minutes=offset))
        answered = desk.record_first_response(ticket, "ana", T0 + timedelta(minutes=offset, seconds=12.345))
        assert answered is not None
        store.tickets.save_desk_change(ticket, answered)

    assert counters(store)[m.FIRST_RESPONSE_MINUTES] == pytest.approx(0.206 * 2, abs=1e-9)
    assert counters(store)[m.FIRST_RESPONSE_WITHIN_SLA] == 2


def test_daily_reads_the_days_and_regions_asked_for_and_backlog_the_regions(store: Dependencies):
    route_one(store, "latam")
    route_one(store, "na", T0 + timedelta(days=1))
    route_one(store, "emea", T0 + timedelta(days=5))

    rows = store.support_metrics.daily([DAY, NEXT_DAY], ["latam", "na"])

    assert sorted((row.day, row.region, row.language, row.count(m.CREATED)) for row in rows) == [
        (DAY, "latam", "es", 1),
        (NEXT_DAY, "na", "es", 1),
    ]
    assert {gauge.region for gauge in store.support_metrics.backlog(["na", "emea"])} == {"na", "emea"}
    assert store.support_metrics.daily([DAY], ["apac"]) == []


def test_a_deflection_counts_on_its_day(store: Dependencies):
    store.support_metrics.record_deflection("latam", "es", T0)
    store.support_metrics.record_deflection("latam", "es", T0 + hours(1))

    assert counters(store) == {m.DEFLECTED: 2}


def test_satisfaction_answers_count_through_each_stores_atomic_path(store: Dependencies):
    ticket = route_one(store)
    changes: list[CounterChange] = satisfaction_changes(ticket, 5, T0) + satisfaction_changes(ticket, 2, T0)

    # When a CSAT writer adds the changes with its own write (here: alone)
    if isinstance(store.support_metrics, InMemorySupportMetrics):
        store.support_metrics.apply(changes)
    else:
        client("dynamodb").transact_write_items(TransactItems=counter_update_items(store.settings.table_name, changes))

    # Then responses, rating sum and satisfied answers add up
    assert {field: value for field, value in counters(store).items() if field.startswith("csat")} == {
        m.CSAT_RESPONSES: 2,
        m.CSAT_RATING_SUM: 7,
        m.CSAT_SATISFIED: 1,
    }
