"""Secrets named by settings, read from SSM Parameter Store or Secrets Manager on first use.

In AWS stages a provider key is not in the environment: `DEEPL_API_KEY_SSM_PARAMETER` (or
`..._SECRET_ID`) names where it lives. It is read the first time an adapter needs it, not at
import or cold start (a function that never translates never pays for it), and kept for the
life of the process. `forget_secret` drops it after the provider refused it, so a rotated key
is picked up on the next call.
"""

from __future__ import annotations

import threading

from chalicelib.settings import SecretSetting


class SecretUnavailable(RuntimeError):
    """The secret could not be read: missing, access denied, empty, or AWS unreachable."""


_lock = threading.Lock()
_cache: dict[tuple[str, str], str] = {}


def _cache_key(setting: SecretSetting) -> tuple[str, str] | None:
    if setting.ssm_parameter is not None:
        return ("ssm", setting.ssm_parameter)
    if setting.secret_id is not None:
        return ("secretsmanager", setting.secret_id)
    return None


def resolve_secret(setting: SecretSetting) -> str:
    """The secret's value; SecretUnavailable (naming the variable, never the value) if unreadable."""
    key = _cache_key(setting)
    if key is None:
        if not setting.value:
            raise SecretUnavailable(f"{setting.variable} is empty")
        return setting.value
    cached = _cache.get(key)
    if cached is not None:
        return cached
    # One read per secret per process, even when several worker threads need it at once.
    with _lock:
        cached = _cache.get(key)
        if cached is None:
            cached = _read(setting, *key)
            _cache[key] = cached
        return cached


def forget_secret(setting: SecretSetting) -> None:
    key = _cache_key(setting)
    if key is not None:
        with _lock:
            _cache.pop(key, None)


def reset_secret_cache() -> None:
    """Forget every secret read so far (tests)."""
    with _lock:
        _cache.clear()


def _read(setting: SecretSetting, service: str, name: str) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib.adapters.aws import client

    where = f"SSM parameter {name}" if service == "ssm" else f"Secrets Manager secret {name}"
    try:
        if service == "ssm":
            value = client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
        else:
            answer = client("secretsmanager").get_secret_value(SecretId=name)
            binary = answer.get("SecretBinary")
            value = answer.get("SecretString") or (binary.decode("utf-8") if binary else "")
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        raise SecretUnavailable(f"{setting.variable}: cannot read {where} ({code})") from None
    except (BotoCoreError, UnicodeDecodeError) as error:
        raise SecretUnavailable(f"{setting.variable}: cannot read {where} ({type(error).__name__})") from None
    value = value.strip()
    if not value:
        raise SecretUnavailable(f"{setting.variable}: {where} is empty")
    return value
