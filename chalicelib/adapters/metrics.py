"""CloudWatch metrics as embedded metric format (EMF) log lines, through Powertools.

Translation is where the money goes: characters sent are counted per provider, so a dashboard
shows the bill building up and the cache hit rate. The support metrics (tickets created and
resolved, first-response and resolution minutes, first responses within the SLA, CSAT ratings)
are emitted per region and language after the ticket write that counted them. POWERTOOLS_METRICS_DISABLED=true (local
stage, tests) keeps them out of the console.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider

from chalicelib.domain import support_metrics as support

NAMESPACE = "PolyglotDesk"


def count_translation(provider: str | None, characters: int, what: str) -> None:
    """One translation done: `characters` sent to `provider` (0 when the cache answered)."""
    if not provider or provider == "none":
        return
    dimensions = {"provider": provider, "what": what}
    with single_metric(
        name="TranslatedCharacters",
        unit=MetricUnit.Count,
        value=characters,
        namespace=NAMESPACE,
        default_dimensions=dimensions,
    ):
        pass
    with single_metric(
        name="TranslationCacheHits" if characters == 0 else "TranslationCacheMisses",
        unit=MetricUnit.Count,
        value=1,
        namespace=NAMESPACE,
        default_dimensions=dimensions,
    ):
        pass


# --- support metrics -------------------------------------------------------------------------
#
# The same figures GET /metrics reads from the aggregates, as EMF lines: one per region and
# language a ticket write counted in, with two dimension sets, {Region, Language} and {Region}
# (5 regions x ~30 languages at most; no ticket or agent ids, which would explode the count).
# FirstResponseWithinSla is 1 or 0 per first response: its Average is the share within the SLA.

SUPPORT_METRICS: dict[str, MetricUnit] = {
    "TicketsCreated": MetricUnit.Count,
    "TicketsResolved": MetricUnit.Count,
    "FirstResponseMinutes": MetricUnit.NoUnit,
    "ResolutionMinutes": MetricUnit.NoUnit,
    "FirstResponseWithinSla": MetricUnit.NoUnit,
    "CsatRating": MetricUnit.NoUnit,
}
_FROM_COUNTERS: dict[str, tuple[str, float | None]] = {
    # counter field -> (metric, value: None for the delta itself)
    support.CREATED: ("TicketsCreated", None),
    support.RESOLVED: ("TicketsResolved", None),
    support.FIRST_RESPONSE_MINUTES: ("FirstResponseMinutes", None),
    support.RESOLUTION_MINUTES: ("ResolutionMinutes", None),
    support.FIRST_RESPONSE_WITHIN_SLA: ("FirstResponseWithinSla", 1.0),
    support.FIRST_RESPONSE_MISSED_SLA: ("FirstResponseWithinSla", 0.0),
    support.CSAT_RATING_SUM: ("CsatRating", None),
}


def support_metric_values(changes: Iterable[support.CounterChange]) -> dict[tuple[str, str], list[tuple[str, float]]]:
    """(region, language) -> [(metric, value)] for the event counters among `changes` (the
    backlog gauges are not events: the dashboard shows created minus resolved instead)."""
    values: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for change in changes:
        metric = _FROM_COUNTERS.get(change.field)
        if change.key.is_backlog or metric is None or change.delta <= 0:
            continue
        name, fixed = metric
        values.setdefault((change.key.region, change.key.language), []).append(
            (name, change.delta if fixed is None else fixed)
        )
    return values


def emit_support_metrics(changes: Sequence[support.CounterChange]) -> None:
    """EMF lines for what a successful write counted (the ticket repository calls this)."""
    for (region, language), metrics in support_metric_values(changes).items():
        # service="": no `service` dimension from POWERTOOLS_SERVICE_NAME; Region and Language only.
        emf = AmazonCloudWatchEMFProvider(namespace=NAMESPACE, service="")
        emf.add_dimension(name="Region", value=region)
        emf.add_dimension(name="Language", value=language)
        emf.add_dimensions(Region=region)
        for name, value in metrics:
            emf.add_metric(name=name, unit=SUPPORT_METRICS[name], value=value)
        emf.flush_metrics()


def count_escalations(escalated: Sequence[tuple[str, str]]) -> None:
    """EMF lines for the escalations a run wrote: (region, level) each, as `Escalations` with the
    dimension sets {Region} and {Region, Level} (the levels of sla_policies.json: team_lead at 80%
    of the time, region_manager once the deadline passed, i.e. an SLA breach)."""
    counted: dict[tuple[str, str], int] = {}
    for region, level in escalated:
        counted[(region, level)] = counted.get((region, level), 0) + 1
    for (region, level), count in counted.items():
        emf = AmazonCloudWatchEMFProvider(namespace=NAMESPACE, service="")
        emf.add_dimension(name="Region", value=region)
        emf.add_dimension(name="Level", value=level)
        emf.add_dimensions(Region=region)
        emf.add_metric(name="Escalations", unit=MetricUnit.Count, value=count)
        emf.flush_metrics()
