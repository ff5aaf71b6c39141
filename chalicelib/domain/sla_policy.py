"""The SLA policies per region: `chalicelib/data/sla_policies.json`, `policy_for(region)`.

Pure domain code: no I/O beyond the versioned data files.

Policies
    Per priority a first-response and a resolution target and a `business_hours` flag. With the
    flag off the target is elapsed time (24x7: urgent tickets by default); with it on only the
    opening time of the region's `BusinessCalendar` counts, so "24 h" means 24 opening hours
    (two weekdays of a 12-hour desk) and a day is 24 hours of that same clock. A region lists
    only what differs from the default: its targets, `warning_fraction`, calendar and
    `escalation_levels`. `RegionSlaPolicy.clock(...)` starts a ticket's `SlaClock` (`sla.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from chalicelib.domain.business_calendar import BusinessCalendar, region_calendars
from chalicelib.domain.catalog import load
from chalicelib.domain.sla import Pause, SlaClock
from chalicelib.domain.sla_targets import EscalationLevel, PriorityTargets, SlaPolicyError

ALWAYS_OPEN = BusinessCalendar.always_open()


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
