"""The app's one structured logger, and the per-record keys every log line of a record carries.

Powertools' Logger writes JSON lines through the standard `polyglot-desk` logger (the local stack
reads them as such). `record_context` sets the ticket id and correlation id for the lines logged
while one SQS record (or request) is handled; the keys are thread-local, since the local stack
runs several workers in threads of one process.

The Logger is built on its first use, not at import: Powertools' import (with botocore's user
agent) is about 60 ms of CPU that a cold start of the API or the authorizer pays only once a
line is logged.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

SERVICE = "polyglot-desk"


class _LoggerOnFirstUse:
    """Stands in for Powertools' Logger until something uses it, then passes every use to it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._logger: Logger | None = None

    def _built(self) -> Logger:
        with self._lock:  # the local stack's worker threads may log first at the same time
            if self._logger is None:
                from aws_lambda_powertools import Logger

                self._logger = Logger(service=SERVICE)
            return self._logger

    def __getattr__(self, name: str) -> Any:
        logger = self._logger if self._logger is not None else self._built()
        return getattr(logger, name)


logger = cast("Logger", _LoggerOnFirstUse())


@contextlib.contextmanager
def record_context(**keys: str | None) -> Iterator[None]:
    """Every line logged inside carries `keys` (for example ticket_id and correlation_id)."""
    present = {name: value for name, value in keys.items() if value is not None}
    logger.thread_safe_append_keys(**present)
    try:
        yield
    finally:
        logger.thread_safe_remove_keys(list(present))


def trace_calls(env: Mapping[str, str]) -> bool:
    """X-Ray subsegments for every AWS call (DynamoDB, SQS, Translate...) and every provider HTTP
    call of this function, through Powertools' Tracer, when TRACE_CALLS=true inside Lambda (the
    deployed stages set it for the workers). It costs about 0.2 s of cold start (the X-Ray SDK
    and its patches), which is why the API and the authorizer, where a person waits, go without:
    their traces still show each invocation (active tracing)."""
    if env.get("TRACE_CALLS", "").strip().lower() != "true" or not env.get("AWS_LAMBDA_FUNCTION_NAME"):
        return False
    from aws_lambda_powertools import Tracer

    Tracer(service=SERVICE, patch_modules=["botocore", "requests"])
    return True
