"""What an SLA promises: the targets of one priority and the escalation levels.

The vocabulary the policies (`sla_policy.py`), the clock (`sla.py`) and the escalation levels
(`escalation_levels.py`) share; plain values, validated on construction.

Targets (`PriorityTargets`)
    Per priority a first-response and a resolution target and a `business_hours` flag: with the
    flag off the target is elapsed time (24x7), with it on only the opening time of the region's
    business calendar counts (see `sla_policy.py`).

Escalation levels (`EscalationLevel`)
    Levels (agent -> team lead -> region manager) are data, each reached by a share of the
    allowed time (`elapsed_fraction`) or by time past the deadline (`overdue_hours`), on the
    priority's clock. `escalation_levels.py` answers which level a clock has reached and when it
    next rises.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

_ZERO = timedelta(0)


class SlaPolicyError(ValueError):
    """An SLA policy document that cannot be used."""


class SlaTarget(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


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
