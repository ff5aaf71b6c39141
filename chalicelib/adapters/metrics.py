"""CloudWatch metrics as embedded metric format (EMF) log lines, through Powertools.

Translation is where the money goes: characters sent are counted per provider, so a dashboard
shows the bill building up and the cache hit rate. POWERTOOLS_METRICS_DISABLED=true (local
stage, tests) keeps them out of the console.
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit, single_metric

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
