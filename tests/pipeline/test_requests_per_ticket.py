"""AWS requests per ticket from intake to `routed` (issue 13: at most 5 on the happy path,
ReceiveMessage aside), counted on the app's boto3 clients while single tickets go through one at
a time: every worker batch holds one message, the worst case for batching.

The happy path: a ticket its desk reads (or in the pivot), no Idempotency-Key, the requester
left no e-mail address (with one, the acknowledgement adds its own requests: see
test_the_acknowledgement_adds_only_its_own_requests).
"""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.adapters.aws import client
from chalicelib.composition_root import dependencies
from chalicelib.settings import NotificationSettings
from tests.pipeline.conftest import create_ticket, stored_ticket, with_settings

TICKETS = [
    {"description": "No puedo entrar en directo desde ayer, la app se cierra.", "requester": {"country": "MX"}},
    {"description": "I was charged twice for my subscription this month.", "requester": {"country": "US"}},
    {"description": "Ich habe meine Bestellung nie bekommen, bitte helft mir.", "requester": {"country": "DE"}},
    {"description": "ライブ配信が始められません。アプリが落ちます。", "requester": {"country": "JP"}},
]
BUDGET = 5.0


class RequestCounter:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, event_name: str, **_: Any) -> None:
        operation = event_name.split(".", 2)[2]
        with self._lock:
            self.calls[operation] += 1

    def without_receives(self) -> Counter[str]:
        return Counter({name: count for name, count in self.calls.items() if name != "ReceiveMessage"})


@pytest.fixture
def counter(aws: None) -> Iterator[RequestCounter]:
    counting = RequestCounter()
    clients = [client("dynamodb"), client("sqs")]
    for aws_client in clients:
        aws_client.meta.events.register("before-call", counting)
    yield counting
    for aws_client in clients:
        aws_client.meta.events.unregister("before-call", counting)


def requests_per_ticket(counter: RequestCounter, tickets: int) -> Counter[str]:
    """Requests by operation per ticket: ReceiveMessage aside, and GetQueueUrl too (each queue's
    URL is looked up once per process, not per ticket)."""
    calls = counter.without_receives()
    del calls["GetQueueUrl"]
    return Counter({name: count / tickets for name, count in calls.items()})


def warmed_up(api: Any, pipeline: Any, counter: RequestCounter) -> None:
    """Desks read their main languages (the default); one ticket through first, then count."""
    with_settings(desk_languages=True)
    create_ticket(api, TICKETS[1])
    pipeline.drain()
    counter.calls.clear()


def all_routed(created: list[dict[str, Any]]) -> bool:
    return all(stored_ticket(ticket["ticket_id"]).status.value == "routed" for ticket in created)


@pytest.mark.parametrize("budgets", [False, True], ids=["budgets-off", "budgets-on"])
def test_tickets_arriving_together_take_at_most_five_requests_each_from_intake_to_routed(
    api, pipeline, counter, budgets
):
    # Given tickets in four languages posted together, as under load (a worker batch holds ten),
    # with or without the request budgets (counted in the intake's own write)
    warmed_up(api, pipeline, counter)
    with_settings(safeguards=dataclasses.replace(dependencies().settings.safeguards, rate_limits=budgets))
    created = [create_ticket(api, {"category": "other", **ticket}) for ticket in (TICKETS * 3)[:10]]

    # When the pipeline routes them
    pipeline.drain()
    per_ticket = requests_per_ticket(counter, len(created))

    # Then each took at most five requests: the intake's write and send, the worker's one
    # conditional write and the outbox confirmation, and a tenth each of the batch's read, desk
    # send and delete
    assert all_routed(created)
    assert sum(per_ticket.values()) <= BUDGET, str(sorted(per_ticket.items()))
    assert per_ticket["TransactWriteItems"] + per_ticket["PutItem"] == 2  # one write at intake, one to route
    assert per_ticket["UpdateItem"] == 1  # the outbox confirmation: no request counter of its own


def test_a_lone_ticket_takes_seven(api, pipeline, counter):
    # Given a ticket arriving alone: its worker's batch holds only it
    warmed_up(api, pipeline, counter)
    created = create_ticket(api, TICKETS[0])

    # When it is routed
    pipeline.drain()
    per_ticket = requests_per_ticket(counter, 1)

    # Then it took seven: the batch's read, desk send and delete are its alone (the trade is in
    # docs/ARCHITECTURE.md, "Batching: AWS requests per ticket")
    assert all_routed([created])
    assert per_ticket == Counter(
        {
            "PutItem": 1,  # intake: the ticket
            "SendMessageBatch": 2,  # intake: the detect message; worker: the desk message
            "BatchGetItem": 1,  # worker: the ticket as it is now
            "TransactWriteItems": 1,  # worker: routed, with the support metrics' counters
            "UpdateItem": 1,  # worker: the outbox confirmation
            "DeleteMessageBatch": 1,  # the poller, as Lambda's would
        }
    )


def test_the_acknowledgement_adds_only_its_own_requests(api, pipeline, counter):
    # Given requesters with an e-mail address and a stage that sends e-mail, arriving together
    warmed_up(api, pipeline, counter)
    with_settings(notifications=NotificationSettings(email_from="desk@example.com"))
    with_address = [{**ticket, "requester": {**ticket["requester"], "email": "ana@example.com"}} for ticket in TICKETS]
    created = [create_ticket(api, {"category": "other", **ticket}) for ticket in with_address]

    # When they are routed
    pipeline.drain()
    per_ticket = requests_per_ticket(counter, len(created))

    # Then the acknowledgement's requests come on top: its ETA's reads (a COUNT per work-list
    # shard, the recent first responses), the notification stored and its claim check sent
    assert all_routed(created)
    assert per_ticket["Query"] > 0 and per_ticket["PutItem"] > 1
    assert sum(per_ticket.values()) <= BUDGET + 8, str(sorted(per_ticket.items()))
