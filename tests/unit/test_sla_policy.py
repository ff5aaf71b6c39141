"""The SLA policies per region: the data files, region overrides, broken documents, and the
deadlines each region's policy gives every priority."""

from __future__ import annotations

import copy
from datetime import UTC, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.business_calendar import region_calendars
from chalicelib.domain.catalog import load
from chalicelib.domain.sla_policy import ALWAYS_OPEN, policies_from_data, policy_for
from chalicelib.domain.sla_targets import SlaPolicyError
from tests.unit.sla_builders import DUBLIN, NEW_YORK, SINGAPORE, at, business_hours_policy, hours

REGIONS = {"na", "latam", "emea", "apac", "global"}


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
        ("high", hours(24), timedelta(days=3), False),
        ("normal", hours(48), timedelta(days=5), False),
        ("low", hours(72), timedelta(days=7), False),
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
    assert (high.first_response, high.resolution, high.business_hours) == (hours(8), timedelta(days=3), False)
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


# --- the default: calendar time ---------------------------------------------------------------


@pytest.mark.parametrize("region", ["na", "latam", "emea", "apac", "global"])
def test_by_default_every_priority_counts_calendar_hours_weekends_included(region: str):
    # Given a normal ticket written on a Friday evening, when no desk of any region is open
    created = at(2026, 2, 13, 22)
    clock = policy_for(region).clock("normal", created)
    # Then "48 hours" is 48 hours of the requester's time: due on Sunday evening
    assert clock.first_response_due == created + hours(48)
    assert clock.resolution_due == created + timedelta(days=5)


def test_a_region_opts_one_priority_into_business_hours_and_keeps_the_others_on_the_calendar():
    # Given EMEA choosing business hours for low priority only
    document = policy_document(emea={"targets": {"low": {"business_hours": True}}})
    emea = policies_from_data(document, region_calendars())["emea"]
    # Then low counts opening hours (skips the weekend) and normal stays on the calendar
    friday_evening = at(2026, 2, 13, 22, tz=DUBLIN)
    assert emea.targets_for("low").business_hours and not emea.targets_for("normal").business_hours
    assert emea.clock("normal", friday_evening).first_response_due == friday_evening + hours(48)
    low_due = emea.clock("low", friday_evening).first_response_due
    assert low_due is not None and low_due > friday_evening + hours(72)


# --- the option: business hours -----------------------------------------------------------


def test_high_priority_at_na_counts_business_hours_across_the_spring_change():
    # Given a high ticket at the NA desk (08:00-20:00 New York) on Friday 2026-03-06 17:00 EST,
    # with NA on business hours
    clock = business_hours_policy("na").clock("high", at(2026, 3, 6, 17, tz=NEW_YORK))

    # Then 24 business hours are 3 on Friday, 12 on Monday and 9 on Tuesday (now EDT)
    assert clock.first_response_due == at(2026, 3, 10, 17, tz=NEW_YORK)
    assert clock.first_response_due == at(2026, 3, 10, 21)
    # And the resolution's 72 business hours end the following Monday at 17:00 EDT
    assert clock.resolution_due == at(2026, 3, 16, 17, tz=NEW_YORK)


def test_normal_priority_at_emea_skips_the_weekend():
    # Given a normal ticket at the EMEA desk (08:00-18:00 Dublin) on Wednesday 09:00
    clock = business_hours_policy("emea").clock("normal", at(2026, 2, 11, 9, tz=DUBLIN))
    # Then 48 business hours: Wed 9, Thu 10, Fri 10, Mon 10, Tue 9 -> Tuesday 17:00
    assert clock.first_response_due == at(2026, 2, 17, 17, tz=DUBLIN)


def test_low_priority_at_apac_skips_chinese_new_year():
    # Given a low ticket at the APAC desk (8 business hours a day) on Monday 2026-02-09 09:00
    clock = business_hours_policy("apac").clock("low", at(2026, 2, 9, 9, tz=SINGAPORE))
    # Then 72 business hours are 9 working days; 17 and 18 February are holidays
    assert clock.first_response_due == at(2026, 2, 23, 18, tz=SINGAPORE)


def test_deadlines_are_utc_whatever_the_input_zone():
    clock = policy_for("latam").clock("high", at(2026, 2, 11, 9, tz=ZoneInfo("America/Mexico_City")))
    assert clock.first_response_due is not None
    assert clock.first_response_due.tzinfo is UTC
