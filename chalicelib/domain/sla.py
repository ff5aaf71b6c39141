"""The SLA clock: deadlines, pauses and the 80% warning of one ticket.

Pure domain code: no I/O, no clock of its own (every function takes `now`), aware datetimes in,
UTC datetimes out. The pieces around it, each in its own module:

- `sla_targets.py`: what a priority promises (`PriorityTargets`) and the `EscalationLevel`s;
- `sla_policy.py`: the policies per region (`sla_policies.json`, `policy_for(region)`), whose
  `clock(...)` builds an `SlaClock` for a ticket;
- `escalation_levels.py`: which escalation level a clock has reached and when it next rises;
- `eta.py`: the requester's ETA window.

Clock (`SlaClock`)
    The clock runs from `created_at` except while the ticket waits on the requester (`Pause`s).
    A deadline is the moment the running (business) time reaches the target, so every closed
    pause moves the deadlines later by the business time it covered, and a pause that starts
    after a deadline was missed does not un-miss it. An open pause (waiting, not yet resumed)
    stops the clock: a deadline not reached before the pause began is `None`, meaning "paused,
    no deadline runs" (`SlaClock.is_paused` says so explicitly); a deadline already missed before
    the pause stays the (past) moment it was missed.

Warning
    `warning_at` is the moment the running time reaches `warning_fraction` (80%) of the target,
    on the same clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.domain.business_calendar import BusinessCalendar
from chalicelib.domain.sla_targets import EscalationLevel, PriorityTargets, SlaTarget

_ZERO = timedelta(0)


def as_utc(moment: datetime, name: str) -> datetime:
    """`moment` in UTC; ValueError naming `name` when it is naive."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment!r}")
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Pause:
    """The ticket waited on the requester from `started_at` until `ended_at` (None: still waiting)."""

    started_at: datetime
    ended_at: datetime | None = None

    def __post_init__(self) -> None:
        as_utc(self.started_at, "started_at")
        if self.ended_at is not None and as_utc(self.ended_at, "ended_at") < as_utc(self.started_at, "started_at"):
            raise ValueError(f"a pause cannot end before it starts: {self}")

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


def _merged_pauses(created_at: datetime, pauses: Iterable[Pause]) -> tuple[tuple[datetime, datetime | None], ...]:
    """Pauses clipped to the ticket's life, sorted, overlaps merged; an open pause absorbs later ones."""
    spans = sorted(
        (
            (
                max(as_utc(pause.started_at, "started_at"), created_at),
                None if pause.ended_at is None else as_utc(pause.ended_at, "ended_at"),
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
        as_utc(self.created_at, "created_at")
        if self.first_responded_at is not None:
            as_utc(self.first_responded_at, "first_responded_at")

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
        at = as_utc(now, "now")
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
