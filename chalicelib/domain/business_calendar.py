"""When a regional desk is open: weekly opening hours in a time zone, minus holidays.

A `BusinessCalendar` answers two questions in absolute time, UTC in and UTC out:

- `add_business_time(start, duration)`: the moment `duration` of opening time after `start`;
- `business_time_between(start, end)`: how much opening time lies between two moments.

Opening hours are local wall-clock times (`08:00`-`20:00` in `America/New_York`). Each local day's
intervals are turned into UTC instants through `zoneinfo`, so a DST change is simply a day whose
opening starts an hour earlier or later in UTC, and an interval that spans a change (a desk open
over the night of 2026-03-08 in New York) is an hour shorter or longer in real time. A local time
that does not exist (02:30 on a spring-forward night) is read with the offset before the change,
and one that happens twice (01:30 on a fall-back night) means its first occurrence (`fold=0`).

Intervals are half-open `[start, end)` and never cross midnight; `24:00` ends a day, and a desk
open over midnight is written as one interval ending `24:00` and one starting `00:00` the next
day. Holidays are local dates on which the desk is closed all day. A calendar open all week round
with no holidays (`BusinessCalendar.always_open()`, `"always_open": true` in the data) is plain
arithmetic.

Region calendars come from `chalicelib/data/business_hours.json` (`calendar_for(region)`). The
time zones need the IANA database: the system's (`/usr/share/zoneinfo`), or the `tzdata` package
from PyPI where the system has none (Windows, slim containers).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache, cached_property
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.catalog import load

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
# A calendar that never opens in this many days ahead is a data error, not a long weekend.
_SEARCH_LIMIT_DAYS = 3 * 366
_CLOCK_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_ZERO = timedelta(0)


class CalendarError(ValueError):
    """A calendar definition that cannot be used (bad time zone, overlapping hours, ...)."""


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment!r}")


def parse_clock_time(text: str) -> int:
    """Minutes after local midnight for `HH:MM` (`24:00` is 1440, the end of the day)."""
    match = _CLOCK_TIME.match(text)
    if not match:
        raise CalendarError(f"not an HH:MM time: {text!r}")
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if minutes > MINUTES_PER_DAY:
        raise CalendarError(f"time after 24:00: {text!r}")
    return minutes


@dataclass(frozen=True, order=True)
class OpeningInterval:
    """Open from `start_minute` to `end_minute` after local midnight, half-open."""

    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_minute < self.end_minute <= MINUTES_PER_DAY:
            raise CalendarError(f"an opening interval must satisfy 00:00 <= start < end <= 24:00: {self}")

    @classmethod
    def parse(cls, start: str, end: str) -> OpeningInterval:
        return cls(parse_clock_time(start), parse_clock_time(end))


@dataclass(frozen=True)
class BusinessCalendar:
    """A desk's opening hours. `weekly[0]` is Monday's intervals, `weekly[6]` Sunday's."""

    name: str
    time_zone: str
    weekly: tuple[tuple[OpeningInterval, ...], ...]
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise CalendarError(f"{self.name}: weekly hours need 7 days, got {len(self.weekly)}")
        try:
            ZoneInfo(self.time_zone)
        except (ValueError, KeyError) as error:  # ZoneInfoNotFoundError is a KeyError
            raise CalendarError(
                f"{self.name}: unknown time zone {self.time_zone!r} (is the IANA database installed? "
                "`pip install tzdata` provides it)"
            ) from error
        for day, intervals in zip(WEEKDAYS, self.weekly, strict=True):
            ordered = sorted(intervals)
            if list(intervals) != ordered:
                raise CalendarError(f"{self.name}: {day} intervals are not in order")
            for earlier, later in pairwise(ordered):
                if later.start_minute < earlier.end_minute:
                    raise CalendarError(f"{self.name}: {day} intervals overlap")
        if not any(self.weekly):
            raise CalendarError(f"{self.name}: the desk is never open")

    # --- construction -----------------------------------------------------------------------

    @classmethod
    def always_open(cls, name: str = "24x7") -> BusinessCalendar:
        """Open every minute of every day, in UTC, no holidays: elapsed time is business time."""
        whole_day = (OpeningInterval(0, MINUTES_PER_DAY),)
        return cls(name=name, time_zone="UTC", weekly=(whole_day,) * 7)

    @classmethod
    def from_record(cls, name: str, record: Mapping[str, Any]) -> BusinessCalendar:
        """A calendar from one region's entry of `business_hours.json`."""
        holidays = frozenset(date.fromisoformat(item["date"]) for item in record.get("holidays", ()))
        if record.get("always_open"):
            if record.get("opening_hours"):
                raise CalendarError(f"{name}: always_open and opening_hours are exclusive")
            calendar = cls.always_open(name)
            return cls(name=name, time_zone=record.get("time_zone", "UTC"), weekly=calendar.weekly, holidays=holidays)
        hours: Mapping[str, Sequence[Sequence[str]]] = record.get("opening_hours") or {}
        unknown = set(hours) - set(WEEKDAYS)
        if unknown:
            raise CalendarError(f"{name}: unknown weekdays {sorted(unknown)}")
        weekly = tuple(
            tuple(OpeningInterval.parse(start, end) for start, end in hours.get(day, ())) for day in WEEKDAYS
        )
        return cls(name=name, time_zone=record["time_zone"], weekly=weekly, holidays=holidays)

    # --- queries ----------------------------------------------------------------------------

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @cached_property
    def is_always_open(self) -> bool:
        """True when business time is elapsed time (every day 00:00-24:00, no holidays)."""
        whole_day = (OpeningInterval(0, MINUTES_PER_DAY),)
        return not self.holidays and all(day == whole_day for day in self.weekly)

    def intervals_on(self, day: date) -> tuple[OpeningInterval, ...]:
        """The local opening intervals of `day` (none on a holiday)."""
        if day in self.holidays:
            return ()
        return self.weekly[day.weekday()]

    def _open_spans(self, start: datetime, until: datetime | None = None) -> Iterator[tuple[datetime, datetime]]:
        """Opening spans in UTC, in order, from the local day holding `start` onwards.

        Spans may end before `start` (earlier the same day); callers clip them. With `until` the
        spans stop after its local day; without, a calendar that does not open within
        `_SEARCH_LIMIT_DAYS` raises CalendarError.
        """
        zone = self.zone
        first_day = start.astimezone(zone).date()
        days = _SEARCH_LIMIT_DAYS if until is None else (until.astimezone(zone).date() - first_day).days + 1
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
            for interval in self.intervals_on(day):
                # Adding to an aware datetime moves its wall-clock time; the offset is worked out
                # afterwards for the new wall time, which is what opening hours mean. 24:00 becomes
                # the next day's 00:00.
                opens = (midnight + timedelta(minutes=interval.start_minute)).astimezone(UTC)
                closes = (midnight + timedelta(minutes=interval.end_minute)).astimezone(UTC)
                if closes > opens:  # an interval that starts in a DST gap may vanish
                    yield opens, closes
        if until is not None:
            return
        raise CalendarError(f"{self.name}: no opening time within {_SEARCH_LIMIT_DAYS} days of {start.isoformat()}")

    def is_open(self, moment: datetime) -> bool:
        _require_aware(moment, "moment")
        if self.is_always_open:
            return True
        at = moment.astimezone(UTC)
        for opens, closes in self._open_spans(at):
            if opens > at:
                return False
            if at < closes:
                return True
        return False  # pragma: no cover - _open_spans raises before running out

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` itself when the desk is open, else the moment it next opens (UTC)."""
        _require_aware(moment, "moment")
        at = moment.astimezone(UTC)
        if self.is_always_open:
            return at
        for opens, closes in self._open_spans(at):
            if closes > at:
                return max(opens, at)
        raise AssertionError("unreachable")  # pragma: no cover

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The moment (UTC) at which `duration` of opening time has passed since `start`.

        Starting outside opening hours counts from the next opening. A duration that runs out
        exactly at closing time answers the closing time, not the next opening.
        """
        _require_aware(start, "start")
        if duration < _ZERO:
            raise ValueError(f"duration must not be negative, got {duration}")
        at = start.astimezone(UTC)
        if self.is_always_open or duration == _ZERO:
            return at + duration
        remaining = duration
        for opens, closes in self._open_spans(at):
            if closes <= at:
                continue
            begin = max(opens, at)
            available = closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable")  # pragma: no cover

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Opening time between two moments; negative when `end` is before `start`."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        begin, finish = start.astimezone(UTC), end.astimezone(UTC)
        if finish < begin:
            return -self.business_time_between(finish, begin)
        if self.is_always_open:
            return finish - begin
        total = _ZERO
        for opens, closes in self._open_spans(begin, until=finish):
            overlap = min(closes, finish) - max(opens, begin)
            if overlap > _ZERO:
                total += overlap
        return total


def calendars_from_data(data: Mapping[str, Any]) -> dict[str, BusinessCalendar]:
    """Every region's calendar from a `business_hours.json`-shaped document."""
    return {name: BusinessCalendar.from_record(name, record) for name, record in data["regions"].items()}


@cache
def region_calendars() -> Mapping[str, BusinessCalendar]:
    return calendars_from_data(load("business_hours.json"))


def calendar_for(region: str) -> BusinessCalendar:
    """The region's calendar from `business_hours.json`; KeyError for an unknown region."""
    calendars = region_calendars()
    if region not in calendars:
        raise KeyError(f"no business hours for region {region!r}; known: {sorted(calendars)}")
    return calendars[region]
