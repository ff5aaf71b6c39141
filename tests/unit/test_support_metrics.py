"""Support metrics as a projection of ticket transitions (domain/support_metrics.py), the report
built from the aggregates (domain/support_report.py), and the EMF lines (adapters/metrics.py)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb.support_metrics import (
    COUNTER_SHARDS,
    counter_update_items,
    stale_unless_transaction_holds,
    transact_with_counters,
)
from chalicelib.adapters.metrics import emit_support_metrics, support_metric_values
from chalicelib.domain import desk
from chalicelib.domain import support_metrics as m
from chalicelib.domain.repositories import StaleTicket
from chalicelib.domain.support_metrics import (
    BacklogGauge,
    CounterChange,
    CounterKey,
    DailyAggregate,
    grouped,
    metric_changes,
    percentile,
    satisfaction_changes,
)
from chalicelib.domain.support_report import MAX_DAYS, ReportPeriod, ReportPeriodError, build_report, report_period
from chalicelib.domain.ticket import Ticket
from tests.integration.builders import T0, detected, received_ticket, routed, translated

DAY = T0.date().isoformat()  # 2030-01-02
LATAM_ES = CounterKey("latam", "es")


def hours(count: float) -> timedelta:
    return timedelta(hours=count)


def on_desk(priority: str = "high") -> tuple[Ticket, Ticket]:
    """A ticket just before and just after routing (latam, Spanish; high: first response 24 h)."""
    before = translated(detected(received_ticket(T0), T0), T0)
    return before, routed(before, T0 + timedelta(seconds=30), "latam", priority)


def as_dict(changes: list[CounterChange]) -> dict[tuple[CounterKey, str], float]:
    return {(key, field): delta for key, fields in grouped(changes).items() for field, delta in fields.items()}


def day(moment: str | None = None) -> CounterKey:
    return CounterKey("latam", "es", moment or DAY)


# --- the projection --------------------------------------------------------------------------


def test_a_ticket_counts_as_created_when_it_reaches_its_desk_on_the_day_it_was_submitted():
    # Given a ticket submitted just before midnight and routed just after
    before = translated(detected(received_ticket(T0.replace(hour=23, minute=59, second=50)), T0), T0)
    after = routed(before, T0.replace(hour=23, minute=59, second=50) + timedelta(seconds=20), "latam")

    # When its routing is written
    changes = as_dict(metric_changes(before, after))

    # Then it is created on the day it was submitted, and open in its region and language's backlog
    assert changes == {(day(), m.CREATED): 1, (LATAM_ES, m.OPEN): 1}


def test_pipeline_steps_before_the_desk_and_later_translations_count_nothing():
    ticket = received_ticket(T0)
    now_detected = detected(ticket, T0)
    before, after = on_desk()

    # Then detecting, translating and a later revision of a routed ticket change no counter
    assert metric_changes(ticket, now_detected) == []
    assert metric_changes(now_detected, translated(now_detected, T0)) == []
    assert metric_changes(after, after.revise(T0 + hours(1), "translate_ticket")) == []
    # And a second routing write of the same ticket (a re-delivery) would count it again: what
    # stops it is the store's condition on the version, not the projection
    assert as_dict(metric_changes(before, after))[(day(), m.CREATED)] == 1


def test_a_claim_leaves_the_backlog_as_it_is():
    _, ticket = on_desk()
    assert metric_changes(ticket, desk.claim(ticket, "ana", T0 + hours(1))) == []


def test_waiting_on_the_requester_moves_the_ticket_from_open_to_waiting_and_back():
    _, ticket = on_desk()
    claimed = desk.claim(ticket, "ana", T0 + hours(1))

    # When ana waits on the requester, and the requester answers
    waiting = desk.wait_on_requester(claimed, "ana", T0 + hours(2))
    resumed = desk.on_requester_message(waiting, T0 + hours(3))
    assert resumed is not None

    # Then open -1 / waiting +1, and back
    assert as_dict(metric_changes(claimed, waiting)) == {(LATAM_ES, m.OPEN): -1, (LATAM_ES, m.WAITING): 1}
    assert as_dict(metric_changes(waiting, resumed)) == {(LATAM_ES, m.OPEN): 1, (LATAM_ES, m.WAITING): -1}


def test_a_first_response_in_time_counts_its_minutes_and_within_the_sla():
    _, ticket = on_desk()

    # When the first reply comes 90 minutes after submission (the target is 24 hours)
    answered = desk.record_first_response(ticket, "ana", T0 + timedelta(minutes=90))
    assert answered is not None
    changes = as_dict(metric_changes(ticket, answered))

    # Then the 60-120 minute bucket, the minutes and "within" count on the day of the reply
    assert changes == {
        (day(), "first_response_le_120"): 1,
        (day(), m.FIRST_RESPONSE_MINUTES): 90,
        (day(), m.FIRST_RESPONSE_WITHIN_SLA): 1,
    }


def test_a_late_first_response_counts_as_missed_on_the_day_it_came():
    _, ticket = on_desk()
    late = T0 + hours(30)

    answered = desk.record_first_response(ticket, "ana", late)
    assert answered is not None
    changes = as_dict(metric_changes(ticket, answered))

    next_day = day((T0 + hours(30)).date().isoformat())
    assert changes == {
        (next_day, "first_response_le_2880"): 1,
        (next_day, m.FIRST_RESPONSE_MINUTES): 1800,
        (next_day, m.FIRST_RESPONSE_MISSED_SLA): 1,
    }


def test_a_first_response_while_the_clock_is_paused_before_its_deadline_is_within():
    _, ticket = on_desk()
    waiting = desk.wait_on_requester(ticket, "ana", T0 + hours(1))

    # When the first reply comes long after the deadline would have been, had the clock run
    answered = desk.record_first_response(waiting, "ana", T0 + hours(40))
    assert answered is not None

    assert (
        as_dict(metric_changes(waiting, answered))[
            (day((T0 + hours(40)).date().isoformat()), m.FIRST_RESPONSE_WITHIN_SLA)
        ]
        == 1
    )


def test_resolving_counts_the_resolution_and_takes_the_ticket_out_of_the_state_it_left():
    _, ticket = on_desk()
    waiting = desk.wait_on_requester(desk.claim(ticket, "ana", T0 + hours(1)), "ana", T0 + hours(2))

    # When it is resolved from waiting, 6 hours after submission
    resolved = desk.resolve(waiting, "ana", T0 + hours(6))
    changes = as_dict(metric_changes(waiting, resolved))

    # Then resolved +1 with its minutes, and the waiting gauge -1
    assert changes == {
        (day(), m.RESOLVED): 1,
        (day(), "resolution_le_480"): 1,
        (day(), m.RESOLUTION_MINUTES): 360,
        (LATAM_ES, m.WAITING): -1,
    }


def test_a_reopened_ticket_is_back_in_the_open_backlog_and_a_second_resolution_counts_again():
    _, ticket = on_desk()
    resolved = desk.resolve(ticket, "ana", T0 + hours(1))

    reopened = desk.reopen(resolved, "requester", T0 + hours(2))
    again = desk.resolve(reopened, "ana", T0 + hours(3))

    assert as_dict(metric_changes(resolved, reopened)) == {(LATAM_ES, m.OPEN): 1}
    assert as_dict(metric_changes(reopened, again))[(day(), m.RESOLVED)] == 1


def test_escalation_past_a_deadline_counts_breached_once_until_it_is_resolved():
    _, ticket = on_desk()

    # When escalation reaches team lead (80% of the first-response target), then past the deadline
    lead = desk.escalate(ticket, T0 + hours(20))
    assert lead is not None and lead.desk is not None and lead.desk.escalation == "team_lead"
    manager = desk.escalate(lead, T0 + hours(25))
    assert manager is not None and manager.desk is not None and manager.desk.escalation == "region_manager"

    # Then only the second is a breach
    assert metric_changes(ticket, lead) == []
    assert as_dict(metric_changes(lead, manager)) == {(LATAM_ES, m.BREACHED): 1}
    # And it stays one breach through waiting, until resolved
    waiting = desk.wait_on_requester(manager, "ana", T0 + hours(26))
    assert as_dict(metric_changes(manager, waiting)) == {(LATAM_ES, m.OPEN): -1, (LATAM_ES, m.WAITING): 1}
    resolved = desk.resolve(waiting, "ana", T0 + hours(27))
    changes = as_dict(metric_changes(waiting, resolved))
    assert (changes[(LATAM_ES, m.WAITING)], changes[(LATAM_ES, m.BREACHED)]) == (-1, -1)


def test_a_ticket_stored_already_routed_counts_as_a_new_one():
    _, ticket = on_desk()
    assert as_dict(metric_changes(None, ticket)) == {(day(), m.CREATED): 1, (LATAM_ES, m.OPEN): 1}
    assert metric_changes(None, received_ticket(T0)) == []


# --- satisfaction ----------------------------------------------------------------------------


def test_a_satisfaction_answer_counts_on_the_day_answered_in_the_tickets_region_and_language():
    _, ticket = on_desk()
    answered_at = T0 + timedelta(days=2)
    key = day(answered_at.date().isoformat())

    assert as_dict(satisfaction_changes(ticket, 5, answered_at)) == {
        (key, m.CSAT_RESPONSES): 1,
        (key, m.CSAT_RATING_SUM): 5,
        (key, m.CSAT_SATISFIED): 1,
    }
    assert (key, m.CSAT_SATISFIED) not in as_dict(satisfaction_changes(ticket, 3, answered_at))


@pytest.mark.parametrize("rating", [0, 6, True])
def test_a_rating_outside_one_to_five_is_refused(rating: int):
    _, ticket = on_desk()
    with pytest.raises(ValueError):
        satisfaction_changes(ticket, rating, T0)


def test_a_ticket_never_routed_cannot_be_rated():
    with pytest.raises(ValueError):
        satisfaction_changes(received_ticket(T0), 4, T0)


# --- histograms and grouping -----------------------------------------------------------------


def counts(**buckets: float) -> list[float]:
    """A first-response histogram: counts by upper bound (le_60=10, le_inf=1)."""
    return m.histogram(
        {f"{m.FIRST_RESPONSE_BUCKET}{bound.removeprefix('le_')}": n for bound, n in buckets.items()},
        m.FIRST_RESPONSE_BUCKET,
    )


def test_percentiles_interpolate_within_the_bucket_holding_the_rank():
    # Given ten answers between 30 and 60 minutes
    histogram = counts(le_60=10)

    # Then the median lies halfway through the bucket, p90 nine tenths
    assert percentile(histogram, 0.5) == 45.0
    assert percentile(histogram, 0.9) == 57.0


def test_percentiles_walk_the_merged_buckets_and_the_overflow_answers_its_lower_bound():
    histogram = counts(le_5=5, le_60=4, le_inf=1)

    assert percentile(histogram, 0.5) == 5.0  # the rank falls at the end of the first bucket
    assert percentile(histogram, 0.9) == 60.0
    assert percentile(counts(le_inf=3), 0.5) == 43200.0
    assert percentile(counts(), 0.5) is None


def test_changes_are_grouped_per_item_and_field_and_zeros_dropped():
    key = day()
    changes = [
        CounterChange(key, m.CREATED, 1),
        CounterChange(key, m.CREATED, 1),
        CounterChange(LATAM_ES, m.OPEN, 1),
        CounterChange(LATAM_ES, m.OPEN, -1),
    ]
    assert grouped(changes) == {key: {m.CREATED: 2}}


# --- the report ------------------------------------------------------------------------------


def aggregate(region: str, language: str, when: str = DAY, **counters: float) -> DailyAggregate:
    return DailyAggregate(when, region, language, counters)


def test_the_report_sums_totals_and_breaks_them_down_by_region_and_language():
    period = ReportPeriod(date(2030, 1, 1), date(2030, 1, 2))
    daily = [
        aggregate(
            "latam",
            "es",
            created=3,
            resolved=1,
            first_response_within_sla=2,
            first_response_missed_sla=1,
            first_response_le_60=3,
            csat_responses=2,
            csat_rating_sum=9,
            csat_satisfied=2,
        ),
        aggregate(
            "na",
            "en",
            "2030-01-01",
            created=1,
            first_response_le_5=1,
            first_response_within_sla=1,
            csat_responses=1,
            csat_rating_sum=2,
        ),
        aggregate("na", "en", "2029-12-31", created=100),  # outside the period
        aggregate("emea", "de", created=7),  # a region not asked for
    ]
    backlog = [BacklogGauge("latam", "es", open=2, waiting=1, breached=1), BacklogGauge("na", "en", open=1)]

    report = build_report(period, ("na", "latam"), None, daily, backlog)

    totals = report.totals
    assert (totals.created, totals.resolved, totals.deflected) == (4, 1, 0)
    assert totals.first_responses == 4 and totals.first_response_within_sla_percent == 75.0
    assert totals.first_response_p50_minutes == 40.0  # rank 2 of 4: a third into the 30-60 bucket
    assert (totals.backlog_open, totals.backlog_waiting, totals.backlog_breached) == (3, 1, 1)
    assert (totals.csat_responses, totals.csat_average, totals.csat_satisfied_percent) == (3, 3.67, 66.7)
    assert set(report.by_region) == {"na", "latam"} and set(report.by_language) == {"en", "es"}
    assert report.by_region["latam"].created == 3 and report.by_language["en"].created == 1
    assert report.by_region["na"].resolution_p50_minutes is None


def test_a_language_filter_keeps_only_that_language():
    period = ReportPeriod(date(2030, 1, 2), date(2030, 1, 2))
    daily = [aggregate("latam", "es", created=3), aggregate("latam", "pt", created=2)]

    report = build_report(period, ("latam",), "pt", daily, [BacklogGauge("latam", "es", open=4)])

    assert report.totals.created == 2 and report.totals.backlog_open == 0
    assert list(report.by_language) == ["pt"]


def test_the_period_defaults_to_the_last_seven_days_and_refuses_backwards_or_over_92_days():
    today = date(2030, 1, 10)
    assert report_period(None, None, today) == ReportPeriod(date(2030, 1, 4), today)
    assert report_period(date(2030, 1, 1), None, today) == ReportPeriod(date(2030, 1, 1), date(2030, 1, 7))
    assert len(report_period(date(2030, 1, 1), date(2030, 1, 1) + timedelta(days=MAX_DAYS - 1), today).days()) == 92
    with pytest.raises(ReportPeriodError) as backwards:
        report_period(date(2030, 1, 5), date(2030, 1, 4), today)
    with pytest.raises(ReportPeriodError) as too_long:
        report_period(date(2030, 1, 1), date(2030, 1, 1) + timedelta(days=MAX_DAYS), today)
    assert (backwards.value.field, too_long.value.field) == ("from", "to")


# --- EMF -------------------------------------------------------------------------------------


def test_the_event_counters_become_emf_values_per_region_and_language():
    _, ticket = on_desk()
    answered = desk.record_first_response(ticket, "ana", T0 + timedelta(minutes=90))
    assert answered is not None
    changes = metric_changes(None, ticket) + metric_changes(ticket, answered) + satisfaction_changes(ticket, 4, T0)

    assert support_metric_values(changes) == {
        ("latam", "es"): [
            ("TicketsCreated", 1),
            ("FirstResponseMinutes", 90),
            ("FirstResponseWithinSla", 1.0),
            ("CsatRating", 4),
        ]
    }


def test_emitted_lines_carry_only_the_region_and_language_dimensions(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "polyglot-desk")
    key = day()

    emit_support_metrics([CounterChange(key, m.RESOLVED, 1), CounterChange(key, m.RESOLUTION_MINUTES, 360)])

    line = json.loads(capsys.readouterr().out.strip())
    assert line["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Region", "Language"], ["Region"]]
    assert (line["Region"], line["Language"], "service" in line) == ("latam", "es", False)
    assert (line["TicketsResolved"], line["ResolutionMinutes"]) == ([1.0], [360.0])


# --- the DynamoDB transaction's failures -----------------------------------------------------


class CancellingDb:
    """A DynamoDB client whose transactions are cancelled with `reasons`, `times` times."""

    def __init__(self, reasons: list[str], times: int) -> None:
        self.reasons, self.times, self.calls = reasons, times, 0

    def transact_write_items(self, TransactItems: list[dict]) -> dict:
        self.calls += 1
        if self.calls <= self.times:
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                    "CancellationReasons": [{"Code": code} for code in self.reasons],
                },
                "TransactWriteItems",
            )
        return {}


CHANGES = [CounterChange(day(), m.CREATED, 1), CounterChange(LATAM_ES, m.OPEN, 1)]
PUT = {"Put": {"TableName": "t", "Item": {}}}


def test_a_transaction_that_met_another_on_a_counter_is_tried_again():
    # Given a transaction cancelled twice because another one updated the same aggregate
    db = CancellingDb(["None", "TransactionConflict", "None"], times=2)

    # When the ticket is written with its counters
    transact_with_counters(db, "t", [PUT], CHANGES)

    # Then the third attempt went through
    assert db.calls == 3


def test_a_failed_ticket_condition_is_stale_and_not_tried_again():
    db = CancellingDb(["ConditionalCheckFailed", "None", "None"], times=1)

    with pytest.raises(StaleTicket), stale_unless_transaction_holds("ticket-1"):
        transact_with_counters(db, "t", [PUT], CHANGES)
    assert db.calls == 1


def test_a_counter_update_is_one_add_per_item():
    updates = counter_update_items("t", [*CHANGES, CounterChange(day(), m.CREATED, 1)], shard=0)

    assert [update["Update"]["Key"]["pk"]["S"] for update in updates] == ["METRICS#BACKLOG", f"METRICS#{DAY}"]
    day_update = updates[1]["Update"]
    assert day_update["UpdateExpression"].endswith("ADD #c0 :c0")
    assert (day_update["ExpressionAttributeNames"]["#c0"], day_update["ExpressionAttributeValues"][":c0"]) == (
        m.CREATED,
        {"N": "2"},
    )


def test_a_transaction_adds_its_counters_to_one_shard_and_shard_zero_keeps_the_old_spelling():
    # Given the changes of one ticket write
    # When they are spelled for shard 2, then for shard 0
    in_two = counter_update_items("t", CHANGES, shard=2)
    in_zero = counter_update_items("t", CHANGES, shard=0)

    # Then every aggregate of the write is in shard 2's partitions
    assert [update["Update"]["Key"]["pk"]["S"] for update in in_two] == ["METRICS#BACKLOG#2", f"METRICS#{DAY}#2"]
    # and shard 0 is spelled as the items written before the counters were sharded
    assert [update["Update"]["Key"]["pk"]["S"] for update in in_zero] == ["METRICS#BACKLOG", f"METRICS#{DAY}"]
    assert {update["Update"]["Key"]["sk"]["S"] for update in in_two} == {"latam#es"}


def test_without_a_shard_named_the_writes_spread_over_every_shard():
    # Given many writes that name no shard
    partitions = {
        counter_update_items("t", [CounterChange(day(), m.CREATED, 1)])[0]["Update"]["Key"]["pk"]["S"]
        for _ in range(200)
    }

    # Then every shard of the day's aggregate took some (4 shards, 200 draws: never one missed in practice)
    assert partitions == {f"METRICS#{DAY}", *(f"METRICS#{DAY}#{shard}" for shard in range(1, COUNTER_SHARDS))}
