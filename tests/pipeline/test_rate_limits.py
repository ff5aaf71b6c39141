"""Abuse (issue 9): per-requester and per-address budgets on intake, messages and the help
center (429 with Retry-After, nothing stored), and idempotency keys scoped to the requester."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from chalicelib.composition_root import dependencies
from chalicelib.domain.rate_limits import Budget
from tests.pipeline.conftest import create_ticket, post_ticket, stored_ticket_ids, with_settings


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


@pytest.fixture
def budgets(aws: None) -> dict[str, dict[str, Budget]]:
    """The shipped budgets (chalicelib/data/rate_limits.json), switched on."""
    settings = dependencies().settings
    with_settings(safeguards=dataclasses.replace(settings.safeguards, rate_limits=True))
    return dependencies().rate_budgets


JSON = {"Content-Type": "application/json"}


def ticket(requester: dict[str, str], text: str = "My payment failed twice today") -> dict[str, Any]:
    return {"description": text, "requester": requester}


def test_a_burst_of_intake_posts_from_one_requester_is_cut_at_the_budget(api, budgets):
    # Given the intake budget of one requester
    limit = budgets["intake"]["requester"].limit

    # When one requester posts many tickets back to back
    answers = [
        post_ticket(api, ticket({"email": "burst@example.com"}, f"Problem number {n}")) for n in range(limit + 5)
    ]

    # Then the first `limit` are taken in and the rest get 429 with Retry-After, storing nothing
    assert [answer.status for answer in answers] == [201] * limit + [429] * 5
    refused = answers[-1]
    assert refused.body["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= budgets["intake"]["requester"].window_seconds
    assert len(stored_ticket_ids()) == limit
    # And another requester is not held up by them
    assert post_ticket(api, ticket({"email": "calm@example.com"})).status == 201


def test_the_same_requester_spelled_differently_shares_one_budget(api, budgets):
    limit = budgets["intake"]["requester"].limit
    spellings = ["Kim@Example.com", "kim@example.com ", "KIM@EXAMPLE.COM"]
    statuses = [
        post_ticket(api, ticket({"email": spellings[n % 3].strip()}, f"Issue {n}")).status for n in range(limit + 1)
    ]
    assert statuses[-1] == 429


def test_one_address_has_a_budget_of_its_own_whatever_requester_it_claims(api, budgets):
    # Given a small per-address budget
    with_settings(safeguards=dataclasses.replace(dependencies().settings.safeguards))
    small = {**budgets, "intake": {"ip": Budget(3, 60)}}
    from chalicelib.composition_root import override_dependencies

    override_dependencies(rate_budgets=small)
    # When one address posts as a new requester each time
    statuses = [post_ticket(api, ticket({"email": f"user{n}@example.com"})).status for n in range(5)]
    # Then the address runs out
    assert statuses == [201, 201, 201, 429, 429]


def test_messages_on_one_ticket_are_budgeted(api, budgets):
    created = create_ticket(api, ticket({"email": "talker@example.com"}))
    limit = budgets["messages"]["requester"].limit
    headers = {"Authorization": f"Bearer {created['access_token']}", "Content-Type": "application/json"}
    statuses = [
        api.http.post(
            f"/tickets/{created['ticket_id']}/messages", headers=headers, body=json.dumps({"text": f"More detail {n}"})
        ).status_code
        for n in range(limit + 1)
    ]
    assert statuses.count(202) + statuses.count(201) == limit and statuses[-1] == 429


def test_the_help_center_is_budgeted_per_address(api, budgets):
    limit = budgets["help"]["ip"].limit
    body = json.dumps({"text": "How do I reset my password?", "locale": "en-US"})
    headers = {"Content-Type": "application/json"}
    statuses = [api.http.post("/help/answers", headers=headers, body=body).status_code for _ in range(limit + 1)]
    assert set(statuses[:limit]) == {200} and statuses[-1] == 429


def test_budgets_off_lets_everything_through(api, aws):
    assert dependencies().settings.safeguards.rate_limits is False  # the suite's default
    statuses = {post_ticket(api, ticket({"email": "many@example.com"}, f"Ticket {n}")).status for n in range(15)}
    assert statuses == {201}


def test_when_the_counters_cannot_be_reached_the_desk_stays_open(api, budgets):
    class Broken:
        def hit(self, bucket: str, window_start: int, expires_at: int) -> int:
            raise RuntimeError("throttled")

    from chalicelib.composition_root import override_dependencies

    override_dependencies(rate_counters=Broken())
    assert (
        api.http.post("/help/answers", headers=JSON, body=json.dumps({"text": "olvidé mi contraseña"})).status_code
        == 200
    )


def test_a_retry_of_a_stored_ticket_is_answered_even_over_budget(api, budgets):
    # Given a requester who spent the intake budget, the last ticket posted with a key
    limit = budgets["intake"]["requester"].limit
    key = {"Idempotency-Key": "last-one-before-the-cut-01"}
    for n in range(limit - 1):
        assert post_ticket(api, ticket({"email": "retry@example.com"}, f"Issue {n}")).status == 201
    last = post_ticket(api, ticket({"email": "retry@example.com"}, "The last one"), key)
    assert last.status == 201

    # When its client retries it (the answer was lost), and also posts something new
    retried = post_ticket(api, ticket({"email": "retry@example.com"}, "The last one"), key)
    new = post_ticket(api, ticket({"email": "retry@example.com"}, "Something new"))

    # Then the retry gets its ticket back, and only the new one is refused
    assert (retried.status, retried.body["ticket_id"]) == (201, last.body["ticket_id"])
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert new.status == 429
    assert len(stored_ticket_ids()) == limit


# --- idempotency keys belong to their requester ----------------------------------------------


def test_two_requesters_using_the_same_key_get_two_tickets(api, aws):
    # Given a key one requester used
    key = {"Idempotency-Key": "shared-key-0001"}
    first = post_ticket(api, ticket({"email": "ana@example.com"}), key)
    # When another requester happens to use the same key with their own ticket
    second = post_ticket(api, ticket({"email": "bo@example.com"}), key)
    # Then each has their own ticket and token; nobody gets a 422 or the other's ticket
    assert first.status == second.status == 201
    assert first.body["ticket_id"] != second.body["ticket_id"]
    assert "Idempotent-Replayed" not in second.headers
    # And the first requester's replay still answers their own ticket
    replay = post_ticket(api, ticket({"email": "ana@example.com"}), key)
    assert replay.body["ticket_id"] == first.body["ticket_id"] and replay.headers["Idempotent-Replayed"] == "true"
