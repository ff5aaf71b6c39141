"""GET /metrics through the real handlers: tickets submitted, routed by the workers, answered,
resolved and escalated, then the report an agent reads (totals, by region, by language)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.api.openapi import openapi_document
from chalicelib.composition_root import dependencies, override_dependencies
from chalicelib.domain.agent_tokens import Agent, mint_agent_token
from chalicelib.domain.ticket import utc_now
from tests.pipeline.conftest import create_ticket, openapi_validator, view

SECRET = "test-stage-agent-token-secret"
ENGLISH = "My live stream keeps freezing and the app shows an error every time I open it."
SPANISH = "Me cobraron dos veces el pedido y no recibí nada, necesito ayuda urgente por favor."


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


def agent_token(name: str = "ana", regions: tuple[str, ...] = ("na",)) -> str:
    expires = int((utc_now() + timedelta(hours=8)).timestamp())
    return mint_agent_token(Agent(name, regions, ("en",), expires), SECRET)


def call(api: Any, method: str, path: str, token: str, payload: Any = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps(payload) if payload is not None else ""
    answer = getattr(api.http, method)(path, headers=headers, body=body)
    return answer.status_code, json.loads(answer.body) if answer.body else None


def routed(api: Any, pipeline: Any, description: str, country: str, category: str = "content.report") -> str:
    created = create_ticket(api, {"description": description, "category": category, "requester": {"country": country}})
    pipeline.drain()
    assert view(api, created)["status"] == "routed"
    return created["ticket_id"]


def at(offset: timedelta) -> None:
    """The app's clock, `offset` from the real time."""
    later = utc_now() + offset
    override_dependencies(clock=lambda: later)


def metrics(api: Any, token: str, query: str = "") -> dict[str, Any]:
    status, body = call(api, "get", f"/metrics{query}", token)
    assert status == 200, body
    errors = list(openapi_validator(openapi_document(), "SupportMetricsReport").iter_errors(body))
    assert not errors, [f"{list(error.path)}: {error.message}" for error in errors]
    return body


@pytest.fixture
def desk_day(api: Any, pipeline: Any) -> dict[str, str]:
    """Two English tickets on the na desk and a Spanish one on latam's; ana (na) answers the first
    after 90 minutes and resolves it after 3 hours; the second (urgent) breaches its 4-hour
    first-response target and is escalated; the Spanish one waits on its requester."""
    first = routed(api, pipeline, ENGLISH, "US")
    second = routed(
        api, pipeline, "Someone hacked my account and changed my password and email.", "US", "account.hacked"
    )
    spanish = routed(api, pipeline, SPANISH, "MX", "payment.charged_twice")
    ana, luis = agent_token("ana"), agent_token("luis", ("latam",))
    at(timedelta(minutes=90))
    assert call(api, "post", f"/tickets/{first}/replies", ana, {"text": "We are looking into it."})[0] == 201
    at(timedelta(hours=3))
    assert call(api, "post", f"/tickets/{first}/resolve", ana)[0] == 200
    assert call(api, "post", f"/tickets/{spanish}/waiting", luis)[0] == 200
    at(timedelta(hours=5))
    assert dependencies().escalate_due()["escalated"] == 1
    return {"first": first, "second": second, "spanish": spanish}


def test_an_agent_reads_the_figures_of_their_region(api, desk_day):
    # When ana (na) reads the metrics of the last 7 days
    report = metrics(api, agent_token("ana"))

    # Then they are na's: two created, one answered within its SLA after 90 minutes, one resolved
    # after 3 hours, one open and breached
    assert report["regions"] == ["na"] and set(report["by_region"]) == {"na"}
    totals = report["totals"]
    assert totals["tickets"] == {"created": 2, "resolved": 1, "deflected": 0}
    assert totals["first_response"] == {
        "count": 1,
        "p50_minutes": 90.0,  # the 60-120 minute bucket, interpolated halfway
        "p90_minutes": 114.0,
        "within_sla_percent": 100.0,
    }
    assert totals["resolution"] == {"p50_minutes": 180.0, "p90_minutes": 228.0}
    assert totals["backlog"] == {"open": 1, "waiting": 0, "breached": 1}
    assert totals["csat"] == {"responses": 0, "average": None, "satisfied_percent": None}
    assert report["by_language"] == {"en": totals} and report["by_region"]["na"] == totals
    assert report["period"]["days"] == 7 and report["language"] is None


def test_a_global_agent_sees_every_region_broken_down(api, desk_day):
    report = metrics(api, agent_token("gina", ("global",)))

    assert report["regions"] == ["na", "latam", "emea", "apac", "global"]
    assert report["totals"]["tickets"]["created"] == 3
    assert report["totals"]["backlog"] == {"open": 1, "waiting": 1, "breached": 1}
    latam = report["by_region"]["latam"]
    assert (latam["tickets"]["created"], latam["backlog"]["waiting"]) == (1, 1)
    assert report["by_region"]["emea"]["tickets"]["created"] == 0
    assert set(report["by_language"]) == {"en", "es"}
    assert report["by_language"]["es"]["tickets"]["created"] == 1
    # And one region or one language narrows it
    assert metrics(api, agent_token("gina", ("global",)), "?region=latam")["regions"] == ["latam"]
    only_spanish = metrics(api, agent_token("gina", ("global",)), "?language=es")
    assert (only_spanish["totals"]["tickets"]["created"], only_spanish["language"]) == (1, "es")


def test_an_agent_asking_for_a_region_they_do_not_work_gets_404(api, desk_day):
    for query in ("?region=latam", "?region=atlantis"):
        status, body = call(api, "get", f"/metrics{query}", agent_token("ana"))
        assert (status, body["error"]["code"]) == (404, "not_found")


def test_a_period_before_the_tickets_has_no_events_but_shows_the_backlog_now(api, desk_day):
    today = dependencies().clock().date()
    earlier = f"?from={today - timedelta(days=40)}&to={today - timedelta(days=10)}"

    report = metrics(api, agent_token("ana"), earlier)

    assert report["period"]["days"] == 31 and report["totals"]["tickets"]["created"] == 0
    assert report["totals"]["backlog"]["open"] == 1


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("?from=2030-13-01", "invalid_date", "from"),
        ("?to=01/02/2030", "invalid_date", "to"),
        ("?from=2030-01-10&to=2030-01-09", "invalid_period", "from"),
        ("?from=2030-01-01&to=2030-04-03", "invalid_period", "to"),  # 93 days
        ("?language=EN!", "invalid_language", "language"),
    ],
)
def test_bad_dates_and_languages_are_400(api, query, code, field):
    status, body = call(api, "get", f"/metrics{query}", agent_token("ana"))

    assert (status, body["error"]["code"], body["error"]["field"]) == (400, code, field)
    errors = list(openapi_validator(openapi_document(), "Error").iter_errors(body))
    assert not errors


def test_metrics_need_an_agent_token(api):
    # A requester's token or none: the authorizer refuses before the handler runs
    assert api.http.get("/metrics").status_code in (401, 403)
    assert call(api, "get", "/metrics", "not-a-token")[0] in (401, 403)
