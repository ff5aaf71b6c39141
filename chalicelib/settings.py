"""One typed Settings object, read from the environment and validated once per process."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from chalicelib import resources

TRANSLATOR_NAMES = frozenset({"none", "google"})


class SettingsError(ValueError):
    """The environment holds a value the app cannot run with."""


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _number(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise SettingsError(f"{name} must be a finite number, got {raw!r}")
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    stage: str
    table_name: str
    pivot_language: str
    # Ordered failover chain of translation providers; ("none",) leaves tickets untranslated.
    translators: tuple[str, ...]
    google_translate_url: str | None
    translate_timeout_seconds: float
    # True only where the event source mapping has FunctionResponseTypes=ReportBatchItemFailures.
    # Otherwise AWS would delete the "failed" messages, so a failed record fails the whole batch.
    report_batch_item_failures: bool
    sweep_after_seconds: float
    sweep_max_attempts: int
    idempotency_ttl_seconds: int

    def queue_name(self, role: str) -> str:
        return resources.queue_name(self.stage, role)

    def desk_queue_name(self, region: str) -> str:
        return resources.desk_queue_name(self.stage, region)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        stage = env.get("APP_STAGE", "local").strip() or "local"
        if not stage.replace("-", "").isalnum():
            raise SettingsError(f"APP_STAGE must be alphanumeric, got {stage!r}")
        translators = tuple(
            name.strip().lower() for name in env.get("TRANSLATORS", "none").split(",") if name.strip()
        ) or ("none",)
        unknown = [name for name in translators if name not in TRANSLATOR_NAMES]
        if unknown:
            raise SettingsError(f"TRANSLATORS has unknown providers {unknown}; known: {sorted(TRANSLATOR_NAMES)}")
        pivot = env.get("PIVOT_LANGUAGE", "en").strip().lower()
        if len(pivot) != 2 or not pivot.isalpha():
            raise SettingsError(f"PIVOT_LANGUAGE must be an ISO 639-1 code, got {pivot!r}")
        return cls(
            stage=stage,
            table_name=env.get("TABLE_NAME") or resources.table_name(stage),
            pivot_language=pivot,
            translators=translators,
            google_translate_url=env.get("GOOGLE_TRANSLATE_URL") or None,
            translate_timeout_seconds=_number(env, "TRANSLATE_TIMEOUT_SECONDS", 5.0, 0.1),
            report_batch_item_failures=_bool(env, "REPORT_BATCH_ITEM_FAILURES", False),
            sweep_after_seconds=_number(env, "SWEEP_AFTER_SECONDS", 300.0, 1.0),
            sweep_max_attempts=int(_number(env, "SWEEP_MAX_ATTEMPTS", 10, 1)),
            idempotency_ttl_seconds=int(_number(env, "IDEMPOTENCY_TTL_HOURS", 24, 1) * 3600),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing env."""
    return Settings.from_env()
