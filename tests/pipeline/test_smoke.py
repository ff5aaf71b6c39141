"""The post-deploy smoke test (`python -m devstack.smoke --base-url URL`) against the local stack
over real HTTP: it passes on a working stack and says which step failed on a broken one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devstack import smoke
from devstack.stack import LocalStack

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(port=0, honour_env_endpoint=False, log_level="WARNING", sweep_interval_seconds=2.0) as local:
        local.wait_until_healthy()
        yield local


def test_the_smoke_test_follows_a_ticket_to_routed_on_a_working_stack(stack: LocalStack, capsys) -> None:
    # When the smoke test runs against the stack's base URL
    status = smoke.main(["--base-url", stack.base_url + "/", "--wait", "30"])

    # Then it passes, having seen the ticket accepted, routed to latam in Spanish, and the docs
    out, err = capsys.readouterr()
    assert status == 0, out + err
    assert "ok   health: stage 'local'" in out
    assert "ok   routed: language es, region latam, queue polyglot-desk-local-desk-latam" in out
    assert "ok   /docs" in out and out.rstrip().endswith("smoke test passed")


def test_the_smoke_test_names_the_failing_step(stack: LocalStack, capsys) -> None:
    # Given a base URL where no API answers (the stage path is wrong)
    status = smoke.main(["--base-url", stack.base_url + "/no-such-stage", "--wait", "1"])

    # Then it fails at the first step and says so
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("FAIL GET /health answered 404") or err.startswith("FAIL GET /health answered 403"), err


def test_the_smoke_test_reports_an_unreachable_endpoint(capsys) -> None:
    # Given nothing listening (port 9 on localhost: discard, closed here)
    status = smoke.main(["--base-url", "http://127.0.0.1:9", "--wait", "1"])
    assert status == 1
    assert capsys.readouterr().err.startswith("FAIL GET http://127.0.0.1:9/health")
