"""The SLA clock: deadlines, pauses, the 80% warning, escalation levels and the requester's ETA.

Pure domain code: no I/O beyond the versioned data files, no clock of its own (every function
takes `now`), aware datetimes in, UTC datetimes out.

Policies (`chalicelib/data/sla_policies.json`, `policy_for(region)`)
    Per priority a first-response and a resolution target and a `business_hours` flag. With the
    flag off the target is elapsed time (24x7: urgent tickets by default); with it on only the
    opening time of the region's `BusinessCalendar` counts, so "24 h" means 24 opening hours
    (two weekdays of a 12-hour desk) and a day is 24 hours of that same clock. A region lists
    only what differs from the default.

Clock (`SlaClock`)
    The clock runs from `created_at` except while the ticket waits on the requester (`Pause`s).
    A deadline is the moment the running (business) time reaches the target, so every closed
    pause moves the deadlines later by the business time it covered, and a pause that starts
    after a deadline was missed does not un-miss it. An open pause (waiting, not yet resumed)
    stops the clock: a deadline not reached before the pause began is `None`, meaning "paused,
    no deadline runs" (`SlaClock.is_paused` says so explicitly); a deadline already missed before
    the pause stays the (past) moment it was missed.

Warning and escalation
    `warning_at` is the moment the running time reaches `warning_fraction` (80%) of the target,
    on the same clock. Escalation levels (agent -> team lead -> region manager) are data, each
    reached by a share of the allowed time (`elapsed_fraction`) or by time past the deadline
    (`overdue_hours`); `level_for(now, clock)` answers the highest level reached by any target
    still running, and `next_escalation_at(now, clock)` the moment the level next rises (the
    key an escalation index sorts by, so a worker queries "due <= now" instead of scanning).

ETA (`eta_window`)
    See its docstring: percentiles of recent first-response times, scaled by the queue ahead,
    widened when data is thin, never earlier than now.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any, NamedTuple

from chalicelib.domain.business_calendar import BusinessCalendar, region_calendars
from chalicelib.domain.catalog import load

_ZERO = timedelta(0)
ALWAYS_OPEN = BusinessCalendar.always_open()


class SlaPolicyError(ValueError):
    """An SLA policy document that cannot be used."""


class SlaTarget(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


def _utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment!r}")
    return moment.astimezone(UTC)


# --- policy ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorityTargets:
    """What one priority promises: time to the first response and to resolution."""

    priority: str
    first_response: timedelta
    resolution: timedelta
    business_hours: bool

    def __post_init__(self) -> None:
        if self.first_response <= _ZERO or self.resolution <= _ZERO:
            raise SlaPolicyError(f"{self.priority}: SLA targets must be positive")

    def allowed(self, target: SlaTarget) -> timedelta:
        return self.first_response if target is SlaTarget.FIRST_RESPONSE else self.resolution


@dataclass(frozen=True)
class EscalationLevel:
    """Who owns a ticket once this level is reached; `rank` 0 is the assigned agent.

    Reached when the running time has used `elapsed_fraction` of the allowed time, or when it
    is `overdue` past the deadline (on the priority's clock); exactly one of the two is set.
    """

    rank: int
    name: str
    elapsed_fraction: float | None = None
    overdue: timedelta | None = None

    def __post_init__(self) -> None:
        if (self.elapsed_fraction is None) == (self.overdue is None):
            raise SlaPolicyError(f"escalation level {self.name!r} needs exactly one of elapsed_fraction, overdue")
        if self.elapsed_fraction is not None and self.elapsed_fraction < 0:
            raise SlaPolicyError(f"escalation level {self.name!r}: elapsed_fraction must be >= 0")
        if self.overdue is not None and self.overdue < _ZERO:
            raise SlaPolicyError(f"escalation level {self.name!r}: overdue must be >= 0")

    def running_time_to_reach(self, allowed: timedelta) -> timedelta:
        """How much running time a target with `allowed` needs before this level is reached."""
        if self.elapsed_fraction is not None:
            return allowed * self.elapsed_fraction
        assert self.overdue is not None
        return allowed + self.overdue


@dataclass(frozen=True)
class RegionSlaPolicy:
    region: str
    version: int
    calendar: BusinessCalendar
    targets: Mapping[str, PriorityTargets]
    warning_fraction: float
    escalation_levels: tuple[EscalationLevel, ...]

    def targets_for(self, priority: str) -> PriorityTargets:
        if priority not in self.targets:
            raise KeyError(f"no SLA targets for priority {priority!r} in region {self.region!r}")
        return self.targets[priority]

    def calendar_for(self, priority: str) -> BusinessCalendar:
        """The region's business calendar, or 24x7 when the priority ignores business hours."""
        return self.calendar if self.targets_for(priority).business_hours else ALWAYS_OPEN

    def clock(
        self,
        priority: str,
        created_at: datetime,
        pauses: Iterable[Pause] = (),
        first_responded_at: datetime | None = None,
    ) -> SlaClock:
        return SlaClock(
            created_at=created_at,
            targets=self.targets_for(priority),
            calendar=self.calendar_for(priority),
            pauses=tuple(pauses),
            warning_fraction=self.warning_fraction,
            escalation_levels=self.escalation_levels,
            first_responded_at=first_responded_at,
        )


def _targets_from_record(priority: str, record: Mapping[str, Any]) -> PriorityTargets:
    try:
        return PriorityTargets(
            priority=priority,
            first_response=timedelta(hours=float(record["first_response_hours"])),
            resolution=timedelta(days=float(record["resolution_days"])),
            business_hours=bool(record["business_hours"]),
        )
    except KeyError as error:
        raise SlaPolicyError(f"{priority}: missing {error.args[0]}") from error


def _levels_from_records(records: Sequence[Mapping[str, Any]]) -> tuple[EscalationLevel, ...]:
    levels = tuple(
        EscalationLevel(
            rank=rank,
            name=record["name"],
            elapsed_fraction=float(record["elapsed_fraction"]) if "elapsed_fraction" in record else None,
            overdue=timedelta(hours=float(record["overdue_hours"])) if "overdue_hours" in record else None,
        )
        for rank, record in enumerate(records)
    )
    if not levels or levels[0].elapsed_fraction != 0:
        raise SlaPolicyError("the first escalation level must apply from the start (elapsed_fraction 0)")
    if len({level.name for level in levels}) != len(levels):
        raise SlaPolicyError("escalation level names must be unique")
    return levels


def policies_from_data(
    data: Mapping[str, Any], calendars: Mapping[str, BusinessCalendar]
) -> dict[str, RegionSlaPolicy]:
    """Every region's policy from a `sla_policies.json`-shaped document and the calendars."""
    priorities: list[str] = list(data["priorities"])
    default: Mapping[str, Any] = data["default"]
    policies: dict[str, RegionSlaPolicy] = {}
    for region, override in data["regions"].items():
        unknown = set(override["targets"]) - set(priorities) if "targets" in override else set()
        if unknown:
            raise SlaPolicyError(f"{region}: targets for unknown priorities {sorted(unknown)}")
        targets = {
            priority: _targets_from_record(
                priority, {**default["targets"].get(priority, {}), **override.get("targets", {}).get(priority, {})}
            )
            for priority in priorities
        }
        warning_fraction = float(override.get("warning_fraction", default["warning_fraction"]))
        if not 0 < warning_fraction <= 1:
            raise SlaPolicyError(f"{region}: warning_fraction must be in (0, 1]")
        calendar_name = override.get("calendar", region)
        if calendar_name not in calendars:
            raise SlaPolicyError(f"{region}: no business calendar {calendar_name!r}")
        policies[region] = RegionSlaPolicy(
            region=region,
            version=int(data["version"]),
            calendar=calendars[calendar_name],
            targets=targets,
            warning_fraction=warning_fraction,
            escalation_levels=_levels_from_records(override.get("escalation_levels", default["escalation_levels"])),
        )
    return policies


@cache
def region_policies() -> Mapping[str, RegionSlaPolicy]:
    return policies_from_data(load("sla_policies.json"), region_calendars())


def policy_for(region: str) -> RegionSlaPolicy:
    """The region's SLA policy; KeyError for an unknown region."""
    policies = region_policies()
    if region not in policies:
        raise KeyError(f"no SLA policy for region {region!r}; known: {sorted(policies)}")
    return policies[region]


# --- clock ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pause:
    """The ticket waited on the requester from `started_at` until `ended_at` (None: still waiting)."""

    started_at: datetime
    ended_at: datetime | None = None

    def __post_init__(self) -> None:
        _utc(self.started_at, "started_at")
        if self.ended_at is not None and _utc(self.ended_at, "ended_at") < _utc(self.started_at, "started_at"):
            raise ValueError(f"a pause cannot end before it starts: {self}")

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


def _merged_pauses(created_at: datetime, pauses: Iterable[Pause]) -> tuple[tuple[datetime, datetime | None], ...]:
    """Pauses clipped to the ticket's life, sorted, overlaps merged; an open pause absorbs later ones."""
    spans = sorted(
        (
            (
                max(_utc(pause.started_at, "started_at"), created_at),
                None if pause.ended_at is None else _utc(pause.ended_at, "ended_at"),
            )
            for pause in pauses
        ),
        key=lambda span: span[0],  # ends may be None: never compare them
    )
    merged: list[tuple[datetime, datetime | None]] = []
    for start, end in spans:
        if end is not None and end <= start:
            continue  # before the ticket existed, or empty
        if not merged:
            merged.append((start, end))
            continue
        previous_start, previous_end = merged[-1]
        if previous_end is None:
            break  # still waiting since an earlier moment: nothing later counts
        if start <= previous_end:
            merged[-1] = (previous_start, None if end is None else max(previous_end, end))
        else:
            merged.append((start, end))
    return tuple(merged)


@dataclass(frozen=True)
class SlaClock:
    """One ticket's SLA: targets on a calendar, counted from creation, stopped by pauses."""

    created_at: datetime
    targets: PriorityTargets
    calendar: BusinessCalendar
    pauses: tuple[Pause, ...] = ()
    warning_fraction: float = 0.8
    escalation_levels: tuple[EscalationLevel, ...] = (EscalationLevel(0, "agent", elapsed_fraction=0.0),)
    first_responded_at: datetime | None = None

    def __post_init__(self) -> None:
        _utc(self.created_at, "created_at")
        if self.first_responded_at is not None:
            _utc(self.first_responded_at, "first_responded_at")

    @property
    def _start(self) -> datetime:
        return self.created_at.astimezone(UTC)

    @property
    def _pause_spans(self) -> tuple[tuple[datetime, datetime | None], ...]:
        return _merged_pauses(self._start, self.pauses)

    @property
    def is_paused(self) -> bool:
        """True while the ticket waits on the requester (an open pause): no deadline runs."""
        spans = self._pause_spans
        return bool(spans) and spans[-1][1] is None

    def moment_running_time_reaches(self, running: timedelta) -> datetime | None:
        """When the clock will have run for `running` (UTC); None if an open pause stops it first."""
        if running < _ZERO:
            raise ValueError("running time must not be negative")
        cursor, remaining = self._start, running
        for pause_start, pause_end in self._pause_spans:
            available = self.calendar.business_time_between(cursor, pause_start)
            if remaining <= available:
                return self.calendar.add_business_time(cursor, remaining)
            remaining -= available
            if pause_end is None:
                return None
            cursor = pause_end
        return self.calendar.add_business_time(cursor, remaining)

    def running_time(self, now: datetime) -> timedelta:
        """Business time the clock has run between creation and `now`, pauses excluded."""
        at = _utc(now, "now")
        cursor, total = self._start, _ZERO
        if at <= cursor:
            return _ZERO
        for pause_start, pause_end in self._pause_spans:
            if pause_start >= at:
                break
            total += self.calendar.business_time_between(cursor, pause_start)
            if pause_end is None or pause_end >= at:
                return total
            cursor = pause_end
        return total + self.calendar.business_time_between(cursor, at)

    def due(self, target: SlaTarget) -> datetime | None:
        """The deadline (UTC), or None while paused before reaching it."""
        return self.moment_running_time_reaches(self.targets.allowed(target))

    @property
    def first_response_due(self) -> datetime | None:
        return self.due(SlaTarget.FIRST_RESPONSE)

    @property
    def resolution_due(self) -> datetime | None:
        return self.due(SlaTarget.RESOLUTION)

    def warning_at(self, target: SlaTarget) -> datetime | None:
        """The moment `warning_fraction` of the allowed time has run (None while paused before it)."""
        return self.moment_running_time_reaches(self.targets.allowed(target) * self.warning_fraction)

    def elapsed_fraction(self, now: datetime, target: SlaTarget) -> float:
        """Share of the allowed time used at `now`: 0.5 halfway, 1.0 at the deadline, >1 past it."""
        return self.running_time(now) / self.targets.allowed(target)

    def overdue_by(self, now: datetime, target: SlaTarget) -> timedelta:
        """Running time past the deadline at `now` (negative: time left), on the priority's clock."""
        return self.running_time(now) - self.targets.allowed(target)

    @property
    def running_targets(self) -> tuple[SlaTarget, ...]:
        """The targets still owed: the first response until it is given, resolution always."""
        if self.first_responded_at is None:
            return (SlaTarget.FIRST_RESPONSE, SlaTarget.RESOLUTION)
        return (SlaTarget.RESOLUTION,)


def level_for(now: datetime, clock: SlaClock) -> EscalationLevel:
    """The highest escalation level any running target has reached at `now`.

    Once the first response is given only the resolution target counts, so a late first answer
    hands the ticket back to the level its resolution deadline warrants; keep the highest level
    ever reached on the ticket if the audit needs it.
    """
    reached = clock.escalation_levels[0]
    running = clock.running_time(now)
    for target in clock.running_targets:
        allowed = clock.targets.allowed(target)
        for level in clock.escalation_levels:
            if level.rank > reached.rank and running >= level.running_time_to_reach(allowed):
                reached = level
    return reached


def next_escalation_at(now: datetime, clock: SlaClock) -> datetime | None:
    """The next moment after `now` at which `level_for` rises; None if it cannot (top level
    reached, or paused). This is the sort key of an escalation index."""
    at = _utc(now, "now")
    current = level_for(at, clock)
    moments = [
        moment
        for target in clock.running_targets
        for level in clock.escalation_levels
        if level.rank > current.rank
        and (moment := clock.moment_running_time_reaches(level.running_time_to_reach(clock.targets.allowed(target))))
        is not None
        and moment > at
    ]
    return min(moments, default=None)


def level_named(clock: SlaClock, name: str | None) -> EscalationLevel:
    """The clock's escalation level called `name`; the first level for None or a name the
    policy no longer has (a renamed level must not stop escalation)."""
    return next((level for level in clock.escalation_levels if level.name == name), clock.escalation_levels[0])


def escalation_due(clock: SlaClock, above: EscalationLevel) -> datetime | None:
    """The first moment `level_for` is higher than `above`, past or future; None if it never
    gets there (top level, or an open pause stops the clock first).

    Unlike `next_escalation_at` it needs no `now`: the store keys its escalation index by it, so
    a level reached but not yet acted on stays due (and is found) until the worker records it.
    """
    moments = [
        moment
        for target in clock.running_targets
        for level in clock.escalation_levels
        if level.rank > above.rank
        and (moment := clock.moment_running_time_reaches(level.running_time_to_reach(clock.targets.allowed(target))))
        is not None
    ]
    return min(moments, default=None)


def escalating_target(now: datetime, clock: SlaClock) -> SlaTarget:
    """The running target that put the ticket at `level_for(now, clock)`: the one with the larger
    share of its allowed time used (the first response on a tie)."""
    return max(clock.running_targets, key=lambda target: clock.elapsed_fraction(now, target))


# --- ETA ------------------------------------------------------------------------------------

# Percentiles of recent first-response times that bound the window.
ETA_LOW_PERCENTILE = 0.25
ETA_HIGH_PERCENTILE = 0.9
# With n samples both ends move apart by a factor 1 + ETA_THIN_DATA_SPREAD / sqrt(n).
ETA_THIN_DATA_SPREAD = 2.0
# Below this many samples the policy's deadline stays inside the window.
ETA_MIN_SAMPLES = 10
# Assumed usual queue per online agent when the caller does not know the region's usual backlog.
ETA_TYPICAL_QUEUE_PER_AGENT = 5
# Extra widening of the late end when nobody (or an unknown number of agents) is online.
ETA_UNKNOWN_STAFFING_SPREAD = 1.5
# The narrowest window shown when there is no data at all.
ETA_MIN_WIDTH_WITHOUT_DATA = timedelta(hours=1)


class EtaWindow(NamedTuple):
    earliest: datetime
    latest: datetime


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear-interpolation percentile (numpy's default) of a non-empty sequence."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must be within [0, 1]")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def eta_window(
    now: datetime,
    due: datetime,
    backlog_ahead: int,
    recent_first_response_minutes: Sequence[float],
    agents_online: int | None,
    *,
    typical_backlog: float | None = None,
) -> EtaWindow:
    """When the requester can expect the first answer: (earliest, latest), UTC, never before now.

    The model (a queue-position estimate, deliberately simple and explainable):

    1. The region's recent first-response times (minutes from creation to the first reply;
       negative or non-finite values are dropped) describe how long a ticket waited when the
       queue was at its usual length. Their 25th and 90th percentiles bound the window.
    2. Agents answer in queue order, so the wait grows with the position: a ticket with
       `backlog_ahead` tickets ahead waits about (backlog_ahead + 1) / (typical_backlog + 1)
       times the usual wait. `typical_backlog` is the region's usual number of open tickets
       ahead over the same period as the samples; when not given it is assumed to be
       `ETA_TYPICAL_QUEUE_PER_AGENT` per online agent. A queue longer than usual pushes the
       window later, a shorter one earlier.
    3. Uncertainty: with n samples the ends move apart by 1 + 2/sqrt(n) (a percentile's error
       shrinks like 1/sqrt(n)); when staffing is unknown or nobody is online the late end
       stretches by a further 1.5. With fewer than `ETA_MIN_SAMPLES` samples the window is
       stretched to include the policy's deadline `due` (the promise is the best evidence),
       and without any samples it runs from now to the deadline (at least an hour), scaled by
       the queue when it is longer than usual.
    4. Never earlier than now; a deadline already past does not pull the window into the past.

    The window is elapsed time: the samples already include nights, weekends and holidays of
    the desk, so no business calendar is applied on top.
    """
    at = _utc(now, "now")
    deadline = _utc(due, "due")
    if backlog_ahead < 0:
        raise ValueError("backlog_ahead must not be negative")
    staffed = agents_online is not None and agents_online > 0
    agents = agents_online if staffed and agents_online is not None else 1
    usual_queue = typical_backlog if typical_backlog is not None else ETA_TYPICAL_QUEUE_PER_AGENT * agents
    if usual_queue < 0:
        raise ValueError("typical_backlog must not be negative")
    queue_factor = (backlog_ahead + 1) / (usual_queue + 1)
    staffing_spread = 1.0 if staffed else ETA_UNKNOWN_STAFFING_SPREAD

    samples = [value for value in recent_first_response_minutes if math.isfinite(value) and value >= 0]
    if not samples:
        width = max(deadline - at, ETA_MIN_WIDTH_WITHOUT_DATA) * max(1.0, queue_factor) * staffing_spread
        return EtaWindow(at, at + width)

    spread = 1 + ETA_THIN_DATA_SPREAD / math.sqrt(len(samples))
    early_minutes = percentile(samples, ETA_LOW_PERCENTILE) * queue_factor / spread
    late_minutes = percentile(samples, ETA_HIGH_PERCENTILE) * queue_factor * spread * staffing_spread
    earliest = at + timedelta(minutes=early_minutes)
    latest = at + timedelta(minutes=late_minutes)
    if len(samples) < ETA_MIN_SAMPLES:
        latest = max(latest, deadline)
    return EtaWindow(earliest, max(latest, earliest))
