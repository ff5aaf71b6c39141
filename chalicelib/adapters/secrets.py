"""Secrets named by settings, read from SSM Parameter Store or Secrets Manager on first use.

In AWS stages a provider key is not in the environment: `DEEPL_API_KEY_SSM_PARAMETER` (or
`..._SECRET_ID`) names where it lives. It is read the first time an adapter needs it, not at
import or cold start (a function that never translates never pays for it), and kept for the
life of the process. `forget_secret` drops it after the provider refused it, so a rotated key
is picked up on the next call.

The reads go through Powertools Parameters (`SSMProvider`, `SecretsProvider`), built lazily on
our own boto3 clients (`aws.client`: the shared botocore config, `AWS_ENDPOINT_URL` for moto) and
rebuilt when `aws.reset_clients` replaced a client. The process cache is ours, not the
providers': it holds the checked value (decoded, stripped, non-empty), so a refused value is never
kept, one lock gives one read per secret even when several worker threads ask at once, and the
cache outlives a client reset as it always did. The providers therefore read with `max_age=0`
(they keep nothing) and `force_fetch=True` (every call they get is a miss of our cache).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from chalicelib.settings import SecretSetting

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider, SSMProvider


class SecretUnavailable(RuntimeError):
    """The secret could not be read: missing, access denied, empty, or AWS unreachable."""


_SSM = "ssm"
_SECRETS_MANAGER = "secretsmanager"

_lock = threading.Lock()
_cache: dict[tuple[str, str], str] = {}
# One provider per service, on the client `aws.client` gave it; replaced when that client is.
_providers: dict[str, SSMProvider | SecretsProvider] = {}


def _cache_key(setting: SecretSetting) -> tuple[str, str] | None:
    if setting.ssm_parameter is not None:
        return (_SSM, setting.ssm_parameter)
    if setting.secret_id is not None:
        return (_SECRETS_MANAGER, setting.secret_id)
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
    """Forget every secret read so far, and the providers that read them (tests)."""
    with _lock:
        _cache.clear()
        _providers.clear()


def _provider(service: str) -> SSMProvider | SecretsProvider:
    """The Powertools provider for `service` on our current client (call with `_lock` held)."""
    from aws_lambda_powertools.utilities.parameters import SecretsProvider, SSMProvider

    from chalicelib.adapters.aws import client

    boto3_client = client(service)
    provider = _providers.get(service)
    if provider is None or provider.client is not boto3_client:
        kind = SSMProvider if service == _SSM else SecretsProvider
        provider = _providers[service] = kind(boto3_client=boto3_client)
    return provider


def _fetch(service: str, name: str) -> str | bytes:
    """One read from AWS (call with `_lock` held); raises the error AWS or botocore raised."""
    from aws_lambda_powertools.utilities.parameters import GetParameterError, SSMProvider

    provider = _provider(service)
    try:
        if isinstance(provider, SSMProvider):
            return provider.get(name, max_age=0, force_fetch=True, decrypt=True)
        return provider.get(name, max_age=0, force_fetch=True)
    except GetParameterError as wrapped:
        # Powertools wraps every failure of the read; the error it wrapped says what went wrong.
        if wrapped.__context__ is None:
            raise
        raise wrapped.__context__ from None


def _read(setting: SecretSetting, service: str, name: str) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    where = f"SSM parameter {name}" if service == _SSM else f"Secrets Manager secret {name}"
    try:
        fetched = _fetch(service, name)
        # A SecretBinary comes back as bytes: the key is its UTF-8 text.
        value = fetched.decode("utf-8") if isinstance(fetched, bytes) else fetched
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        raise SecretUnavailable(f"{setting.variable}: cannot read {where} ({code})") from None
    except (BotoCoreError, UnicodeDecodeError) as error:
        raise SecretUnavailable(f"{setting.variable}: cannot read {where} ({type(error).__name__})") from None
    value = value.strip()
    if not value:
        raise SecretUnavailable(f"{setting.variable}: {where} is empty")
    return value
