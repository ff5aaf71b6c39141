"""The desk and the metrics over HTTP when a region's work list and its counters are spread over
shards (docs/SCALING.md): agents and operators see one list and one set of figures."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pipeline.conftest import create_ticket, table_items
from tests.pipeline.test_desk import call, work_list
from tests.pipeline.test_metrics import agent_token, metrics

# (category, priority) in the order they are posted: every priority, interleaved.
CATEGORIES = ("content.report", "account.hacked", "payment.failed") * 4


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


@pytest.fixture
def na_desk(api: Any, pipeline: Any) -> list[str]:
    """Twelve tickets routed to na (urgent, high and normal ones interleaved), in the order a
    single work list keeps them: urgent first, then high, then normal, each earliest first."""
    posted = [
        (category, create_ticket(api, {"description": TEXT, "category": category, "requester": {"country": "US"}}))
        for category in CATEGORIES
    ]
    pipeline.drain()
    rank = {"account.hacked": 0, "payment.failed": 1, "content.report": 2}
    ordered = sorted(enumerate(posted), key=lambda entry: (rank[entry[1][0]], entry[0]))
    return [created["ticket_id"] for _, (_, created) in ordered]


TEXT = "My live stream keeps freezing and the app shows an error every time I open it."


def test_the_work_list_claims_and_metrics_hold_across_shards(api, na_desk):
    # Given twelve open na tickets whose index entries sit in several shards
    shards = {item["gsi1pk"] for item in table_items() if item.get("gsi1pk", "").startswith("OPEN#na")}
    assert len(shards) > 1, shards

    # Then the desk lists them in one order, and the metrics count each once
    assert work_list(api) == na_desk
    report = metrics(api, agent_token("ana"))
    assert report["totals"]["tickets"]["created"] == 12
    assert report["totals"]["backlog"]["open"] == 12

    # When agents claim thirteen times
    claims = [call(api, "post", "/desk/na/claim", agent_token(f"agent-{turn}")) for turn in range(13)]

    # Then the claims took the tickets most urgent first, each once, and the last found none
    assert [body["ticket_id"] for status, body in claims[:12] if status == 200] == na_desk
    assert claims[12] == (204, None)
    assert work_list(api) == [] and work_list(api, state="claimed") == na_desk

    # When four are resolved, the backlog falls by four and the day counts four resolved
    for ticket_id in na_desk[:4]:
        assert call(api, "post", f"/tickets/{ticket_id}/resolve", agent_token("ana"))[0] == 200
    totals = metrics(api, agent_token("ana"))["totals"]
    assert (totals["tickets"]["resolved"], totals["backlog"]["open"]) == (4, 8)
