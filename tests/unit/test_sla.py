"""The SLA clock: deadlines on a business calendar, pauses (waiting on the requester) and the 80% warning."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib.domain.sla import Pause
from chalicelib.domain.sla_policy import policy_for
from chalicelib.domain.sla_targets import SlaTarget
from tests.unit.sla_builders import NEW_YORK, at, business_hours_policy, hours, office_clock

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
    # Given the NA high ticket of Friday 2026-03-06 17:00 EST (24 business hours, NA on business hours)
    clock = business_hours_policy("na").clock("high", at(2026, 3, 6, 17, tz=NEW_YORK))
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
