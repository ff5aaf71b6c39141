"""The local stack end to end: real HTTP into chalice.local, real pollers, an embedded moto server.

The stack runs in this process on a free port with stage `local` (tests/conftest.py set stage
`test`); stopping it must leave the environment, the cached clients and dependencies as they were,
so the tests that follow in the same process are not affected.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from bench.messages import BY_LANGUAGE
from devstack.stack import LocalStack

pytestmark = pytest.mark.slow

ROUTE_WAIT_SECONDS = 15.0


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    environment_before = _environment()
    with LocalStack(port=0, honour_env_endpoint=False, log_level="WARNING", sweep_interval_seconds=2.0) as local:
        local.wait_until_healthy()
        yield local
    assert _environment() == environment_before, "the stack left os.environ changed"
    from chalicelib.settings import get_settings

    assert get_settings().stage == environment_before["APP_STAGE"]


# pytest rewrites PYTEST_CURRENT_TEST per phase; Chalice() sets AWS_EXECUTION_ENV when app.py is
# first imported (whoever imports it first), not something the stack sets or could undo.
_NOT_OURS = frozenset({"PYTEST_CURRENT_TEST", "AWS_EXECUTION_ENV"})


def _environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in _NOT_OURS}


def call(
    method: str, url: str, body: Any = None, token: str | None = None, raw: bytes | None = None
) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_health_answers_for_the_local_stage(stack: LocalStack) -> None:
    assert call("GET", f"{stack.base_url}/health") == (200, {"status": "ok", "stage": "local", "pivot_language": "en"})


def test_tickets_in_several_languages_reach_their_regional_desk(stack: LocalStack) -> None:
    # Given tickets as the app sends them: with a country, with only a locale, with text alone
    cases = [
        (BY_LANGUAGE["es"].body(), "es", "latam"),  # country MX
        (BY_LANGUAGE["ms"].body(with_country=False), "ms", "apac"),  # locale ms-MY tells Malay from Indonesian
        (BY_LANGUAGE["ja"].body(with_country=False, with_locale=False), "ja", "apac"),  # the language decides
        ({**BY_LANGUAGE["en"].body(), "requester": {"country": "GB"}}, "en", "emea"),  # the country beats English
    ]
    # When they are posted over HTTP
    created = []
    for body, language, region in cases:
        status, answer = call("POST", f"{stack.base_url}/tickets", body)
        assert status == 201, answer
        created.append((answer, language, region))

    # Then every one is routed by the pollers within a few seconds
    deadline = time.monotonic() + ROUTE_WAIT_SECONDS
    views: dict[str, dict[str, Any]] = {}
    while time.monotonic() < deadline and len(views) < len(created):
        for answer, _, _ in created:
            status, view = call("GET", f"{stack.base_url}/tickets/{answer['ticket_id']}", token=answer["access_token"])
            assert status == 200, view
            if view["status"] == "routed":
                views[answer["ticket_id"]] = view
        time.sleep(0.1)
    unrouted = [answer["ticket_id"] for answer, _, _ in created if answer["ticket_id"] not in views]
    assert not unrouted, f"not routed within {ROUTE_WAIT_SECONDS:g} s: {unrouted}"
    # ... with the language detected and the region the routing table gives
    for answer, language, region in created:
        view = views[answer["ticket_id"]]
        assert (view["language"]["code"], view["region"]) == (language, region), view
        assert view["queue"] == f"polyglot-desk-local-desk-{region}"


def test_bad_and_oversized_bodies_are_refused(stack: LocalStack) -> None:
    status, answer = call("POST", f"{stack.base_url}/tickets", raw=b'{"description": ')
    assert status == 400
    assert answer["error"]["code"] == "invalid_json"

    status, answer = call("POST", f"{stack.base_url}/tickets", {"subject": "no description"})
    assert (status, answer["error"]["field"]) == (400, "description")

    status, answer = call("POST", f"{stack.base_url}/tickets", raw=json.dumps({"description": "x" * 70_000}).encode())
    assert status == 413
    assert answer["error"]["code"] == "payload_too_large"


def test_a_wrong_token_gets_the_same_404_as_an_unknown_ticket(stack: LocalStack) -> None:
    status, created = call("POST", f"{stack.base_url}/tickets", BY_LANGUAGE["de"].body())
    assert status == 201
    wrong = call("GET", f"{stack.base_url}/tickets/{created['ticket_id']}", token="not-the-token")
    unknown = call("GET", f"{stack.base_url}/tickets/01ARZ3NDEKTSV4RRFFQ69G5FAV", token=created["access_token"])
    assert wrong == unknown
    assert wrong[0] == 404


def test_64_clients_connecting_at_once_are_all_answered(stack: LocalStack) -> None:
    # Given 64 clients that open their connections in the same instant
    start = threading.Barrier(64)
    answers: list[int | str] = []

    def one_client() -> None:
        start.wait()
        try:
            answers.append(call("GET", f"{stack.base_url}/health")[0])
        except OSError as error:  # a reset connection, a refused one
            answers.append(type(error).__name__)

    threads = [threading.Thread(target=one_client) for _ in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then every one of them gets its answer (the listen backlog is not http.server's 5)
    assert sorted(map(str, answers)) == ["200"] * 64
