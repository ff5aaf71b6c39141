"""One typed Settings object, read from the environment and validated once per process."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from chalicelib import aws_resource_names
from chalicelib.safeguard_settings import SafeguardSettings, _safeguard_settings
from chalicelib.settings_values import SettingsError, _bool, _number, _origin, _url

# `none` adds no provider: tickets stay untranslated and are marked so.
TRANSLATOR_NAMES = frozenset({"none", "aws", "google", "deepl", "microsoft", "libre", "mymemory"})
# Providers that, without their URL variable, send ticket text to a public endpoint with no key
# and no contract: inside Lambda they are left out unless ALLOW_KEYLESS_PROVIDERS=true.
KEYLESS_PUBLIC_PROVIDERS = {"google": "GOOGLE_TRANSLATE_URL", "mymemory": "MYMEMORY_URL"}


def ssm_parameter_prefix(stage: str) -> str:
    """The SSM Parameter Store path a stage's secrets live under (and its IAM policy allows)."""
    return f"/{aws_resource_names.APP_NAME}/{stage}/"


def secret_name_prefix(stage: str) -> str:
    """The Secrets Manager name prefix a stage's secrets live under (and its IAM policy allows)."""
    return f"{aws_resource_names.APP_NAME}/{stage}/"


@dataclass(frozen=True)
class SecretSetting:
    """A secret named by the environment: its value, or where to read it on first use.

    Exactly one of `value`, `ssm_parameter`, `secret_id` is set. The value never appears in a
    repr, so settings can be logged.
    """

    variable: str  # e.g. DEEPL_API_KEY; named in every message about this secret
    value: str | None = field(default=None, repr=False)
    ssm_parameter: str | None = None
    secret_id: str | None = None


def _secret(env: Mapping[str, str], name: str, stage: str) -> SecretSetting | None:
    """`NAME`, `NAME_SSM_PARAMETER` or `NAME_SECRET_ID` (at most one), scoped to the stage."""
    value = env.get(name) or None
    parameter = _scoped_name(env, f"{name}_SSM_PARAMETER", ssm_parameter_prefix(stage), ":parameter")
    secret_id = _scoped_name(env, f"{name}_SECRET_ID", secret_name_prefix(stage), ":secret:")
    given = [
        variable
        for variable, raw in ((name, value), (f"{name}_SSM_PARAMETER", parameter), (f"{name}_SECRET_ID", secret_id))
        if raw
    ]
    if len(given) > 1:
        raise SettingsError(f"set only one of {', '.join(given)}")
    if not given:
        return None
    return SecretSetting(variable=name, value=value, ssm_parameter=parameter, secret_id=secret_id)


def _scoped_name(env: Mapping[str, str], variable: str, prefix: str, arn_marker: str) -> str | None:
    """A parameter or secret name (or ARN) under the stage's prefix: all its IAM policy allows."""
    raw = (env.get(variable) or "").strip()
    if not raw:
        return None
    name = raw.split(arn_marker, 1)[-1] if raw.startswith("arn:") else raw
    if not name.startswith(prefix) or name == prefix:
        raise SettingsError(f"{variable} must name something under {prefix}, got {raw!r}")
    return raw


def _translators(env: Mapping[str, str]) -> tuple[str, ...]:
    names = tuple(name.strip().lower() for name in env.get("TRANSLATORS", "none").split(",") if name.strip())
    unknown = [name for name in names if name not in TRANSLATOR_NAMES]
    if unknown:
        raise SettingsError(f"TRANSLATORS has unknown providers {unknown}; known: {sorted(TRANSLATOR_NAMES)}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise SettingsError(f"TRANSLATORS names {repeated} more than once")
    return names or ("none",)


def _keyless_checked(env: Mapping[str, str], translators: tuple[str, ...]) -> tuple[str, ...]:
    """Inside Lambda (a deployed stage), keyless public endpoints only with ALLOW_KEYLESS_PROVIDERS;
    either way the start-up log says so."""
    keyless = [
        name for name in translators if name in KEYLESS_PUBLIC_PROVIDERS and not env.get(KEYLESS_PUBLIC_PROVIDERS[name])
    ]
    if not keyless or not env.get("AWS_LAMBDA_FUNCTION_NAME"):
        return translators
    from chalicelib.observability import logger  # Powertools only here: settings stay cheap to import

    if _bool(env, "ALLOW_KEYLESS_PROVIDERS", False):
        logger.warning(
            "keyless public translation endpoints in use (ALLOW_KEYLESS_PROVIDERS)", extra={"providers": keyless}
        )
        return translators
    logger.warning(
        "keyless public translation endpoints left out of TRANSLATORS; ALLOW_KEYLESS_PROVIDERS=true allows them",
        extra={"providers": keyless},
    )
    return tuple(name for name in translators if name not in keyless) or ("none",)


def _translator_settings(env: Mapping[str, str], stage: str) -> dict[str, Any]:
    """The translator fields of Settings; a chosen provider without what it needs is refused here."""
    translators = _keyless_checked(env, _translators(env))
    values: dict[str, Any] = {
        "translators": translators,
        "google_translate_url": _url(env, "GOOGLE_TRANSLATE_URL"),
        "deepl_api_key": _secret(env, "DEEPL_API_KEY", stage),
        "deepl_url": _url(env, "DEEPL_URL"),
        "microsoft_api_key": _secret(env, "MICROSOFT_API_KEY", stage),
        "microsoft_region": (env.get("MICROSOFT_REGION") or "").strip() or None,
        "microsoft_url": _url(env, "MICROSOFT_URL"),
        "libretranslate_url": _url(env, "LIBRETRANSLATE_URL"),
        "libretranslate_api_key": _secret(env, "LIBRETRANSLATE_API_KEY", stage),
        "mymemory_url": _url(env, "MYMEMORY_URL"),
        "mymemory_email": (env.get("MYMEMORY_EMAIL") or "").strip() or None,
        "translate_timeout_seconds": _number(env, "TRANSLATE_TIMEOUT_SECONDS", 5.0, 0.1),
        "translate_retries": int(_number(env, "TRANSLATE_RETRIES", 2, 0)),
        "translate_backoff_seconds": _number(env, "TRANSLATE_BACKOFF_SECONDS", 0.2, 0.0),
        "translate_backoff_max_seconds": _number(env, "TRANSLATE_BACKOFF_MAX_SECONDS", 2.0, 0.0),
        "breaker_failures": int(_number(env, "BREAKER_FAILURES", 3, 1)),
        "breaker_cooldown_seconds": _number(env, "BREAKER_COOLDOWN_SECONDS", 30.0, 0.1),
    }
    required = {
        "deepl": ("DEEPL_API_KEY", "deepl_api_key"),
        "microsoft": ("MICROSOFT_API_KEY", "microsoft_api_key"),
        "libre": ("LIBRETRANSLATE_URL", "libretranslate_url"),
    }
    for provider in translators:
        if provider in required and values[required[provider][1]] is None:
            variable = required[provider][0]
            alternatives = (
                "" if variable.endswith("_URL") else f" (or {variable}_SSM_PARAMETER or {variable}_SECRET_ID)"
            )
            raise SettingsError(f"TRANSLATORS includes {provider}, which needs {variable}{alternatives}")
    if values["translate_retries"] > 10:
        raise SettingsError(f"TRANSLATE_RETRIES must be at most 10, got {env.get('TRANSLATE_RETRIES')!r}")
    return values


@dataclass(frozen=True)
class NotificationSettings:
    """Where notifications go. E-mail needs a sender SES may send from; the webhook a URL and a
    key to sign with. Without either, notifications are not requested at all."""

    email_from: str | None = None  # NOTIFY_EMAIL_FROM: a verified SES identity
    webhook_url: str | None = None  # NOTIFY_WEBHOOK_URL: the platform's receiver
    webhook_secret: SecretSetting | None = None  # NOTIFY_WEBHOOK_SECRET (or _SSM_PARAMETER / _SECRET_ID)
    webhook_timeout_seconds: float = 5.0
    # Links in messages: `<base>/tickets/<id>` (PUBLIC_BASE_URL, the requester-facing host).
    public_base_url: str = "http://127.0.0.1:8000"
    # The satisfaction survey goes out this long after a resolution that still holds.
    csat_delay_seconds: float = 24 * 3600.0

    @property
    def channels_configured(self) -> bool:
        return self.email_from is not None or self.webhook_url is not None


def _notification_settings(env: Mapping[str, str], stage: str) -> NotificationSettings:
    webhook_url = _url(env, "NOTIFY_WEBHOOK_URL")
    secret = _secret(env, "NOTIFY_WEBHOOK_SECRET", stage)
    if webhook_url is not None and secret is None:
        raise SettingsError(
            "NOTIFY_WEBHOOK_URL needs NOTIFY_WEBHOOK_SECRET (or its _SSM_PARAMETER / _SECRET_ID) to sign with"
        )
    sender = (env.get("NOTIFY_EMAIL_FROM") or "").strip() or None
    if sender is not None and ("@" not in sender or any(char in sender for char in "\r\n<>,;")):
        raise SettingsError(f"NOTIFY_EMAIL_FROM must be one plain e-mail address, got {sender!r}")
    return NotificationSettings(
        email_from=sender,
        webhook_url=webhook_url,
        webhook_secret=secret,
        webhook_timeout_seconds=_number(env, "NOTIFY_WEBHOOK_TIMEOUT_SECONDS", 5.0, 0.1),
        public_base_url=(_url(env, "PUBLIC_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
        csat_delay_seconds=_number(env, "CSAT_DELAY_HOURS", 24.0, 0.0) * 3600,
    )


@dataclass(frozen=True)
class Settings:
    stage: str
    table_name: str
    pivot_language: str
    # Ordered failover chain of translation providers; ("none",) leaves tickets untranslated.
    translators: tuple[str, ...]
    # Provider endpoints (None: the provider's public one) and keys; see _translator_settings.
    google_translate_url: str | None
    deepl_api_key: SecretSetting | None
    deepl_url: str | None
    microsoft_api_key: SecretSetting | None
    microsoft_region: str | None
    microsoft_url: str | None
    libretranslate_url: str | None
    libretranslate_api_key: SecretSetting | None
    mymemory_url: str | None
    mymemory_email: str | None
    # Every provider call gives up after this long; ProviderUnavailable is retried with
    # exponential backoff and jitter; BREAKER_FAILURES failed calls in a row open the circuit.
    translate_timeout_seconds: float
    translate_retries: int
    translate_backoff_seconds: float
    translate_backoff_max_seconds: float
    breaker_failures: int
    breaker_cooldown_seconds: float
    # True only where the event source mapping has FunctionResponseTypes=ReportBatchItemFailures.
    # Otherwise AWS would delete the "failed" messages, so a failed record fails the whole batch.
    report_batch_item_failures: bool
    sweep_after_seconds: float
    sweep_max_attempts: int
    idempotency_ttl_seconds: int
    # The key agent tokens are signed with (AGENT_TOKEN_SECRET, or its _SSM_PARAMETER /
    # _SECRET_ID form in AWS); without it no agent route accepts anyone.
    agent_token_secret: SecretSetting | None = None
    # The local stage's clock can be moved forward through /dev/clock (never inside Lambda).
    movable_clock: bool = False
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    # The evidence bucket (EVIDENCE_BUCKET, else derived from the stage; Lambda gets the deployed
    # bucket's name from the template).
    evidence_bucket: str = ""
    safeguards: SafeguardSettings = field(default_factory=SafeguardSettings)
    # A console served from another origin (CONSOLE_ORIGIN, e.g. https://desk.example.com): the
    # API answers it with CORS headers, and no other origin; unset, no cross-origin access at all.
    console_origin: str | None = None
    # DESK_LANGUAGES=off: machine-translate every ticket not in the pivot at intake, as if no
    # desk read any other language (data/desk_languages.json says so per region instead).
    desk_languages: bool = True

    def queue_name(self, role: str) -> str:
        return aws_resource_names.queue_name(self.stage, role)

    def desk_queue_name(self, region: str) -> str:
        return aws_resource_names.desk_queue_name(self.stage, region)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        stage = env.get("APP_STAGE", "local").strip() or "local"
        if not stage.replace("-", "").isalnum():
            raise SettingsError(f"APP_STAGE must be alphanumeric, got {stage!r}")
        pivot = env.get("PIVOT_LANGUAGE", "en").strip().lower()
        if len(pivot) != 2 or not pivot.isalpha():
            raise SettingsError(f"PIVOT_LANGUAGE must be an ISO 639-1 code, got {pivot!r}")
        return cls(
            stage=stage,
            table_name=env.get("TABLE_NAME") or aws_resource_names.table_name(stage),
            pivot_language=pivot,
            **_translator_settings(env, stage),
            report_batch_item_failures=_bool(env, "REPORT_BATCH_ITEM_FAILURES", False),
            sweep_after_seconds=_number(env, "SWEEP_AFTER_SECONDS", 300.0, 1.0),
            sweep_max_attempts=int(_number(env, "SWEEP_MAX_ATTEMPTS", 10, 1)),
            idempotency_ttl_seconds=int(_number(env, "IDEMPOTENCY_TTL_HOURS", 24, 1) * 3600),
            agent_token_secret=_secret(env, "AGENT_TOKEN_SECRET", stage),
            movable_clock=_movable_clock(env),
            notifications=_notification_settings(env, stage),
            evidence_bucket=_evidence_bucket(env, stage),
            safeguards=_safeguard_settings(env),
            console_origin=_origin(env, "CONSOLE_ORIGIN"),
            desk_languages=_bool(env, "DESK_LANGUAGES", True),
        )


def _evidence_bucket(env: Mapping[str, str], stage: str) -> str:
    name = (env.get("EVIDENCE_BUCKET") or "").strip()
    if not name:
        return aws_resource_names.evidence_bucket_name(stage)
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", name) or ".." in name:
        raise SettingsError(f"EVIDENCE_BUCKET must be an S3 bucket name (3-63 of a-z 0-9 . -), got {name!r}")
    return name


def _movable_clock(env: Mapping[str, str]) -> bool:
    movable = _bool(env, "MOVABLE_CLOCK", False)
    if movable and env.get("AWS_LAMBDA_FUNCTION_NAME"):
        raise SettingsError("MOVABLE_CLOCK is for the local stage only; it is refused inside Lambda")
    return movable


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing env."""
    return Settings.from_env()
