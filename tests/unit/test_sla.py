"""The SLA clock: policies per region, deadlines, pauses, warning, escalation levels and the ETA."""

from __future__ import annotations

import copy
import math
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.business_calendar import BusinessCalendar, region_calendars
from chalicelib.domain.catalog import load
from chalicelib.domain.sla import (
    ALWAYS_OPEN,
    ETA_MIN_SAMPLES,
    EscalationLevel,
    Pause,
    PriorityTargets,
    SlaClock,
    SlaPolicyError,
    SlaTarget,
    eta_window,
    level_for,
    next_escalation_at,
    percentile,
    policies_from_data,
    policy_for,
)

REGIONS = {"na", "latam", "emea", "apac", "global"}
PRIORITIES = ["urgent", "high", "normal", "low"]
NEW_YORK = ZoneInfo("America/New_York")
DUBLIN = ZoneInfo("Europe/Dublin")
SINGAPORE = ZoneInfo("Asia/Singapore")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, tz: ZoneInfo | None = None) -> datetime:
    """A fixed aware moment: local wall time in `tz` (UTC when not given)."""
    return datetime(year, month, day, hour, minute, tzinfo=tz or UTC)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


# A plain office: Monday to Friday 09:00-17:00 UTC, 8 hours a day, no holidays.
OFFICE = BusinessCalendar.from_record(
    "office",
    {"time_zone": "UTC", "opening_hours": {day: [["09:00", "17:00"]] for day in ["mon", "tue", "wed", "thu", "fri"]}},
)
MONDAY_9 = at(2026, 2, 9, 9)  # a Monday
DEFAULT_LEVELS = policy_for("na").escalation_levels


def office_clock(
    *pauses: Pause, first_responded_at: datetime | None = None, created_at: datetime = MONDAY_9
) -> SlaClock:
    """First response within 8 office hours (one working day), resolution within 16."""
    return SlaClock(
        created_at=created_at,
        targets=PriorityTargets("normal", first_response=hours(8), resolution=hours(16), business_hours=True),
        calendar=OFFICE,
        pauses=pauses,
        warning_fraction=0.8,
        escalation_levels=DEFAULT_LEVELS,
        first_responded_at=first_responded_at,
    )


def policy_document(**region_overrides: dict[str, Any]) -> dict[str, Any]:
    """The shipped policy document with some regions overridden."""
    document = copy.deepcopy(load("sla_policies.json"))
    document["regions"].update(region_overrides)
    return document


# --- data files ---------------------------------------------------------------------------


def test_every_region_has_a_policy_and_a_calendar():
    # Given the data files
    # Then policies, calendars and the routing table know the same regions
    assert set(load("sla_policies.json")["regions"]) == REGIONS
    assert set(load("business_hours.json")["regions"]) == REGIONS
    assert set(load("routing.json")["regions"]) == REGIONS
    for region in REGIONS:
        assert policy_for(region).calendar.name == region


def test_every_priority_level_has_targets_in_every_region():
    # Given the priorities the priority rules can produce
    levels = set(load("priority_rules.json")["levels"])
    assert set(load("sla_policies.json")["priorities"]) == levels
    # Then every region has targets for each
    for region in REGIONS:
        assert set(policy_for(region).targets) == levels


@pytest.mark.parametrize(
    ("priority", "first_response", "resolution", "business_hours"),
    [
        ("urgent", hours(4), timedelta(days=1), False),
        ("high", hours(24), timedelta(days=3), True),
        ("normal", hours(48), timedelta(days=5), True),
        ("low", hours(72), timedelta(days=7), True),
    ],
)
def test_the_default_targets_are_the_issues(
    priority: str, first_response: timedelta, resolution: timedelta, business_hours: bool
):
    targets = policy_for("na").targets_for(priority)
    assert (targets.first_response, targets.resolution, targets.business_hours) == (
        first_response,
        resolution,
        business_hours,
    )


def test_escalation_goes_from_agent_to_team_lead_to_region_manager():
    for region in REGIONS:
        levels = policy_for(region).escalation_levels
        assert [level.name for level in levels] == ["agent", "team_lead", "region_manager"]
        assert [level.rank for level in levels] == [0, 1, 2]
        assert policy_for(region).warning_fraction == 0.8


def test_an_unknown_region_or_priority_is_an_error():
    with pytest.raises(KeyError, match="mars"):
        policy_for("mars")
    with pytest.raises(KeyError, match="critical"):
        policy_for("na").targets_for("critical")


# --- region overrides and broken documents ------------------------------------------------------


def test_a_region_overrides_only_what_differs():
    # Given EMEA promising high-priority first responses in 8 hours, on the APAC calendar
    document = policy_document(emea={"targets": {"high": {"first_response_hours": 8}}, "calendar": "apac"})

    # When the policies are built
    policies = policies_from_data(document, region_calendars())

    # Then EMEA's high target changes and keeps the rest, other regions keep the default
    high = policies["emea"].targets_for("high")
    assert (high.first_response, high.resolution, high.business_hours) == (hours(8), timedelta(days=3), True)
    assert policies["emea"].calendar.name == "apac"
    assert policies["na"].targets_for("high").first_response == hours(24)


def test_a_region_can_replace_its_escalation_levels_and_warning():
    document = policy_document(
        apac={
            "warning_fraction": 0.5,
            "escalation_levels": [
                {"name": "agent", "elapsed_fraction": 0},
                {"name": "duty_manager", "overdue_hours": 1},
            ],
        }
    )
    apac = policies_from_data(document, region_calendars())["apac"]
    assert apac.warning_fraction == 0.5
    assert [level.name for level in apac.escalation_levels] == ["agent", "duty_manager"]
    assert apac.escalation_levels[1].overdue == hours(1)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"targets": {"critical": {"first_response_hours": 1}}}, "unknown priorities"),
        ({"targets": {"high": {"first_response_hours": 0}}}, "positive"),
        ({"warning_fraction": 1.5}, "warning_fraction"),
        ({"calendar": "moon"}, "no business calendar"),
        ({"escalation_levels": [{"name": "team_lead", "elapsed_fraction": 0.8}]}, "first escalation level"),
        ({"escalation_levels": [{"name": "agent", "elapsed_fraction": 0, "overdue_hours": 1}]}, "exactly one"),
        (
            {"escalation_levels": [{"name": "agent", "elapsed_fraction": 0}, {"name": "agent", "overdue_hours": 1}]},
            "unique",
        ),
    ],
    ids=["unknown-priority", "zero-target", "warning", "calendar", "first-level", "two-rules", "duplicate-name"],
)
def test_broken_policy_documents_are_refused(override: dict[str, Any], message: str):
    with pytest.raises(SlaPolicyError, match=message):
        policies_from_data(policy_document(latam=override), region_calendars())


def test_a_priority_missing_from_the_default_is_refused():
    document = policy_document()
    del document["default"]["targets"]["low"]
    with pytest.raises(SlaPolicyError, match="low: missing"):
        policies_from_data(document, region_calendars())


# --- deadlines per priority -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("priority", "first_response", "resolution"),
    [
        ("urgent", hours(4), timedelta(days=1)),
        ("high", hours(24), timedelta(days=3)),
        ("normal", hours(48), timedelta(days=5)),
        ("low", hours(72), timedelta(days=7)),
    ],
)
def test_the_global_desk_counts_every_priority_around_the_clock(
    priority: str, first_response: timedelta, resolution: timedelta
):
    # Given a ticket at the global (24x7) desk, created on a Saturday night
    created = at(2026, 3, 7, 23, 30)

    # When its clock starts
    clock = policy_for("global").clock(priority, created)

    # Then the deadlines are plain distances from creation
    assert clock.first_response_due == created + first_response
    assert clock.resolution_due == created + resolution


def test_urgent_tickets_run_24x7_even_at_a_business_hours_desk():
    # Given an urgent ticket at the NA desk on a Saturday
    clock = policy_for("na").clock("urgent", at(2026, 3, 7, 10, tz=NEW_YORK))
    # Then it is due 4 hours later, weekend or not
    assert clock.calendar is ALWAYS_OPEN
    assert clock.first_response_due == at(2026, 3, 7, 14, tz=NEW_YORK)
    # And resolved within 24 real hours: Sunday 11:00 EDT on the wall clock, the clocks having
    # sprung forward (aware arithmetic in a ZoneInfo zone is wall-clock, so count in UTC)
    assert clock.resolution_due == at(2026, 3, 7, 15) + hours(24) == at(2026, 3, 8, 11, tz=NEW_YORK)


def test_high_priority_at_na_counts_business_hours_across_the_spring_change():
    # Given a high ticket at the NA desk (08:00-20:00 New York) on Friday 2026-03-06 17:00 EST
    clock = policy_for("na").clock("high", at(2026, 3, 6, 17, tz=NEW_YORK))

    # Then 24 business hours are 3 on Friday, 12 on Monday and 9 on Tuesday (now EDT)
    assert clock.first_response_due == at(2026, 3, 10, 17, tz=NEW_YORK)
    assert clock.first_response_due == at(2026, 3, 10, 21)
    # And the resolution's 72 business hours end the following Monday at 17:00 EDT
    assert clock.resolution_due == at(2026, 3, 16, 17, tz=NEW_YORK)


def test_normal_priority_at_emea_skips_the_weekend():
    # Given a normal ticket at the EMEA desk (08:00-18:00 Dublin) on Wednesday 09:00
    clock = policy_for("emea").clock("normal", at(2026, 2, 11, 9, tz=DUBLIN))
    # Then 48 business hours: Wed 9, Thu 10, Fri 10, Mon 10, Tue 9 -> Tuesday 17:00
    assert clock.first_response_due == at(2026, 2, 17, 17, tz=DUBLIN)


def test_low_priority_at_apac_skips_chinese_new_year():
    # Given a low ticket at the APAC desk (8 business hours a day) on Monday 2026-02-09 09:00
    clock = policy_for("apac").clock("low", at(2026, 2, 9, 9, tz=SINGAPORE))
    # Then 72 business hours are 9 working days; 17 and 18 February are holidays
    assert clock.first_response_due == at(2026, 2, 23, 18, tz=SINGAPORE)


def test_deadlines_are_utc_whatever_the_input_zone():
    clock = policy_for("latam").clock("high", at(2026, 2, 11, 9, tz=ZoneInfo("America/Mexico_City")))
    assert clock.first_response_due is not None
    assert clock.first_response_due.tzinfo is UTC


# --- pauses (waiting on the requester) ------------------------------------------------------------


def test_without_pauses_the_office_clock_is_due_after_one_working_day():
    clock = office_clock()
    assert clock.first_response_due == at(2026, 2, 9, 17)
    assert clock.resolution_due == at(2026, 2, 10, 17)
    assert not clock.is_paused


def test_a_closed_pause_moves_the_deadlines_by_the_business_time_it_covered():
    # Given the ticket waited on the requester from 10:00 to 12:00 on Monday
    clock = office_clock(Pause(at(2026, 2, 9, 10), at(2026, 2, 9, 12)))
    # Then both deadlines move 2 business hours later
    assert clock.first_response_due == at(2026, 2, 10, 11)
    assert clock.resolution_due == at(2026, 2, 11, 11)


def test_a_pause_overnight_counts_only_its_business_hours():
    # Given a pause from Monday 16:00 to Tuesday 10:00: 1 business hour each side of the night
    clock = office_clock(Pause(at(2026, 2, 9, 16), at(2026, 2, 10, 10)))
    # Then the first response moves 2 hours, to Tuesday 11:00
    assert clock.first_response_due == at(2026, 2, 10, 11)


def test_a_pause_over_the_weekend_moves_nothing():
    # Given a ticket created on Friday 09:00 and a pause that covers only Saturday and Sunday
    friday = at(2026, 2, 13, 9)
    clock = office_clock(Pause(at(2026, 2, 14, 10), at(2026, 2, 15, 20)), created_at=friday)
    # Then the resolution is due on Monday 17:00 as without the pause
    assert clock.resolution_due == office_clock(created_at=friday).resolution_due == at(2026, 2, 16, 17)


def test_a_pause_after_a_missed_deadline_does_not_rescue_it():
    # Given a first response missed on Monday 17:00 and a pause on Tuesday 10:00-12:00
    clock = office_clock(Pause(at(2026, 2, 10, 10), at(2026, 2, 10, 12)))
    # Then the first response stays due Monday 17:00, the resolution moves by 2 hours
    assert clock.first_response_due == at(2026, 2, 9, 17)
    assert clock.resolution_due == at(2026, 2, 11, 11)


def test_overlapping_pauses_are_not_counted_twice():
    clock = office_clock(
        Pause(at(2026, 2, 9, 11), at(2026, 2, 9, 13)),
        Pause(at(2026, 2, 9, 10), at(2026, 2, 9, 12)),
    )
    # 10:00-13:00 is 3 hours paused, whatever the order the pauses are given in
    assert clock.first_response_due == at(2026, 2, 10, 12)


def test_a_pause_from_before_the_ticket_existed_is_clipped_to_its_creation():
    clock = office_clock(Pause(at(2026, 2, 9, 8), at(2026, 2, 9, 10)))
    assert clock.first_response_due == at(2026, 2, 10, 10)


def test_an_open_pause_stops_the_clock_and_no_deadline_runs():
    # Given the ticket waits on the requester since Monday 12:00 and has not heard back
    clock = office_clock(Pause(at(2026, 2, 9, 12)))

    # Then it is paused: no deadline, no warning
    assert clock.is_paused
    assert clock.first_response_due is None
    assert clock.resolution_due is None
    assert clock.warning_at(SlaTarget.FIRST_RESPONSE) is None
    # And its running time froze at the 3 hours before the pause
    assert clock.running_time(at(2026, 2, 20, 12)) == hours(3)


def test_an_open_pause_keeps_a_deadline_missed_before_it_began():
    # Given a first response missed on Monday 17:00, and a pause open since Tuesday 10:00
    clock = office_clock(Pause(at(2026, 2, 10, 10)))
    # Then the missed deadline is still reported; the resolution clock is paused
    assert clock.first_response_due == at(2026, 2, 9, 17)
    assert clock.resolution_due is None


def test_resuming_a_pause_restarts_the_clock_with_the_paused_time_added():
    # Given the same pause, open since Monday 12:00, answered by the requester on Tuesday 12:00
    clock = office_clock(Pause(at(2026, 2, 9, 12), at(2026, 2, 10, 12)))
    # Then 8 business hours were paused (5 on Monday, 3 on Tuesday): due Tuesday 17:00
    assert not clock.is_paused
    assert clock.first_response_due == at(2026, 2, 10, 17)


def test_later_pauses_inside_an_open_pause_change_nothing():
    clock = office_clock(Pause(at(2026, 2, 9, 12)), Pause(at(2026, 2, 9, 14), at(2026, 2, 9, 15)))
    assert clock.is_paused
    assert clock.running_time(at(2026, 2, 9, 16)) == hours(3)


def test_an_open_and_a_closed_pause_starting_together_leave_the_ticket_paused():
    clock = office_clock(Pause(at(2026, 2, 9, 12), at(2026, 2, 9, 13)), Pause(at(2026, 2, 9, 12)))
    assert clock.is_paused
    assert clock.first_response_due is None


def test_broken_pauses_are_refused():
    with pytest.raises(ValueError, match="cannot end before"):
        Pause(at(2026, 2, 9, 12), at(2026, 2, 9, 11))
    with pytest.raises(ValueError, match="timezone-aware"):
        Pause(datetime(2026, 2, 9, 12))


def test_an_urgent_pause_counts_every_hour():
    # Given an urgent (24x7) ticket paused for 10 hours overnight
    created = at(2026, 2, 9, 20)
    clock = policy_for("emea").clock("urgent", created, pauses=[Pause(at(2026, 2, 9, 21), at(2026, 2, 10, 7))])
    # Then its first response moves 10 hours later
    assert clock.first_response_due == created + hours(4) + hours(10)


# --- the 80% warning ----------------------------------------------------------------------------------


def test_the_warning_comes_when_80_percent_of_a_24x7_target_has_run():
    created = at(2026, 3, 7, 10)
    clock = policy_for("na").clock("urgent", created)
    assert clock.warning_at(SlaTarget.FIRST_RESPONSE) == created + timedelta(hours=3, minutes=12)
    assert clock.warning_at(SlaTarget.RESOLUTION) == created + timedelta(hours=19, minutes=12)


def test_the_warning_counts_business_time():
    # Given the NA high ticket of Friday 2026-03-06 17:00 EST (24 business hours)
    clock = policy_for("na").clock("high", at(2026, 3, 6, 17, tz=NEW_YORK))
    # Then 19.2 business hours: 3 Friday, 12 Monday, 4.2 Tuesday -> Tuesday 12:12 EDT
    assert clock.warning_at(SlaTarget.FIRST_RESPONSE) == at(2026, 3, 10, 12, 12, tz=NEW_YORK)


def test_the_warning_moves_with_a_pause():
    # 80% of 8 office hours is 6:24; a 1-hour pause at 10:00 moves it to 16:24
    clock = office_clock(Pause(at(2026, 2, 9, 10), at(2026, 2, 9, 11)))
    assert clock.warning_at(SlaTarget.FIRST_RESPONSE) == at(2026, 2, 9, 16, 24)


def test_elapsed_fraction_and_overdue_follow_the_running_time():
    clock = office_clock()
    assert clock.elapsed_fraction(at(2026, 2, 9, 13), SlaTarget.FIRST_RESPONSE) == 0.5
    assert clock.overdue_by(at(2026, 2, 9, 13), SlaTarget.FIRST_RESPONSE) == -hours(4)
    assert clock.overdue_by(at(2026, 2, 10, 10), SlaTarget.FIRST_RESPONSE) == hours(1)
    assert clock.running_time(at(2026, 2, 9, 8)) == timedelta(0)


# --- escalation -----------------------------------------------------------------------------------------

URGENT_CREATED = at(2026, 3, 7, 10)  # a Saturday: the urgent clock does not care


def urgent_clock(*pauses: Pause, first_responded_at: datetime | None = None) -> SlaClock:
    return policy_for("na").clock("urgent", URGENT_CREATED, pauses=pauses, first_responded_at=first_responded_at)


@pytest.mark.parametrize(
    ("after", "level"),
    [
        (timedelta(0), "agent"),
        (timedelta(hours=3, minutes=11), "agent"),
        (timedelta(hours=3, minutes=12), "team_lead"),
        (timedelta(hours=3, minutes=59), "team_lead"),
        (timedelta(hours=4), "region_manager"),
        (timedelta(days=3), "region_manager"),
    ],
)
def test_an_unanswered_urgent_ticket_escalates_at_80_percent_and_at_the_deadline(after: timedelta, level: str):
    # Given an urgent ticket (first response within 4 hours) nobody has answered
    # When `after` has passed
    # Then the team lead owns it from the 80% warning and the region manager from the deadline
    assert level_for(URGENT_CREATED + after, urgent_clock()).name == level


def test_the_next_escalation_moment_is_the_warning_then_the_deadline_then_none():
    clock = urgent_clock()
    assert next_escalation_at(URGENT_CREATED, clock) == URGENT_CREATED + timedelta(hours=3, minutes=12)
    assert next_escalation_at(URGENT_CREATED + timedelta(hours=3, minutes=12), clock) == URGENT_CREATED + hours(4)
    assert next_escalation_at(URGENT_CREATED + hours(4), clock) is None


def test_a_paused_ticket_does_not_escalate():
    # Given an urgent ticket waiting on the requester since 2 hours after creation
    clock = urgent_clock(Pause(URGENT_CREATED + hours(2)))
    # Then days later it is still the agent's, and no escalation is scheduled
    assert level_for(URGENT_CREATED + timedelta(days=2), clock).name == "agent"
    assert next_escalation_at(URGENT_CREATED + timedelta(days=2), clock) is None


def test_after_the_first_response_only_the_resolution_deadline_escalates():
    # Given an urgent ticket answered late, 5 hours after creation
    clock = urgent_clock(first_responded_at=URGENT_CREATED + hours(5))
    # Then at 6 hours it is back with the agent (6 of 24 resolution hours used)
    assert level_for(URGENT_CREATED + hours(6), clock).name == "agent"
    # And the resolution deadline escalates it: 80% at 19:12, region manager at 24 hours
    assert next_escalation_at(URGENT_CREATED + hours(6), clock) == URGENT_CREATED + timedelta(hours=19, minutes=12)
    assert level_for(URGENT_CREATED + hours(24), clock).name == "region_manager"


def test_an_overdue_rule_counts_business_time_past_the_deadline():
    # Given levels where the region manager steps in 2 business hours after a missed deadline
    levels = (
        EscalationLevel(0, "agent", elapsed_fraction=0.0),
        EscalationLevel(1, "team_lead", elapsed_fraction=1.0),
        EscalationLevel(2, "region_manager", overdue=hours(2)),
    )
    friday = at(2026, 2, 13, 9)
    clock = SlaClock(
        created_at=friday,
        targets=PriorityTargets("high", hours(8), hours(16), business_hours=True),
        calendar=OFFICE,
        escalation_levels=levels,
    )
    # When the first response is missed on Friday 17:00
    assert level_for(at(2026, 2, 13, 16, 59), clock).name == "agent"
    assert level_for(at(2026, 2, 13, 17), clock).name == "team_lead"
    # Then the weekend does not count towards the 2 hours overdue
    assert level_for(at(2026, 2, 15, 23), clock).name == "team_lead"
    assert next_escalation_at(at(2026, 2, 14, 12), clock) == at(2026, 2, 16, 11)
    assert level_for(at(2026, 2, 16, 11), clock).name == "region_manager"


@pytest.mark.parametrize(
    ("now", "level"),
    [(at(2026, 2, 9, 15), "agent"), (at(2026, 2, 9, 15, 24), "team_lead"), (at(2026, 2, 9, 17), "region_manager")],
)
def test_the_office_clock_escalates_at_each_level(now: datetime, level: str):
    assert level_for(now, office_clock()).name == level


# --- ETA window -----------------------------------------------------------------------------------------

NOW = at(2026, 2, 9, 12)
DUE = NOW + hours(24)
# 60 recent first responses between 1 and 6 hours, evenly spread.
PLENTY = [60 + 5 * index for index in range(61)]


def width(window: tuple[datetime, datetime]) -> timedelta:
    return window[1] - window[0]


def test_without_any_data_the_window_runs_from_now_to_the_deadline():
    assert eta_window(NOW, DUE, backlog_ahead=0, recent_first_response_minutes=[], agents_online=3) == (NOW, DUE)


def test_without_data_a_long_queue_stretches_the_window_past_the_deadline():
    # Given 31 tickets ahead where 3 agents usually have 15 (5 each): twice the usual queue position
    window = eta_window(NOW, DUE, backlog_ahead=31, recent_first_response_minutes=[], agents_online=3)
    # Then the window is twice as long as the time to the deadline
    assert window == (NOW, NOW + hours(48))


def test_the_window_is_never_in_the_past_even_when_the_deadline_is():
    overdue = NOW - hours(5)
    for samples in ([], [30.0], PLENTY):
        earliest, latest = eta_window(NOW, overdue, 0, samples, 2)
        assert NOW <= earliest <= latest
        assert latest > NOW


def test_with_plenty_of_data_the_window_follows_recent_response_times():
    # Given 61 samples and the usual queue (5 per agent ahead, 2 agents: 10 ahead)
    earliest, latest = eta_window(NOW, DUE, 10, PLENTY, 2)
    # Then the window spans the 25th..90th percentiles, widened by 1 + 2/sqrt(61)
    spread = 1 + 2 / math.sqrt(61)
    assert earliest == NOW + timedelta(minutes=percentile(PLENTY, 0.25) / spread)
    assert latest == NOW + timedelta(minutes=percentile(PLENTY, 0.9) * spread)
    # And it may end well before the deadline: the promise is not padded in
    assert latest < DUE


def test_thin_data_widens_the_window_and_keeps_the_deadline_inside():
    # Given the same kind of response times, from 4 samples instead of 61
    thin = [90.0, 150.0, 210.0, 270.0]
    plenty_window = eta_window(NOW, DUE, 10, PLENTY, 2)
    thin_window = eta_window(NOW, DUE, 10, thin, 2)
    # Then the thin window starts earlier, ends later and includes the deadline
    assert thin_window[0] < plenty_window[0]
    assert thin_window[1] >= DUE > plenty_window[1]
    assert len(thin) < ETA_MIN_SAMPLES


def test_fewer_samples_never_narrow_the_window():
    samples = [120.0] * 200
    widths = [width(eta_window(NOW, NOW, 10, samples[:count], 2)) for count in (1, 4, 16, 64, 200)]
    assert widths == sorted(widths, reverse=True)


def test_a_growing_backlog_moves_the_window_later():
    windows = [eta_window(NOW, DUE, ahead, PLENTY, 2) for ahead in (0, 5, 10, 20, 40, 80)]
    earliest = [window[0] for window in windows]
    latest = [window[1] for window in windows]
    assert earliest == sorted(earliest) and len(set(earliest)) == len(earliest)
    assert latest == sorted(latest) and len(set(latest)) == len(latest)
    # And the window grows with the queue: more tickets ahead, more uncertainty in absolute time
    assert width(windows[-1]) > width(windows[0])


def test_more_agents_online_bring_the_window_earlier():
    # Given 20 tickets ahead
    one_agent = eta_window(NOW, DUE, 20, PLENTY, 1)
    four_agents = eta_window(NOW, DUE, 20, PLENTY, 4)
    assert four_agents[1] < one_agent[1]


def test_unknown_or_absent_staffing_stretches_the_late_end():
    staffed = eta_window(NOW, DUE, 5, PLENTY, 1)
    assert eta_window(NOW, DUE, 5, PLENTY, None)[1] > staffed[1]
    assert eta_window(NOW, DUE, 5, PLENTY, 0)[1] > staffed[1]
    assert eta_window(NOW, DUE, 5, PLENTY, None)[0] == staffed[0]


def test_a_known_usual_backlog_replaces_the_per_agent_assumption():
    # Given a region that usually has 10 tickets ahead, now with 10 ahead
    usual = eta_window(NOW, DUE, 10, PLENTY, 7, typical_backlog=10)
    # Then the window is the recent experience, whatever the number of agents
    assert usual == eta_window(NOW, DUE, 10, PLENTY, 2)


def test_unusable_samples_are_ignored():
    clean = eta_window(NOW, DUE, 3, PLENTY, 2)
    dirty = eta_window(NOW, DUE, 3, [*PLENTY, -5.0, math.nan, math.inf], 2)
    assert dirty == clean


def test_broken_eta_inputs_are_refused():
    with pytest.raises(ValueError, match="backlog_ahead"):
        eta_window(NOW, DUE, -1, PLENTY, 2)
    with pytest.raises(ValueError, match="timezone-aware"):
        eta_window(datetime(2026, 2, 9, 12), DUE, 0, PLENTY, 2)


def test_the_window_is_in_utc():
    earliest, latest = eta_window(at(2026, 2, 9, 7, tz=NEW_YORK), DUE, 0, PLENTY, 2)
    assert earliest.tzinfo is UTC and latest.tzinfo is UTC


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [([5.0], 0.9, 5.0), ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5), ([4.0, 1.0, 3.0, 2.0], 0.0, 1.0), ([1.0, 3.0], 1.0, 3.0)],
)
def test_percentiles_interpolate_between_ranks(values: list[float], fraction: float, expected: float):
    assert percentile(values, fraction) == expected


def test_percentile_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        percentile([], 0.5)
