"""Support metrics as a pure projection of ticket transitions: which counters a write changes.

Like the index entries of `projections.py`, both store implementations call `metric_changes`
on every ticket write and apply its answer in the same atomic write as the ticket, which is
conditional on the version the writer read. A transition is therefore counted exactly once,
however often SQS re-delivers the message that caused it: the second write is stale and counts
nothing.

Two kinds of aggregate item (`CounterKey`), each a bag of number fields a write adds to:

- per UTC day, region and language: events of that day (`created`, `resolved`, first responses
  within or past their SLA, histograms of first-response and resolution minutes, CSAT answers,
  deflections by the help center);
- per region and language (`day = None`): the backlog gauges, the current state
  (`open` (open or claimed), `waiting`, `breached`), kept as "what the ticket contributes after
  minus what it contributed before", so every desk move (wait, resume, resolve, reopen,
  escalation past a deadline) is one rule.

Events and the day they count on:

- routed (status `routed` first reached): `created` + 1 on the day of `created_at`;
- first response recorded: one of the `first_response_le_*` buckets + 1, the minutes (wall
  clock since `created_at`) added to `first_response_minutes`, and `first_response_within_sla`
  or `first_response_missed_sla` + 1 (the SLA clock's first-response deadline; a clock paused
  before its deadline counts as within), on the day of the response;
- resolved: `resolved` + 1, a `resolution_le_*` bucket, `resolution_minutes` (wall clock since
  `created_at`), on the day it is resolved. A ticket resolved again after a reopen counts again;
- deflected (resolved by the requester's "solved" on the help-center bot's answer,
  `desk.is_deflection`): `deflected` + 1 on that day, instead of the resolution's counters;
- breached: the escalation level recorded on the ticket reaches the first level the policy
  reaches past a deadline (`overdue_hours`; `region_manager` by default). It stays counted while
  the ticket is unresolved, whatever its state.

Percentiles (`percentile`) come from merged histograms, interpolated linearly within the bucket
that holds the rank (the overflow bucket answers its lower bound): an estimate good to a bucket's
width, the price of aggregates that add up across days, regions and languages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.domain.desk import is_deflection, sla_clock
from chalicelib.domain.sla_policy import policy_for
from chalicelib.domain.ticket import DeskState, Status, Ticket, parse_iso

UNDETERMINED = "und"

# Per-day counters.
CREATED = "created"
RESOLVED = "resolved"
DEFLECTED = "deflected"
FIRST_RESPONSE_WITHIN_SLA = "first_response_within_sla"
FIRST_RESPONSE_MISSED_SLA = "first_response_missed_sla"
FIRST_RESPONSE_MINUTES = "first_response_minutes"  # the sum, for averages and the EMF value
RESOLUTION_MINUTES = "resolution_minutes"
CSAT_RESPONSES = "csat_responses"
CSAT_RATING_SUM = "csat_rating_sum"
CSAT_SATISFIED = "csat_satisfied"  # ratings of 4 or 5
SATISFIED_RATING = 4
RATINGS = range(1, 6)

# Backlog gauges (the current state).
OPEN = "open"
WAITING = "waiting"
BREACHED = "breached"
BACKLOG_FIELDS = (OPEN, WAITING, BREACHED)

# Histogram buckets: upper bounds in minutes (5 min .. 30 days), then an overflow bucket.
BUCKET_BOUNDS_MINUTES: tuple[int, ...] = (
    5,
    15,
    30,
    60,
    120,
    240,
    480,
    720,
    1440,
    2880,
    4320,
    7200,
    10080,
    20160,
    43200,
)
FIRST_RESPONSE_BUCKET = "first_response_le_"
RESOLUTION_BUCKET = "resolution_le_"
OVERFLOW = "inf"
MINUTES_DECIMALS = 3


@dataclass(frozen=True)
class CounterKey:
    """One aggregate item: a UTC day's counters of a region and language, or (day None) the
    region and language's backlog gauges."""

    region: str
    language: str
    day: str | None = None  # YYYY-MM-DD

    @property
    def is_backlog(self) -> bool:
        return self.day is None

    @property
    def sort_key(self) -> tuple[str, str, str]:
        return (self.day or "", self.region, self.language)


@dataclass(frozen=True)
class CounterChange:
    key: CounterKey
    field: str
    delta: float


@dataclass(frozen=True)
class DailyAggregate:
    """One day's counters of a region and language, as stored (fields never written read 0)."""

    day: str
    region: str
    language: str
    counters: Mapping[str, float]

    def count(self, field: str) -> float:
        return self.counters.get(field, 0)


@dataclass(frozen=True)
class BacklogGauge:
    """A region and language's backlog now: open (or claimed), waiting, breached (unresolved)."""

    region: str
    language: str
    open: int = 0
    waiting: int = 0
    breached: int = 0


# --- the projection --------------------------------------------------------------------------


def metric_changes(before: Ticket | None, after: Ticket) -> list[CounterChange]:
    """The counter changes writing `after` over `before` (None: a new ticket) means."""
    if after.status is not Status.ROUTED or after.routing is None:
        return []
    was = before if before is not None and before.status is Status.ROUTED and before.routing is not None else None
    changes: list[CounterChange] = []
    if was is None:
        changes.append(CounterChange(day_key(after, after.created_at), CREATED, 1))
    changes += _first_response(was, after)
    changes += _resolution(was, after)
    changes += _backlog_difference(was, after)
    return changes


def satisfaction_changes(ticket: Ticket, rating: int, answered_at: datetime) -> list[CounterChange]:
    """A CSAT answer (1-5) for the ticket, counted on the day it was answered, in the ticket's
    region and language. Apply it atomically with the answer's own write, so it counts once."""
    if rating not in RATINGS or isinstance(rating, bool):
        raise ValueError(f"a satisfaction rating is 1 to 5, not {rating!r}")
    if ticket.routing is None:
        raise ValueError(f"ticket {ticket.ticket_id} was never on a desk: nothing to rate")
    key = CounterKey(ticket.routing.region, language_of(ticket), utc_day(answered_at))
    changes = [CounterChange(key, CSAT_RESPONSES, 1), CounterChange(key, CSAT_RATING_SUM, rating)]
    if rating >= SATISFIED_RATING:
        changes.append(CounterChange(key, CSAT_SATISFIED, 1))
    return changes


def deflection_changes(region: str, language: str, at: datetime) -> list[CounterChange]:
    """The help center answered a requester who then did not open a ticket."""
    return [CounterChange(CounterKey(region, language, utc_day(at)), DEFLECTED, 1)]


def language_of(ticket: Ticket) -> str:
    return ticket.language.code if ticket.language is not None else UNDETERMINED


def utc_day(moment: datetime | str) -> str:
    at = parse_iso(moment) if isinstance(moment, str) else moment
    return at.astimezone(UTC).date().isoformat()


def day_key(ticket: Ticket, at: datetime | str) -> CounterKey:
    assert ticket.routing is not None
    return CounterKey(ticket.routing.region, language_of(ticket), utc_day(at))


def backlog_key(ticket: Ticket) -> CounterKey:
    assert ticket.routing is not None
    return CounterKey(ticket.routing.region, language_of(ticket))


def _first_response(was: Ticket | None, after: Ticket) -> list[CounterChange]:
    answered = after.desk.first_responded_at if after.desk is not None else None
    answered_before = was.desk.first_responded_at if was is not None and was.desk is not None else None
    if answered is None or answered_before is not None:
        return []
    at = parse_iso(answered)
    due = sla_clock(after).first_response_due
    key = day_key(after, at)
    minutes = _minutes_since_created(after, at)
    within = due is None or at <= due  # None: paused before the deadline came
    return [
        CounterChange(key, bucket_field(FIRST_RESPONSE_BUCKET, minutes), 1),
        CounterChange(key, FIRST_RESPONSE_MINUTES, minutes),
        CounterChange(key, FIRST_RESPONSE_WITHIN_SLA if within else FIRST_RESPONSE_MISSED_SLA, 1),
    ]


def _resolution(was: Ticket | None, after: Ticket) -> list[CounterChange]:
    if _state(after) is not DeskState.RESOLVED or (was is not None and _state(was) is DeskState.RESOLVED):
        return []
    at = parse_iso(after.updated_at)
    key = day_key(after, at)
    if is_deflection(after):  # the help center's answer solved it: a deflection, not a resolution
        return [CounterChange(key, DEFLECTED, 1)]
    minutes = _minutes_since_created(after, at)
    return [
        CounterChange(key, RESOLVED, 1),
        CounterChange(key, bucket_field(RESOLUTION_BUCKET, minutes), 1),
        CounterChange(key, RESOLUTION_MINUTES, minutes),
    ]


def _backlog_difference(was: Ticket | None, after: Ticket) -> list[CounterChange]:
    totals: dict[tuple[CounterKey, str], int] = {}
    for sign, ticket in ((-1, was), (1, after)):
        for key, field in backlog_contribution(ticket):
            totals[(key, field)] = totals.get((key, field), 0) + sign
    return [CounterChange(key, field, delta) for (key, field), delta in totals.items() if delta]


def backlog_contribution(ticket: Ticket | None) -> list[tuple[CounterKey, str]]:
    """The backlog gauges a ticket counts in now: open (open or claimed) or waiting, and
    breached; nothing once resolved or before it is routed."""
    if ticket is None or ticket.status is not Status.ROUTED or ticket.routing is None:
        return []
    state = _state(ticket)
    if state is DeskState.RESOLVED:
        return []
    key = backlog_key(ticket)
    gauges = [(key, WAITING if state is DeskState.WAITING else OPEN)]
    if is_breached(ticket):
        gauges.append((key, BREACHED))
    return gauges


def is_breached(ticket: Ticket) -> bool:
    """The recorded escalation level is (at or above) the first one reached past a deadline."""
    if ticket.routing is None or ticket.desk is None or ticket.desk.escalation is None:
        return False
    levels = policy_for(ticket.routing.region).escalation_levels
    breached = next((level for level in levels if level.overdue is not None), None)
    recorded = next((level for level in levels if level.name == ticket.desk.escalation), None)
    return breached is not None and recorded is not None and recorded.rank >= breached.rank


def _state(ticket: Ticket) -> DeskState:
    return ticket.desk.state if ticket.desk is not None else DeskState.OPEN


def _minutes_since_created(ticket: Ticket, at: datetime) -> float:
    minutes = (at - parse_iso(ticket.created_at)).total_seconds() / 60
    return round(max(minutes, 0.0), MINUTES_DECIMALS)


# --- histograms ------------------------------------------------------------------------------


def bucket_field(prefix: str, minutes: float) -> str:
    """The histogram field counting `minutes`: the first bucket whose upper bound holds it."""
    bound = next((bound for bound in BUCKET_BOUNDS_MINUTES if minutes <= bound), None)
    return f"{prefix}{bound if bound is not None else OVERFLOW}"


def bucket_fields(prefix: str) -> list[str]:
    return [f"{prefix}{bound}" for bound in BUCKET_BOUNDS_MINUTES] + [f"{prefix}{OVERFLOW}"]


def histogram(counters: Mapping[str, float], prefix: str) -> list[float]:
    """The bucket counts, in bucket order (the overflow bucket last)."""
    return [float(counters.get(field, 0)) for field in bucket_fields(prefix)]


def percentile(counts: Sequence[float], quantile: float) -> float | None:
    """The `quantile` (0..1) of a histogram over BUCKET_BOUNDS_MINUTES; None when it is empty.

    Linear interpolation within the bucket holding the rank (from its lower bound, 0 for the
    first bucket, to its upper bound); the overflow bucket has no upper bound and answers its
    lower bound, i.e. "at least that".
    """
    total = sum(counts)
    if total <= 0:
        return None
    rank = quantile * total
    below = 0.0
    for index, count in enumerate(counts):
        if count <= 0:
            continue
        if below + count >= rank:
            lower = float(BUCKET_BOUNDS_MINUTES[index - 1]) if index > 0 else 0.0
            if index >= len(BUCKET_BOUNDS_MINUTES):
                return lower
            upper = float(BUCKET_BOUNDS_MINUTES[index])
            return round(lower + (upper - lower) * max(rank - below, 0.0) / count, 1)
        below += count
    return float(BUCKET_BOUNDS_MINUTES[-1])  # unreachable with non-negative counts


# --- grouping, for the adapters ---------------------------------------------------------------


def grouped(changes: Iterable[CounterChange]) -> dict[CounterKey, dict[str, float]]:
    """Changes summed per aggregate item and field, zeros dropped: one update per item (a
    DynamoDB transaction may not touch an item twice)."""
    items: dict[CounterKey, dict[str, float]] = {}
    for change in changes:
        fields = items.setdefault(change.key, {})
        fields[change.field] = fields.get(change.field, 0) + change.delta
    return {
        key: {field: _tidy(delta) for field, delta in fields.items() if _tidy(delta) != 0}
        for key, fields in items.items()
        if any(_tidy(delta) != 0 for delta in fields.values())
    }


def _tidy(value: float) -> float:
    rounded = round(value, MINUTES_DECIMALS)
    return int(rounded) if float(rounded).is_integer() else rounded
