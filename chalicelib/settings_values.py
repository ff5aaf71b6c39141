"""Reading typed values from the environment: the checks every setting shares, each naming the
variable it refuses (chalicelib/settings.py and safeguard_settings.py use them)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping


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


def _url(env: Mapping[str, str], name: str) -> str | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    if not raw.startswith(("http://", "https://")) or len(raw) <= len("https://"):
        raise SettingsError(f"{name} must be an http:// or https:// URL, got {raw!r}")
    return raw


def _origin(env: Mapping[str, str], name: str) -> str | None:
    """scheme://host[:port], nothing after: what a browser sends as Origin."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", raw):
        raise SettingsError(f"{name} must be an origin like https://desk.example.com (no path), got {raw!r}")
    return raw
