"""SQS delivers at least once: a claim check seen twice changes nothing and tells no desk twice."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import aws_resource_names
from chalicelib.composition_root import dependencies, override_dependencies
from tests.pipeline.conftest import (
    all_desk_messages,
    claim_check_body,
    create_ticket,
    queue_depth,
    send_raw,
    stored_ticket,
    view,
)

ITALIAN = {
    "description": "Non riesco ad andare in diretta da ieri sera, l'applicazione si blocca appena premo il pulsante.",
    "category": "live.cannot_go_live",
    "requester": {"country": "IT"},
}

# The claim check each queue carries: the event of the status its worker consumes.
CLAIM_CHECK_BY_QUEUE = {
    aws_resource_names.DETECT: "ticket.received",
    aws_resource_names.TRANSLATE: "ticket.detected",
    aws_resource_names.ROUTE: "ticket.translated",
}


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


def desk_deliveries(pipeline) -> dict[str, list[str]]:
    return {
        region: [message["ticket_id"] for message in messages]
        for region, messages in all_desk_messages(pipeline).items()
        if messages
    }


def without_eta(ticket: dict[str, Any]) -> dict[str, Any]:
    """The view but its ETA window, which counts from the moment it is read."""
    return {**ticket, "sla": {key: value for key, value in ticket["sla"].items() if key != "eta"}}


@pytest.mark.parametrize("queue", list(CLAIM_CHECK_BY_QUEUE))
def test_a_late_duplicate_on_any_queue_changes_nothing(api, pipeline, queue):
    # Given a ticket that went all the way to its desk
    created = create_ticket(api, ITALIAN)
    pipeline.drain()
    before = stored_ticket(created["ticket_id"])
    seen_before = without_eta(view(api, created))
    assert desk_deliveries(pipeline) == {"emea": [created["ticket_id"]]}

    # When SQS delivers one of its earlier claim checks again
    send_raw(queue, claim_check_body(CLAIM_CHECK_BY_QUEUE[queue], created["ticket_id"], before.correlation_id))
    pipeline.drain()

    # Then the ticket is untouched: same version, same last change, same view
    after = stored_ticket(created["ticket_id"])
    assert (after.version, after.updated_at, after.history) == (before.version, before.updated_at, before.history)
    assert without_eta(view(api, created)) == seen_before
    # And no desk hears about it a second time
    assert desk_deliveries(pipeline) == {}
    # And the duplicate was acknowledged, not left to retry into the dead-letter queue
    assert queue_depth(queue) == 0


def test_two_copies_of_a_claim_check_in_one_batch_are_processed_once(api, pipeline):
    # Given the detect message delivered twice, both copies waiting together
    created = create_ticket(api, ITALIAN)
    correlation = stored_ticket(created["ticket_id"]).correlation_id
    send_raw(aws_resource_names.DETECT, claim_check_body("ticket.received", created["ticket_id"], correlation))

    # When the detect worker takes them in one batch
    assert pipeline.step(aws_resource_names.DETECT) == 2

    # Then the ticket was detected once and sent on once; both copies are acknowledged
    ticket = stored_ticket(created["ticket_id"])
    assert ticket.version == 2
    assert [event["by"] for event in ticket.history] == ["intake", "detect_language"]
    assert queue_depth(aws_resource_names.TRANSLATE) == 1
    assert queue_depth(aws_resource_names.DETECT) == 0

    # And at the end of the pipeline the desk is told once
    pipeline.drain()
    assert desk_deliveries(pipeline) == {"emea": [created["ticket_id"]]}


def test_two_copies_of_the_last_message_in_one_batch_tell_the_desk_once(api, pipeline):
    # Given a ticket waiting for translation (the translate worker also routes it), its message
    # delivered twice
    created = create_ticket(api, ITALIAN)
    pipeline.step(aws_resource_names.DETECT)
    correlation = stored_ticket(created["ticket_id"]).correlation_id
    send_raw(aws_resource_names.TRANSLATE, claim_check_body("ticket.detected", created["ticket_id"], correlation))

    # When the translate worker takes both in one batch
    assert pipeline.step(aws_resource_names.TRANSLATE) == 2

    # Then the ticket is translated and routed once and its desk gets one message
    history = [event["by"] for event in stored_ticket(created["ticket_id"]).history]
    assert history.count("translate_ticket") == 1
    assert history.count("route_ticket") == 1
    assert desk_deliveries(pipeline) == {"emea": [created["ticket_id"]]}
    assert queue_depth(aws_resource_names.TRANSLATE) == 0


class StaleReads:
    """The real store, except that batch reads answer a snapshot taken earlier: what a worker
    sees when it read the ticket just before a concurrent delivery moved it on."""

    def __init__(self, real: Any, snapshot: dict[str, Any]) -> None:
        self._real = real
        self._snapshot = snapshot

    def get_many(self, ticket_ids: Any) -> dict[str, Any]:
        return {ticket_id: self._snapshot[ticket_id] for ticket_id in ticket_ids if ticket_id in self._snapshot}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@pytest.mark.parametrize(
    ("stage", "earlier_stages", "kind", "winner_tells_desk"),
    [
        pytest.param(aws_resource_names.DETECT, [], "ticket.received", False, id="detect"),
        pytest.param(aws_resource_names.TRANSLATE, [aws_resource_names.DETECT], "ticket.detected", True, id="last"),
    ],
)
def test_a_worker_that_loses_the_race_to_a_concurrent_delivery_sends_nothing(
    api, pipeline, stage, earlier_stages, kind, winner_tells_desk
):
    # Given a ticket read by one worker just before another delivery of the same message moved it on
    created = create_ticket(api, ITALIAN)
    for earlier in earlier_stages:
        pipeline.step(earlier)
    real_store = dependencies().tickets
    snapshot = real_store.get_many([created["ticket_id"]])
    assert pipeline.step(stage) == 1
    after_winner = stored_ticket(created["ticket_id"])
    next_queues = {role: queue_depth(role) for role in aws_resource_names.PIPELINE_QUEUES}
    desks_after_winner = desk_deliveries(pipeline)

    # When the slower delivery finishes its work on the stale copy
    send_raw(stage, claim_check_body(kind, created["ticket_id"], after_winner.correlation_id))
    override_dependencies(tickets=StaleReads(real_store, snapshot))
    assert pipeline.step(stage) == 1

    # Then its conditional write loses: the ticket is as the winner left it
    assert stored_ticket(created["ticket_id"]).version == after_winner.version
    # And it sends nothing on, and its message is acknowledged
    assert {role: queue_depth(role) for role in aws_resource_names.PIPELINE_QUEUES} == next_queues
    assert desk_deliveries(pipeline) == {}
    assert desks_after_winner == ({"emea": [created["ticket_id"]]} if winner_tells_desk else {})


def test_a_batch_of_different_tickets_is_processed_together(api, pipeline):
    # Given several tickets waiting for detection at once
    tickets = [create_ticket(api, {**ITALIAN, "subject": f"Diretta bloccata {index}"}) for index in range(5)]

    # When the pipeline runs
    pipeline.drain()

    # Then each reaches the desk exactly once
    assert sorted(desk_deliveries(pipeline)["emea"]) == sorted(ticket["ticket_id"] for ticket in tickets)
