"""Escalation levels on the SLA clock: who owns a ticket now, and when that next changes.

Pure domain code: every function takes the ticket's `SlaClock` (`sla.py`) and, where it needs
one, `now`.

Levels (agent -> team lead -> region manager) are data (`EscalationLevel` in `sla_targets.py`,
listed per region in `sla_policies.json`), each reached by a share of the allowed time
(`elapsed_fraction`) or by time past the deadline (`overdue_hours`); `level_for(now, clock)`
answers the highest level reached by any target still running, and `next_escalation_at(now,
clock)` the moment the level next rises (the key an escalation index sorts by, so a worker
queries "due <= now" instead of scanning).
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.sla import SlaClock, as_utc
from chalicelib.domain.sla_targets import EscalationLevel, SlaTarget


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
    at = as_utc(now, "now")
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
