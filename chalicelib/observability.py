"""The app's one structured logger, and the per-record keys every log line of a record carries.

Powertools' Logger writes JSON lines through the standard `polyglot-desk` logger (the local stack
reads them as such). `record_context` sets the ticket id and correlation id for the lines logged
while one SQS record (or request) is handled; the keys are thread-local, since the local stack
runs several workers in threads of one process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

from aws_lambda_powertools import Logger

SERVICE = "polyglot-desk"
logger = Logger(service=SERVICE)


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
