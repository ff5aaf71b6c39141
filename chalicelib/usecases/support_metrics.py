"""Read the support metrics: the period's day aggregates and the backlog gauges, made a report.

Never a scan: one Query per day of the period (`SupportMetrics.daily`) and one for the backlog.
The aggregates are kept by the ticket writes themselves (`domain/support_metrics.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chalicelib.domain.repositories import SupportMetrics
from chalicelib.domain.support_report import ReportPeriod, SupportReport, build_report


@dataclass(frozen=True)
class ReadSupportMetrics:
    metrics: SupportMetrics

    def __call__(self, regions: Sequence[str], language: str | None, period: ReportPeriod) -> SupportReport:
        """The report of `regions` (those the reader may see), in `language` only when given."""
        daily = self.metrics.daily(period.days(), regions)
        backlog = self.metrics.backlog(regions)
        return build_report(period, regions, language, daily, backlog)
