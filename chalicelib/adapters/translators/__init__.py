"""Translation providers behind the Translator port, and the factory for the configured chain.

Every adapter maps our ISO 639-1 codes to the provider's and turns every failure into
ProviderUnavailable (network, timeout, 5xx, 429; ProviderRefused for a refused key or spent
quota) or TranslationRejected (unsupported pair, a 4xx about the input, an empty answer).

Every HTTP request goes through `http_request`, which bounds it by the adapter's timeout:
deep-translator passes no timeout at all, and a dead provider must cost seconds, never the
whole Lambda timeout. Google and MyMemory run through deep-translator with that transport in
place of `requests`. DeepL, Microsoft and LibreTranslate are called directly, because
deep-translator 1.11.4 speaks protocols they no longer accept or does network I/O we cannot
bound (see each class). Amazon Translate goes through boto3.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from chalicelib.adapters.resilient_translator import CircuitBreaker, ResilientTranslator, RetryPolicy
from chalicelib.adapters.translators.amazon import AmazonTranslator
from chalicelib.adapters.translators.deep_translator_providers import GoogleTranslator, MyMemoryTranslator
from chalicelib.adapters.translators.direct_http import DeeplTranslator, LibreTranslator, MicrosoftTranslator
from chalicelib.domain.ports import Translator
from chalicelib.settings import Settings

__all__ = [
    "AmazonTranslator",
    "DeeplTranslator",
    "GoogleTranslator",
    "LibreTranslator",
    "MicrosoftTranslator",
    "MyMemoryTranslator",
    "build_provider",
    "build_translators",
]

# --- the configured chain --------------------------------------------------------------------


def build_provider(name: str, settings: Settings) -> Translator:
    """The bare adapter for one provider name in TRANSLATORS (no retries, no breaker)."""
    timeout = settings.translate_timeout_seconds
    if name == "aws":
        return AmazonTranslator(timeout)
    if name == "google":
        return GoogleTranslator(settings.google_translate_url, timeout)
    if name == "deepl" and settings.deepl_api_key is not None:
        return DeeplTranslator(settings.deepl_api_key, settings.deepl_url, timeout)
    if name == "microsoft" and settings.microsoft_api_key is not None:
        return MicrosoftTranslator(
            settings.microsoft_api_key, settings.microsoft_region, settings.microsoft_url, timeout
        )
    if name == "libre" and settings.libretranslate_url is not None:
        return LibreTranslator(settings.libretranslate_url, settings.libretranslate_api_key, timeout)
    if name == "mymemory":
        return MyMemoryTranslator(settings.mymemory_url, settings.mymemory_email, timeout)
    raise ValueError(f"cannot build translator {name!r} from these settings")  # Settings validates first


def build_translators(settings: Settings, clock: Callable[[], float] = time.monotonic) -> list[Translator]:
    """The failover chain in the configured order, each provider with retries and a breaker.

    `none` contributes no provider. The breakers live as long as the returned chain: the
    composition root builds it once per process.
    """
    retry = RetryPolicy(
        retries=settings.translate_retries,
        base_delay_seconds=settings.translate_backoff_seconds,
        max_delay_seconds=settings.translate_backoff_max_seconds,
    )
    chain: list[Translator] = []
    for name in settings.translators:
        if name == "none":
            continue
        breaker = CircuitBreaker(name, settings.breaker_failures, settings.breaker_cooldown_seconds, clock)
        chain.append(ResilientTranslator(build_provider(name, settings), breaker, retry))
    return chain
