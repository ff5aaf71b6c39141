"""GET /metrics: its query (region, language, from, to) and its answer, the support report.

Figures are totals and the same figures per region and per language. Percentiles are estimated
from histograms (interpolated within a bucket, see domain/support_metrics.py); the backlog is the
current state, not a figure of the period.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from pydantic import Field

from chalicelib.api.contract.base import ViewModel
from chalicelib.api.contract.errors import ValidationError
from chalicelib.api.contract.views import Region
from chalicelib.domain.support_report import (
    MAX_DAYS,
    Figures,
    ReportPeriod,
    ReportPeriodError,
    SupportReport,
    report_period,
)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
QUERY_PARAMETERS = ("region", "language", "from", "to")

DateParameter = Annotated[str, Field(pattern=_DATE.pattern, json_schema_extra={"format": "date"})]
LanguageParameter = Annotated[str, Field(pattern=_LANGUAGE.pattern)]
Minutes = Annotated[float | None, Field(description="Estimated from a histogram; null without data")]
Percent = Annotated[float | None, Field(description="0-100, one decimal; null without data")]


@dataclass(frozen=True)
class MetricsQuery:
    region: str | None
    language: str | None
    period: ReportPeriod


def parse_metrics_query(params: Mapping[str, str], today: date) -> MetricsQuery:
    """The query string as the use case takes it; the contract's 400 for a bad date, a period
    backwards or over 92 days, or a language that is not a code. Other parameters are ignored."""
    language = params.get("language") or None
    if language is not None and not _LANGUAGE.match(language):
        raise ValidationError("invalid_language", "language must be a language code such as en or pt", "language")
    first, last = _date(params, "from"), _date(params, "to")
    try:
        period = report_period(first, last, today)
    except ReportPeriodError as error:
        raise ValidationError("invalid_period", str(error), error.field) from None
    return MetricsQuery(params.get("region") or None, language, period)


def _date(params: Mapping[str, str], name: str) -> date | None:
    value = params.get(name)
    if not value:
        return None
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError("invalid_date", f"{name} must be a date, YYYY-MM-DD", name) from None


class TicketCounts(ViewModel):
    created: int = Field(description="Tickets that reached a desk, by the day they were submitted")
    resolved: int = Field(description="Resolutions (a ticket reopened and resolved again counts twice)")
    deflected: int = Field(description="Requesters the help center answered without a ticket")


class FirstResponseFigures(ViewModel):
    count: int
    p50_minutes: Minutes
    p90_minutes: Minutes
    within_sla_percent: Percent


class ResolutionFigures(ViewModel):
    p50_minutes: Minutes
    p90_minutes: Minutes


class BacklogFigures(ViewModel):
    """Now, not over the period."""

    open: int = Field(description="Open or claimed")
    waiting: int = Field(description="Waiting on the requester")
    breached: int = Field(description="Unresolved tickets escalated past an SLA deadline")


class CsatFigures(ViewModel):
    responses: int
    average: float | None = Field(description="1-5, two decimals; null without answers")
    satisfied_percent: Percent = Field(description="Ratings of 4 or 5")


class MetricsFigures(ViewModel):
    tickets: TicketCounts
    first_response: FirstResponseFigures
    resolution: ResolutionFigures
    backlog: BacklogFigures
    csat: CsatFigures

    @classmethod
    def of(cls, figures: Figures) -> MetricsFigures:
        return cls(
            tickets=TicketCounts(created=figures.created, resolved=figures.resolved, deflected=figures.deflected),
            first_response=FirstResponseFigures(
                count=figures.first_responses,
                p50_minutes=figures.first_response_p50_minutes,
                p90_minutes=figures.first_response_p90_minutes,
                within_sla_percent=figures.first_response_within_sla_percent,
            ),
            resolution=ResolutionFigures(
                p50_minutes=figures.resolution_p50_minutes, p90_minutes=figures.resolution_p90_minutes
            ),
            backlog=BacklogFigures(
                open=figures.backlog_open, waiting=figures.backlog_waiting, breached=figures.backlog_breached
            ),
            csat=CsatFigures(
                responses=figures.csat_responses,
                average=figures.csat_average,
                satisfied_percent=figures.csat_satisfied_percent,
            ),
        )


class MetricsPeriod(ViewModel):
    from_: str = Field(alias="from", description="First UTC day, included", json_schema_extra={"format": "date"})
    to: str = Field(description="Last UTC day, included", json_schema_extra={"format": "date"})
    days: int = Field(description=f"At most {MAX_DAYS}")


class SupportMetricsReport(ViewModel):
    """Support metrics of the regions the agent works (or the one asked for)."""

    period: MetricsPeriod
    regions: list[Region]
    language: str | None = Field(description="The language asked for; null: every language")
    totals: MetricsFigures
    by_region: dict[str, MetricsFigures] = Field(description="Every region reported, zeros included")
    by_language: dict[str, MetricsFigures] = Field(description="Each language with any figure")

    @classmethod
    def of(cls, report: SupportReport) -> SupportMetricsReport:
        days = report.period.days()
        return cls(
            period=MetricsPeriod(from_=days[0], to=days[-1], days=len(days)),
            regions=list(report.regions),
            language=report.language,
            totals=MetricsFigures.of(report.totals),
            by_region={region: MetricsFigures.of(figures) for region, figures in report.by_region.items()},
            by_language={code: MetricsFigures.of(figures) for code, figures in report.by_language.items()},
        )
