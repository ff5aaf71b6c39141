"""Moments, durations and SLA clocks shared by the SLA tests (test_sla.py, test_sla_policy.py,
test_escalation_levels.py, test_eta.py)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.business_calendar import BusinessCalendar, region_calendars
from chalicelib.domain.catalog import load
from chalicelib.domain.sla import Pause, SlaClock
from chalicelib.domain.sla_policy import RegionSlaPolicy, policies_from_data, policy_for
from chalicelib.domain.sla_targets import PriorityTargets

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


def business_hours_policy(region: str, priorities: tuple[str, ...] = ("high", "normal", "low")) -> RegionSlaPolicy:
    """The region's policy as it is when it opts `priorities` into business hours (the option
    sla_policies.json offers per region and priority), from the shipped data otherwise."""
    document = copy.deepcopy(load("sla_policies.json"))
    targets = document["regions"].setdefault(region, {}).setdefault("targets", {})
    for priority in priorities:
        targets.setdefault(priority, {})["business_hours"] = True
    return policies_from_data(document, region_calendars())[region]


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
