"""Business calendars: opening hours per region, time zones, DST, holidays, weekends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.business_calendar import (
    WEEKDAYS,
    BusinessCalendar,
    CalendarError,
    OpeningInterval,
    calendar_for,
    calendars_from_data,
    parse_clock_time,
)
from chalicelib.domain.catalog import load

REGIONS = {"na", "latam", "emea", "apac", "global"}
NEW_YORK = ZoneInfo("America/New_York")
DUBLIN = ZoneInfo("Europe/Dublin")
MEXICO_CITY = ZoneInfo("America/Mexico_City")
SINGAPORE = ZoneInfo("Asia/Singapore")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, tz: ZoneInfo | None = None) -> datetime:
    """A fixed aware moment: local wall time in `tz` (UTC when not given)."""
    return datetime(year, month, day, hour, minute, tzinfo=tz or UTC)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


def calendar(record: dict[str, object], name: str = "test") -> BusinessCalendar:
    return BusinessCalendar.from_record(name, record)


def sundays_all_day_in_new_york() -> BusinessCalendar:
    """Open all of every Sunday, local time: both 2026 US DST changes fall on a Sunday."""
    return calendar({"time_zone": "America/New_York", "opening_hours": {"sun": [["00:00", "24:00"]]}})


# --- the data file ------------------------------------------------------------------------


def test_every_region_has_business_hours():
    # Given the business hours data file
    regions = load("business_hours.json")["regions"]

    # Then each routing region has exactly one calendar, and they all load
    assert set(regions) == REGIONS
    assert set(load("routing.json")["regions"]) == REGIONS
    for region in REGIONS:
        assert calendar_for(region).name == region


@pytest.mark.parametrize(
    ("region", "time_zone"),
    [
        ("na", "America/New_York"),
        ("latam", "America/Mexico_City"),
        ("emea", "Europe/Dublin"),
        ("apac", "Asia/Singapore"),
        ("global", "UTC"),
    ],
)
def test_each_region_keeps_its_desks_time_zone(region: str, time_zone: str):
    assert calendar_for(region).time_zone == time_zone


def test_the_global_desk_is_open_around_the_clock():
    assert calendar_for("global").is_always_open
    assert not any(calendar_for(region).is_always_open for region in REGIONS - {"global"})


@pytest.mark.parametrize("region", sorted(REGIONS - {"global"}))
def test_regional_desks_close_on_weekends_and_list_holidays_for_2026_and_2027(region: str):
    desk = calendar_for(region)
    # Sunday is closed everywhere; every weekday has opening hours
    assert desk.weekly[WEEKDAYS.index("sun")] == ()
    assert all(desk.weekly[index] for index in range(5))
    # New Year's Day of both years is a holiday, and every holiday falls in 2026-2027
    assert {date(2026, 1, 1), date(2027, 1, 1)} <= desk.holidays
    assert {holiday.year for holiday in desk.holidays} == {2026, 2027}


def test_every_holiday_entry_is_named_and_dated_once():
    for region, record in load("business_hours.json")["regions"].items():
        dates = [item["date"] for item in record["holidays"]]
        assert len(dates) == len(set(dates)), region
        assert all(item["name"] for item in record["holidays"]), region


# --- adding business time -------------------------------------------------------------------


def test_time_inside_opening_hours_adds_like_a_clock():
    # Given the NA desk (08:00-20:00 New York) on a Wednesday at 10:00
    start = at(2026, 2, 11, 10, tz=NEW_YORK)

    # When 3 business hours are added
    due = calendar_for("na").add_business_time(start, hours(3))

    # Then the answer is 13:00 the same day, in UTC
    assert due == at(2026, 2, 11, 13, tz=NEW_YORK)
    assert due.tzinfo is UTC


def test_time_left_at_closing_carries_over_to_the_next_opening():
    # Given a Wednesday at 18:00 New York with 5 business hours to add
    # Then 2 hours run today and 3 tomorrow from 08:00
    due = calendar_for("na").add_business_time(at(2026, 2, 11, 18, tz=NEW_YORK), hours(5))
    assert due == at(2026, 2, 12, 11, tz=NEW_YORK)


def test_a_start_before_opening_counts_from_the_opening():
    due = calendar_for("na").add_business_time(at(2026, 2, 11, 3, tz=NEW_YORK), hours(1))
    assert due == at(2026, 2, 11, 9, tz=NEW_YORK)


def test_a_start_on_a_weekend_counts_from_monday_morning():
    # Given a Saturday noon
    due = calendar_for("na").add_business_time(at(2026, 2, 14, 12, tz=NEW_YORK), hours(2))
    # Then Monday 08:00 + 2 h
    assert due == at(2026, 2, 16, 10, tz=NEW_YORK)


def test_time_running_out_exactly_at_closing_is_due_at_closing():
    # Given 2 hours to add at 18:00
    # Then the deadline is 20:00 that evening, not 08:00 the next morning
    due = calendar_for("na").add_business_time(at(2026, 2, 11, 18, tz=NEW_YORK), hours(2))
    assert due == at(2026, 2, 11, 20, tz=NEW_YORK)


def test_friday_evening_work_continues_on_monday():
    # Given Friday 19:00 with 3 business hours to add
    due = calendar_for("na").add_business_time(at(2026, 2, 13, 19, tz=NEW_YORK), hours(3))
    # Then 1 hour runs on Friday, 2 on Monday
    assert due == at(2026, 2, 16, 10, tz=NEW_YORK)


def test_zero_time_is_the_start_itself_even_when_closed():
    saturday = at(2026, 2, 14, 12, tz=NEW_YORK)
    assert calendar_for("na").add_business_time(saturday, timedelta(0)) == saturday


def test_holidays_are_skipped():
    # Given the Wednesday before Thanksgiving (2026-11-26) at 19:00
    start = at(2026, 11, 25, 19, tz=NEW_YORK)

    # When 2 business hours are added
    due = calendar_for("na").add_business_time(start, hours(2))

    # Then Thanksgiving is closed: 1 hour on Wednesday, 1 on Friday
    assert due == at(2026, 11, 27, 9, tz=NEW_YORK)


def test_a_holiday_on_a_monday_makes_a_long_weekend():
    # Given Friday before Martin Luther King Jr. Day 2027 (Monday 2027-01-18) at 20:00, closing time
    due = calendar_for("na").add_business_time(at(2027, 1, 15, 20, tz=NEW_YORK), hours(1))
    # Then work resumes on Tuesday
    assert due == at(2027, 1, 19, 9, tz=NEW_YORK)


def test_a_lunch_break_splits_the_day():
    # Given the APAC desk (09:00-13:00 and 14:00-18:00 Singapore) at 12:00
    start = at(2026, 2, 4, 12, tz=SINGAPORE)

    # When 2 business hours are added
    due = calendar_for("apac").add_business_time(start, hours(2))

    # Then the hour of lunch does not count
    assert due == at(2026, 2, 4, 15, tz=SINGAPORE)


def test_a_start_during_lunch_counts_from_the_afternoon_opening():
    due = calendar_for("apac").add_business_time(at(2026, 2, 4, 13, 30, tz=SINGAPORE), hours(1))
    assert due == at(2026, 2, 4, 15, tz=SINGAPORE)


def test_latam_opens_saturday_mornings():
    # Given Friday 18:00 Mexico City, one hour before closing, with 3 hours to add
    due = calendar_for("latam").add_business_time(at(2026, 2, 13, 18, tz=MEXICO_CITY), hours(3))
    # Then 1 hour on Friday and 2 on Saturday from 09:00
    assert due == at(2026, 2, 14, 11, tz=MEXICO_CITY)


def test_the_same_moment_is_open_or_closed_depending_on_the_region():
    # Given Wednesday 2026-03-04 14:00 UTC
    moment = at(2026, 3, 4, 14)
    # Then New York (09:00), Mexico City (08:00), Dublin (14:00) and the global desk are open,
    # and Singapore (22:00) is closed
    assert {region for region in REGIONS if calendar_for(region).is_open(moment)} == {"na", "latam", "emea", "global"}


def test_a_ticket_filed_at_the_same_moment_is_due_at_different_times_per_region():
    # Given a ticket filed on Wednesday 2026-03-04 at 14:00 UTC and 4 business hours to add
    moment = at(2026, 3, 4, 14)

    # Then each desk's own hours decide
    assert calendar_for("na").add_business_time(moment, hours(4)) == at(2026, 3, 4, 13, tz=NEW_YORK)
    assert calendar_for("emea").add_business_time(moment, hours(4)) == at(2026, 3, 4, 18, tz=DUBLIN)
    assert calendar_for("apac").add_business_time(moment, hours(4)) == at(2026, 3, 5, 13, tz=SINGAPORE)
    assert calendar_for("global").add_business_time(moment, hours(4)) == at(2026, 3, 4, 18)


def test_mexico_city_keeps_the_same_utc_opening_all_year():
    # Given Mexico without daylight saving time (abolished in 2022)
    desk = calendar_for("latam")
    # Then 08:00 local is 14:00 UTC in winter and in summer
    assert desk.next_opening(at(2026, 1, 14, 6)) == at(2026, 1, 14, 14)
    assert desk.next_opening(at(2026, 7, 15, 6)) == at(2026, 7, 15, 14)


# --- daylight saving time -------------------------------------------------------------------


def test_new_york_spring_forward_moves_the_utc_opening_an_hour_earlier():
    # Given Friday 2026-03-06 19:00 EST (UTC-5); the clocks go forward on Sunday 2026-03-08
    start = at(2026, 3, 6, 19, tz=NEW_YORK)

    # When 3 business hours are added
    due = calendar_for("na").add_business_time(start, hours(3))

    # Then Monday's 08:00 is EDT (UTC-4): 1 hour Friday, 2 hours Monday to 10:00 EDT = 14:00 UTC
    assert due == at(2026, 3, 9, 10, tz=NEW_YORK)
    assert due == at(2026, 3, 9, 14)


def test_new_york_fall_back_moves_the_utc_opening_an_hour_later():
    # Given Friday 2026-10-30 19:00 EDT; the clocks go back on Sunday 2026-11-01
    due = calendar_for("na").add_business_time(at(2026, 10, 30, 19, tz=NEW_YORK), hours(3))
    # Then Monday 10:00 EST = 15:00 UTC
    assert due == at(2026, 11, 2, 15)


def test_dublin_spring_forward_is_counted_in_local_hours():
    # Given Friday 2026-03-27 17:00 GMT; Ireland moves to IST (UTC+1) on Sunday 2026-03-29
    start = at(2026, 3, 27, 17, tz=DUBLIN)

    # When 2 business hours are added
    due = calendar_for("emea").add_business_time(start, hours(2))

    # Then Monday 09:00 IST, which is 08:00 UTC
    assert due == at(2026, 3, 30, 8)


def test_dublin_fall_back_followed_by_a_bank_holiday():
    # Given Friday 2026-10-23 17:00 IST (16:00 UTC); clocks go back on Sunday 2026-10-25 and
    # Monday 2026-10-26 is the October bank holiday
    due = calendar_for("emea").add_business_time(at(2026, 10, 23, 17, tz=DUBLIN), hours(2))
    # Then work resumes on Tuesday: 09:00 GMT = 09:00 UTC
    assert due == at(2026, 10, 27, 9)


def test_the_business_week_around_a_dst_change_keeps_its_local_length():
    # Given the NA desk's week of the spring change, Friday 00:00 to Tuesday 00:00 local
    # Then Friday and Monday count 12 hours each, whatever the UTC offsets
    between = calendar_for("na").business_time_between(at(2026, 3, 6, tz=NEW_YORK), at(2026, 3, 10, tz=NEW_YORK))
    assert between == hours(24)


def test_a_day_open_around_the_clock_has_23_hours_on_spring_forward():
    desk = sundays_all_day_in_new_york()
    sunday = desk.business_time_between(at(2026, 3, 8, tz=NEW_YORK), at(2026, 3, 9, tz=NEW_YORK))
    assert sunday == hours(23)


def test_a_day_open_around_the_clock_has_25_hours_on_fall_back():
    desk = sundays_all_day_in_new_york()
    sunday = desk.business_time_between(at(2026, 11, 1, tz=NEW_YORK), at(2026, 11, 2, tz=NEW_YORK))
    assert sunday == hours(25)


def test_adding_real_hours_across_the_spring_gap():
    # Given a desk open all Sunday, from 00:00 EST on the spring-forward Sunday
    # When 3 hours are added
    due = sundays_all_day_in_new_york().add_business_time(at(2026, 3, 8, tz=NEW_YORK), hours(3))
    # Then 3 real hours have passed: the wall clock reads 04:00 EDT because 02:00-03:00 never happened
    assert due == at(2026, 3, 8, 8)
    assert due.astimezone(NEW_YORK).hour == 4


def test_an_opening_time_that_does_not_exist_is_read_before_the_change():
    # Given a desk opening at 02:30 on Sundays in New York; 02:30 does not exist on 2026-03-08
    desk = calendar({"time_zone": "America/New_York", "opening_hours": {"sun": [["02:30", "06:00"]]}})
    # Then it opens at 02:30 EST, which is 03:30 EDT, and its day is 2.5 real hours long
    assert desk.next_opening(at(2026, 3, 8, tz=NEW_YORK)) == at(2026, 3, 8, 7, 30)
    assert desk.business_time_between(at(2026, 3, 8, tz=NEW_YORK), at(2026, 3, 9, tz=NEW_YORK)) == hours(2.5)


def test_a_repeated_hour_on_fall_back_counts_twice():
    # Given a desk open 01:00-02:00 on Sundays in New York; that hour happens twice on 2026-11-01
    desk = calendar({"time_zone": "America/New_York", "opening_hours": {"sun": [["01:00", "02:00"]]}})
    between = desk.business_time_between(at(2026, 11, 1, tz=NEW_YORK), at(2026, 11, 2, tz=NEW_YORK))
    assert between == hours(2)


def test_the_24x7_calendar_is_plain_arithmetic_across_dst_dates():
    desk = BusinessCalendar.always_open()
    start = at(2026, 3, 7, 22, 15)
    assert desk.add_business_time(start, hours(100)) == start + hours(100)
    assert desk.business_time_between(start, start + hours(100)) == hours(100)
    assert desk.next_opening(start) == start


# --- measuring business time ------------------------------------------------------------------


def test_a_closed_weekend_holds_no_business_time():
    between = calendar_for("na").business_time_between(at(2026, 2, 14, 0, tz=NEW_YORK), at(2026, 2, 16, 0, tz=NEW_YORK))
    assert between == timedelta(0)


def test_business_time_between_is_signed():
    desk = calendar_for("emea")
    start, end = at(2026, 2, 11, 9, tz=DUBLIN), at(2026, 2, 12, 9, tz=DUBLIN)
    assert desk.business_time_between(start, end) == hours(10)
    assert desk.business_time_between(end, start) == -hours(10)
    assert desk.business_time_between(start, start) == timedelta(0)


def test_a_year_of_na_business_time_counts_weekdays_minus_holidays():
    # Given all of 2026 in New York
    desk = calendar_for("na")
    open_days = [
        date(2026, 1, 1) + timedelta(days=offset)
        for offset in range(365)
        if (date(2026, 1, 1) + timedelta(days=offset)).weekday() < 5
        and date(2026, 1, 1) + timedelta(days=offset) not in desk.holidays
    ]
    # Then the business time is 12 hours for each open weekday
    total = desk.business_time_between(at(2026, 1, 1, tz=NEW_YORK), at(2027, 1, 1, tz=NEW_YORK))
    assert total == hours(12 * len(open_days))
    assert len(open_days) == 261 - 7


@pytest.mark.parametrize("region", sorted(REGIONS))
@pytest.mark.parametrize(
    "start",
    [at(2026, 3, 6, 23, 30), at(2026, 3, 28, 12), at(2026, 10, 31, 3), at(2026, 12, 24, 15), at(2027, 2, 5, 9, 59)],
)
@pytest.mark.parametrize("duration", [timedelta(minutes=1), hours(4), hours(24), hours(72), hours(168)])
def test_adding_then_measuring_gives_back_the_duration(region: str, start: datetime, duration: timedelta):
    desk = calendar_for(region)
    due = desk.add_business_time(start, duration)
    assert due > start
    assert desk.business_time_between(start, due) == duration
    assert desk.is_open(due - timedelta(microseconds=1))


# --- open or closed -----------------------------------------------------------------------------


def test_opening_intervals_are_half_open():
    desk = calendar_for("apac")
    assert desk.is_open(at(2026, 2, 4, 9, tz=SINGAPORE))
    assert desk.is_open(at(2026, 2, 4, 12, 59, tz=SINGAPORE))
    assert not desk.is_open(at(2026, 2, 4, 13, tz=SINGAPORE))
    assert desk.is_open(at(2026, 2, 4, 14, tz=SINGAPORE))
    assert not desk.is_open(at(2026, 2, 4, 18, tz=SINGAPORE))


def test_the_desk_is_closed_on_a_holiday_weekday():
    # Chinese New Year 2026-02-17 is a Tuesday
    assert not calendar_for("apac").is_open(at(2026, 2, 17, 10, tz=SINGAPORE))


def test_next_opening_is_now_when_open_and_monday_morning_on_saturday():
    desk = calendar_for("emea")
    open_moment = at(2026, 2, 11, 10, tz=DUBLIN)
    assert desk.next_opening(open_moment) == open_moment
    assert desk.next_opening(at(2026, 2, 14, 10, tz=DUBLIN)) == at(2026, 2, 16, 8, tz=DUBLIN)


# --- validation -----------------------------------------------------------------------------------


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar_for("na").add_business_time(datetime(2026, 2, 11, 10), hours(1))
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar_for("na").business_time_between(at(2026, 2, 11), datetime(2026, 2, 12))


def test_negative_durations_are_refused():
    with pytest.raises(ValueError, match="negative"):
        calendar_for("na").add_business_time(at(2026, 2, 11), -hours(1))


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"time_zone": "Mars/Olympus_Mons", "opening_hours": {"mon": [["08:00", "18:00"]]}}, "unknown time zone"),
        ({"time_zone": "UTC", "opening_hours": {"mon": [["08:00", "12:00"], ["11:00", "18:00"]]}}, "overlap"),
        ({"time_zone": "UTC", "opening_hours": {"mon": [["14:00", "18:00"], ["08:00", "12:00"]]}}, "not in order"),
        ({"time_zone": "UTC", "opening_hours": {"mon": [["18:00", "08:00"]]}}, "start < end"),
        ({"time_zone": "UTC", "opening_hours": {"mon": [["08:00", "25:00"]]}}, "HH:MM"),
        ({"time_zone": "UTC", "opening_hours": {"monday": [["08:00", "18:00"]]}}, "unknown weekdays"),
        ({"time_zone": "UTC", "opening_hours": {}}, "never open"),
        ({"time_zone": "UTC", "always_open": True, "opening_hours": {"mon": [["08:00", "18:00"]]}}, "exclusive"),
    ],
    ids=["time-zone", "overlap", "order", "reversed", "bad-time", "weekday-name", "never-open", "both-forms"],
)
def test_broken_calendar_definitions_are_refused(record: dict[str, object], message: str):
    with pytest.raises(CalendarError, match=message):
        calendar(record)


def test_clock_times_parse_to_minutes_with_24_00_as_end_of_day():
    assert parse_clock_time("00:00") == 0
    assert parse_clock_time("08:30") == 510
    assert parse_clock_time("24:00") == 24 * 60
    with pytest.raises(CalendarError):
        parse_clock_time("24:30")
    with pytest.raises(CalendarError):
        OpeningInterval(600, 600)


def test_an_unknown_region_has_no_calendar():
    with pytest.raises(KeyError, match="mars"):
        calendar_for("mars")


def test_calendars_load_from_any_document_of_the_same_shape():
    calendars = calendars_from_data(
        {"regions": {"x": {"time_zone": "Asia/Tokyo", "opening_hours": {"sat": [["10:00", "12:00"]]}}}}
    )
    desk = calendars["x"]
    # Saturday 2026-02-14 10:00 JST is 01:00 UTC
    assert desk.next_opening(at(2026, 2, 9)) == at(2026, 2, 14, 1)
