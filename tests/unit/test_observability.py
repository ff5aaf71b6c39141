"""Tracing: X-Ray subsegments only where asked (TRACE_CALLS) and only inside Lambda."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any, ClassVar

import pytest

from chalicelib import observability


class RecordingTracer:
    made: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, **kwargs: Any) -> None:
        RecordingTracer.made.append(kwargs)


@pytest.fixture
def tracer(monkeypatch: pytest.MonkeyPatch) -> type[RecordingTracer]:
    import aws_lambda_powertools

    RecordingTracer.made = []
    monkeypatch.setattr(aws_lambda_powertools, "Tracer", RecordingTracer)
    return RecordingTracer


def test_a_worker_in_lambda_with_trace_calls_patches_aws_and_provider_calls(tracer):
    assert observability.trace_calls({"TRACE_CALLS": "true", "AWS_LAMBDA_FUNCTION_NAME": "polyglot-desk-dev-route"})
    assert tracer.made == [{"service": "polyglot-desk", "patch_modules": ["botocore", "requests"]}]


@pytest.mark.parametrize(
    "env",
    [
        {"AWS_LAMBDA_FUNCTION_NAME": "polyglot-desk-dev"},  # the API: a person waits on its cold start
        {"TRACE_CALLS": "true"},  # outside Lambda (tests, the local stack): no X-Ray daemon to talk to
        {"TRACE_CALLS": "false", "AWS_LAMBDA_FUNCTION_NAME": "polyglot-desk-dev-route"},
    ],
)
def test_elsewhere_nothing_is_patched(tracer, env):
    assert not observability.trace_calls(env)
    assert tracer.made == []


def test_deployed_stages_trace_the_workers_calls_and_not_the_api_or_the_authorizer():
    import json
    from pathlib import Path

    config = json.loads((Path(__file__).resolve().parents[2] / ".chalice" / "config.json").read_text())
    for stage in ("dev", "prod"):
        functions = config["stages"][stage]["lambda_functions"]
        traced = {name for name, spec in functions.items() if spec.get("environment_variables", {}).get("TRACE_CALLS")}
        assert traced == set(functions) - {"api_handler", "agent_authorizer"}


def test_every_line_is_logged_once_whoever_builds_the_logger_first():
    # Given the app imported (Chalice names its logger after the app, as Powertools does after
    # the service) and the app's logger built on first use
    script = (
        "import logging, app\n"
        "from chalicelib.observability import logger\n"
        "logger.info('one line')\n"
        "print(len(logging.getLogger('polyglot-desk').handlers))\n"
    )

    # When a fresh process logs one line
    env = {**os.environ, "POWERTOOLS_LOG_LEVEL": "INFO"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env)

    # Then the logger has one handler and the line appears once
    assert result.stdout.strip().splitlines()[-1] == "1"
    assert result.stdout.count("one line") == 1
