"""Escalation levels on the SLA clock: the level reached at a moment and when it next rises."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib.domain.escalation_levels import level_for, next_escalation_at
from chalicelib.domain.sla import Pause, SlaClock
from chalicelib.domain.sla_policy import policy_for
from chalicelib.domain.sla_targets import EscalationLevel, PriorityTargets
from tests.unit.sla_builders import OFFICE, at, hours, office_clock

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
