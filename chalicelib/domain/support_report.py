"""The support metrics report: figures built from the stored aggregates, nothing else.

Per-day aggregates (`support_metrics.DailyAggregate`) of the period are summed per group (all,
each region, each language); percentiles come from the merged histograms (see
`support_metrics.percentile`: interpolated within a bucket). The backlog is the current state
(`BacklogGauge`), not a figure of the period.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.domain import support_metrics as m
from chalicelib.domain.support_metrics import BacklogGauge, DailyAggregate

DEFAULT_DAYS = 7
MAX_DAYS = 92


class ReportPeriodError(ValueError):
    """A period the report cannot cover; `field` names the bound to fix."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ReportPeriod:
    first_day: date
    last_day: date

    def days(self) -> list[str]:
        count = (self.last_day - self.first_day).days + 1
        return [(self.first_day + timedelta(days=offset)).isoformat() for offset in range(count)]


def report_period(first_day: date | None, last_day: date | None, today: date) -> ReportPeriod:
    """From and to, both included (UTC days). Without either, the last 7 days up to today; with
    one bound, the 7 days from or up to it. At most 92 days."""
    week = timedelta(days=DEFAULT_DAYS - 1)
    if last_day is None:
        last_day = today if first_day is None else first_day + week
    if first_day is None:
        first_day = last_day - week
    if first_day > last_day:
        raise ReportPeriodError("from must not be after to", "from")
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise ReportPeriodError(f"a report covers at most {MAX_DAYS} days", "to")
    return ReportPeriod(first_day, last_day)


@dataclass(frozen=True)
class Figures:
    created: int = 0
    resolved: int = 0
    deflected: int = 0
    first_responses: int = 0
    first_response_p50_minutes: float | None = None
    first_response_p90_minutes: float | None = None
    first_response_within_sla_percent: float | None = None
    resolution_p50_minutes: float | None = None
    resolution_p90_minutes: float | None = None
    backlog_open: int = 0
    backlog_waiting: int = 0
    backlog_breached: int = 0
    csat_responses: int = 0
    csat_average: float | None = None
    csat_satisfied_percent: float | None = None


@dataclass(frozen=True)
class SupportReport:
    period: ReportPeriod
    regions: tuple[str, ...]
    language: str | None  # the language filter, if any
    totals: Figures
    by_region: Mapping[str, Figures]  # every region reported, zeros included
    by_language: Mapping[str, Figures]  # the languages with any figure


def build_report(
    period: ReportPeriod,
    regions: Sequence[str],
    language: str | None,
    daily: Iterable[DailyAggregate],
    backlog: Iterable[BacklogGauge],
) -> SupportReport:
    """The report over `regions` (and `language`, when given) from the aggregates read."""
    days = set(period.days())
    rows = [row for row in daily if row.day in days and row.region in regions and _kept(row.language, language)]
    gauges = [gauge for gauge in backlog if gauge.region in regions and _kept(gauge.language, language)]
    languages = sorted({row.language for row in rows} | {gauge.language for gauge in gauges if _any(gauge)})

    def figures(keep: Callable[[str, str], bool]) -> Figures:
        return _figures(
            [row.counters for row in rows if keep(row.region, row.language)],
            [gauge for gauge in gauges if keep(gauge.region, gauge.language)],
        )

    return SupportReport(
        period=period,
        regions=tuple(regions),
        language=language,
        totals=figures(lambda region, code: True),
        by_region={name: figures(lambda region, code, name=name: region == name) for name in regions},
        by_language={name: figures(lambda region, code, name=name: code == name) for name in languages},
    )


def _kept(code: str, language: str | None) -> bool:
    return language is None or code == language


def _any(gauge: BacklogGauge) -> bool:
    return bool(gauge.open or gauge.waiting or gauge.breached)


def _figures(counters: Sequence[Mapping[str, float]], gauges: Sequence[BacklogGauge]) -> Figures:
    merged: dict[str, float] = {}
    for row in counters:
        for field, value in row.items():
            merged[field] = merged.get(field, 0) + value
    within = merged.get(m.FIRST_RESPONSE_WITHIN_SLA, 0)
    answered = within + merged.get(m.FIRST_RESPONSE_MISSED_SLA, 0)
    first_response = m.histogram(merged, m.FIRST_RESPONSE_BUCKET)
    resolution = m.histogram(merged, m.RESOLUTION_BUCKET)
    responses = merged.get(m.CSAT_RESPONSES, 0)
    return Figures(
        created=int(merged.get(m.CREATED, 0)),
        resolved=int(merged.get(m.RESOLVED, 0)),
        deflected=int(merged.get(m.DEFLECTED, 0)),
        first_responses=int(answered),
        first_response_p50_minutes=m.percentile(first_response, 0.5),
        first_response_p90_minutes=m.percentile(first_response, 0.9),
        first_response_within_sla_percent=_percent(within, answered),
        resolution_p50_minutes=m.percentile(resolution, 0.5),
        resolution_p90_minutes=m.percentile(resolution, 0.9),
        backlog_open=sum(gauge.open for gauge in gauges),
        backlog_waiting=sum(gauge.waiting for gauge in gauges),
        backlog_breached=sum(gauge.breached for gauge in gauges),
        csat_responses=int(responses),
        csat_average=round(merged.get(m.CSAT_RATING_SUM, 0) / responses, 2) if responses else None,
        csat_satisfied_percent=_percent(merged.get(m.CSAT_SATISFIED, 0), responses),
    )


def _percent(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None
