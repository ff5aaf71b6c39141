"""Retries with backoff and a circuit breaker around any Translator.

A provider that is down should cost one fast failure per ticket, not one timeout per ticket:
after `failure_threshold` unavailable attempts in a row the breaker opens and every call fails
at once with ProviderUnavailable("circuit open") until a cool-down has passed; then one trial
call goes through (half-open) and its outcome closes or re-opens the breaker.

State lives in the wrapper, so it lasts as long as the translator chain: one per process
(Lambda container), shared by the threads of that process.
"""

from __future__ import annotations

import enum
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.domain.ports import ProviderUnavailable, TranslationRejected, Translator
from chalicelib.observability import logger


class ProviderRefused(ProviderUnavailable):
    """The provider turns us away (key refused, quota spent, endpoint missing).

    Another provider may still help, and so may this one later, but retrying at once will not.
    """


class CircuitOpen(ProviderUnavailable):
    """The breaker is open: the call was not attempted."""

    def __init__(self) -> None:
        super().__init__("circuit open")


class BreakerState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """closed -> open after `failure_threshold` consecutive failures -> half-open after
    `cooldown_seconds` (one trial call) -> closed on its success, open again on its failure.

    `clock` is monotonic seconds; tests pass their own.
    """

    def __init__(
        self,
        name: str,
        failure_threshold: int,
        cooldown_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.name = name
        self._failure_threshold = failure_threshold
        self._cooldown_seconds = cooldown_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._consecutive_failures = 0
        self._opened_at = 0.0

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state

    @property
    def consecutive_failures(self) -> int:
        with self._lock:
            return self._consecutive_failures

    def acquire(self) -> None:
        """Let one call through, or raise CircuitOpen at once."""
        with self._lock:
            if self._state is BreakerState.CLOSED:
                return
            # After the cool-down this caller becomes the one trial; everyone else keeps failing
            # fast meanwhile. A trial that never reported back (its thread died) is replaced
            # after another cool-down, so the breaker cannot stay half-open for good.
            if self._clock() - self._opened_at >= self._cooldown_seconds:
                self._state = BreakerState.HALF_OPEN
                self._opened_at = self._clock()
                logger.info("circuit half-open: trying the provider again", extra={"provider": self.name})
                return
            raise CircuitOpen()

    def is_open(self) -> bool:
        """True while calls are being refused (open or a trial in flight)."""
        with self._lock:
            return self._state is not BreakerState.CLOSED

    def record_success(self) -> None:
        """The provider answered (a translation or a refusal of this input): it is up."""
        with self._lock:
            if self._state is not BreakerState.CLOSED:
                logger.info("circuit closed: the provider answers again", extra={"provider": self.name})
            self._state = BreakerState.CLOSED
            self._consecutive_failures = 0

    def record_failure(self) -> None:
        with self._lock:
            self._consecutive_failures += 1
            if self._state is BreakerState.HALF_OPEN or (
                self._state is BreakerState.CLOSED and self._consecutive_failures >= self._failure_threshold
            ):
                self._state = BreakerState.OPEN
                self._opened_at = self._clock()
                logger.warning(
                    "circuit open: failing fast",
                    extra={
                        "provider": self.name,
                        "consecutive_failures": self._consecutive_failures,
                        "cooldown_seconds": self._cooldown_seconds,
                    },
                )


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter: attempt n waits uniform(0, min(max, base * 2**n))."""

    retries: int = 2
    base_delay_seconds: float = 0.2
    max_delay_seconds: float = 2.0

    def delay(self, attempt: int, draw: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed attempt number `attempt` (0 for the first); `draw` is in [0, 1)."""
        ceiling = min(self.max_delay_seconds, self.base_delay_seconds * 2**attempt)
        return ceiling * draw()


class ResilientTranslator:
    """A Translator that retries ProviderUnavailable and fails fast while its provider is down.

    TranslationRejected is never retried (the same input gets the same refusal) and counts as a
    sign of life for the breaker. ProviderRefused is not retried either, but counts as a failure.
    Any other exception is an adapter bug: it is logged and reported as ProviderUnavailable, so
    the ticket waits for a later translation instead of failing its whole batch.
    """

    def __init__(
        self,
        inner: Translator,
        breaker: CircuitBreaker,
        retry: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
        draw: Callable[[], float] = random.random,
    ) -> None:
        self.inner = inner
        self.breaker = breaker
        self.retry = retry
        self.name: str = inner.name
        self.max_chars: int = inner.max_chars
        self.max_bytes: int = inner.max_bytes
        self._sleep = sleep
        self._draw = draw

    def translate(self, text: str, source: str, target: str) -> str:
        attempt = 0
        while True:
            self.breaker.acquire()
            try:
                translated = self.inner.translate(text, source, target)
            except TranslationRejected:
                self.breaker.record_success()
                raise
            except ProviderUnavailable as error:
                self.breaker.record_failure()
                if isinstance(error, ProviderRefused) or attempt >= self.retry.retries or self.breaker.is_open():
                    raise
                problem = str(error)
            except Exception as error:
                self.breaker.record_failure()
                logger.exception("translator failed unexpectedly", extra={"provider": self.name})
                raise ProviderUnavailable(f"unexpected {type(error).__name__}") from error
            else:
                self.breaker.record_success()
                return translated
            delay = self.retry.delay(attempt, self._draw)
            # A warning, not info: prod logs at WARNING, and the provider-failure alarm counts these.
            logger.warning(
                "provider unavailable; retrying",
                extra={
                    "provider": self.name,
                    "attempt": attempt + 1,
                    "delay_seconds": round(delay, 3),
                    "problem": problem,
                },
            )
            self._sleep(delay)
            attempt += 1
