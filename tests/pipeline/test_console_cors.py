"""A console on another origin (issue 12): with CONSOLE_ORIGIN the API answers that origin's
preflight and answers with CORS headers; without it, no cross-origin access at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]
# The app reads its settings once, when app.py is imported: another process, another origin.
PROBE = """
import json, sys
import app
from chalice.config import Config
from chalice.local import LocalGateway
gateway = LocalGateway(app.app, Config())
def ask(method, path, headers):
    answer = gateway.handle_request(method, path, headers, b"")
    return {"status": answer["statusCode"], "headers": {k.lower(): v for k, v in answer["headers"].items()}}
origin = {"origin": "https://desk.example.com"}
print(json.dumps({
    "preflight": ask("OPTIONS", "/tickets", {**origin, "access-control-request-method": "POST"}),
    "health": ask("GET", "/health", origin),
}))
"""


def probe(**env: str) -> dict:
    environment = {**os.environ, **env, "MOVABLE_CLOCK": "false"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_console_on_its_configured_origin_may_call_the_api():
    # Given a stage that names its console's origin
    answers = probe(CONSOLE_ORIGIN="https://desk.example.com")
    # Then the browser's preflight is answered for that origin, with the headers the API takes
    preflight = answers["preflight"]["headers"]
    assert answers["preflight"]["status"] == 200
    assert preflight["access-control-allow-origin"] == "https://desk.example.com"
    assert {"Authorization", "Idempotency-Key"} <= set(preflight["access-control-allow-headers"].split(","))
    # And an answer carries the origin, and exposes Retry-After (a console shows when to retry)
    health = answers["health"]["headers"]
    assert health["access-control-allow-origin"] == "https://desk.example.com"
    assert "Retry-After" in health["access-control-expose-headers"]
    assert "access-control-allow-credentials" not in health


def test_without_a_console_origin_no_origin_gets_cors_headers(api):
    answer = api.http.get("/health", headers={"Origin": "https://evil.example"})
    assert not [name for name in answer.headers if name.lower().startswith("access-control")]


@pytest.mark.parametrize("raw", ["desk.example.com", "https://desk.example.com/console", "*"])
def test_a_console_origin_must_be_an_origin(raw):
    with pytest.raises(SettingsError, match="CONSOLE_ORIGIN"):
        Settings.from_env({"CONSOLE_ORIGIN": raw})
