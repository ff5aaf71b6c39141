"""The requester's ETA: when the first answer can be expected (`eta_window`).

Pure domain code: no I/O, no clock of its own (every function takes `now`), aware datetimes in,
UTC datetimes out.

See `eta_window`'s docstring: percentiles of recent first-response times, scaled by the queue
ahead, widened when data is thin, never earlier than now.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from chalicelib.domain.sla import as_utc

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
    at = as_utc(now, "now")
    deadline = as_utc(due, "due")
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
