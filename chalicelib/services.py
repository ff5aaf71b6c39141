"""The process-wide object graph: settings, store, publisher, detector, translators, clock.

Built on first use (cold starts pay only for what a function touches); tests replace pieces
with `override_services(...)` and restore with `reset_services()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from chalicelib.domain.ports import Detector, Publisher, TicketStore, Translator
from chalicelib.domain.ticket import utc_now
from chalicelib.domain.translation import TextTranslator
from chalicelib.settings import Settings, get_settings


@dataclass
class Services:
    settings: Settings
    clock: Callable[[], datetime] = utc_now
    overrides: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def store(self) -> TicketStore:
        if "store" in self.overrides:
            return self.overrides["store"]
        from chalicelib.adapters.dynamodb_ticket_store import DynamoDBTicketStore

        return DynamoDBTicketStore(self.settings.table_name)

    @cached_property
    def publisher(self) -> Publisher:
        if "publisher" in self.overrides:
            return self.overrides["publisher"]
        from chalicelib.adapters.sqs_publisher import SqsPublisher

        return SqsPublisher()

    @cached_property
    def detector(self) -> Detector:
        if "detector" in self.overrides:
            return self.overrides["detector"]
        from chalicelib.adapters.ngram_detector import NgramDetector

        return NgramDetector()

    @cached_property
    def translators(self) -> list[Translator]:
        if "translators" in self.overrides:
            return self.overrides["translators"]
        from chalicelib.adapters.translators import build_translators

        return build_translators(self.settings)

    @cached_property
    def agent_token_secret(self) -> str | None:
        """The key agent tokens are signed with (resolved from SSM or Secrets Manager in AWS)."""
        setting = self.settings.agent_token_secret
        if setting is None:
            return None
        from chalicelib.adapters.secrets import resolve_secret

        return resolve_secret(setting)

    @cached_property
    def text_translator(self) -> TextTranslator:
        """Masking, glossary, cache and failover over the configured providers."""
        from chalicelib.adapters.dynamodb_translation_cache import DynamoDBTranslationCache

        cache = self.overrides.get("translation_cache") or DynamoDBTranslationCache(self.settings.table_name)
        return TextTranslator(self.translators, cache)


_current: Services | None = None


def get_services() -> Services:
    global _current
    if _current is None:
        settings = get_settings()
        if settings.movable_clock:
            from chalicelib.domain.clock import movable_clock

            _current = Services(settings=settings, clock=movable_clock)
        else:
            _current = Services(settings=settings)
    return _current


def override_services(**overrides: Any) -> Services:
    """Replace parts of the graph: settings=..., clock=..., store=..., detector=..., etc."""
    global _current
    base = get_services()
    settings = overrides.pop("settings", base.settings)
    clock = overrides.pop("clock", base.clock)
    _current = replace(base, settings=settings, clock=clock, overrides={**base.overrides, **overrides})
    # cached_property values live in __dict__; replace() copies fields only, so they rebuild.
    return _current


def reset_services() -> None:
    global _current
    get_settings.cache_clear()
    _current = None
