"""Helpers for the API and end-to-end tests: HTTP calls, and what the table and the queues hold.

Everything runs in-process: the `aws` fixture's moto account, chalice.test.Client for HTTP and
the `pipeline` fixture's pollers for the SQS workers. Translation, when a test wants it, goes to
the local server in tests/fakes/google_translate.py; nothing here touches the network.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import patch

import pytest
from boto3.dynamodb.types import TypeDeserializer
from chalice.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from chalicelib import aws_resource_names
from chalicelib.adapters.aws import client, reset_clients
from chalicelib.composition_root import dependencies, override_dependencies, reset_dependencies
from chalicelib.domain.ports import OutgoingMessage
from chalicelib.domain.ticket import utc_now
from chalicelib.settings import get_settings
from infra.apply import create_resources
from infra.stack import resources_template
from tests.emulator import aws_account
from tests.fakes.google_translate import FakeGoogleTranslate, google_translate_server
from tests.queues import take_messages as take_queue_messages

JSON_HEADERS = {"Content-Type": "application/json"}
# A Spanish ticket from Mexico (the latam desk reads Spanish): the translation tests' sample.
SPANISH_PAYMENT = {
    "subject": "Pago rechazado",
    "description": "No puedo pagar mi suscripción, la tarjeta es rechazada cada vez aunque tengo saldo suficiente.",
    "category": "payment.failed",
    "requester": {"country": "MX"},
}
_deserializer = TypeDeserializer()


# --- One moto account per module, emptied before each test -----------------------------------
#
# tests/conftest.py's `aws` builds a fresh account per test, which costs a few tenths of a
# second (new boto3 clients, every queue and dead-letter queue, the table). These modules run
# well over a hundred tests, so each module overrides `aws` with one that requests
# `reused_aws`: the same promise (an account holding exactly the infra/ resources, all empty,
# dependencies rebuilt) kept by emptying one account per module. `api`, `pipeline` and the rest
# then run on it unchanged.


@pytest.fixture(scope="module")
def moto_account() -> Iterator[None]:
    with aws_account():
        reset_clients()
        reset_dependencies()
        create_resources(resources_template(get_settings().stage), client("dynamodb"), client("sqs"))
        yield
        reset_clients()
        reset_dependencies()


def empty_account() -> None:
    sqs = client("sqs")
    # moto allows one purge a minute per queue, like SQS, unless told otherwise.
    with patch.dict(os.environ, {"MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR": "false"}):
        for url in sqs.list_queues(MaxResults=1000).get("QueueUrls", []):
            sqs.purge_queue(QueueUrl=url)
    db = client("dynamodb")
    table = get_settings().table_name
    keys = [{"pk": {"S": item["pk"]}, "sk": {"S": item["sk"]}} for item in table_items()]
    for start in range(0, len(keys), 25):
        chunk = keys[start : start + 25]
        db.batch_write_item(RequestItems={table: [{"DeleteRequest": {"Key": key}} for key in chunk]})


@pytest.fixture
def reused_aws(moto_account: None) -> Iterator[None]:
    """What a module's own `aws` fixture requests to stand in for tests/conftest.py's `aws`."""
    reset_dependencies()
    empty_account()
    yield
    reset_dependencies()


# --- HTTP ------------------------------------------------------------------------------------


@dataclass
class Answer:
    """An HTTP answer with its body parsed (None when it is not JSON)."""

    status: int
    headers: dict[str, str]
    body: Any


def _answer(response: Any) -> Answer:
    try:
        body = json.loads(response.body) if response.body else None
    except ValueError:
        body = None
    return Answer(response.status_code, dict(response.headers), body)


def post_raw(api: Client, body: bytes | str, headers: dict[str, str] | None = None) -> Answer:
    return _answer(api.http.post("/tickets", headers={**JSON_HEADERS, **(headers or {})}, body=body))


def post_ticket(api: Client, payload: Any, headers: dict[str, str] | None = None) -> Answer:
    return post_raw(api, json.dumps(payload, ensure_ascii=False).encode("utf-8"), headers)


def create_ticket(api: Client, payload: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """POST a ticket that must be accepted; returns the 201 body."""
    answer = post_ticket(api, payload, headers)
    assert answer.status == 201, answer.body
    return answer.body


def routed_ticket(api: Client, pipeline: Any, payload: Any) -> dict[str, Any]:
    """A ticket posted and taken through the pipeline to its desk: the 201's body."""
    created = create_ticket(api, payload)
    pipeline.drain()
    assert view(api, created)["status"] == "routed"
    return created


def get_ticket(api: Client, ticket_id: str, token: str | None) -> Answer:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return _answer(api.http.get(f"/tickets/{ticket_id}", headers=headers))


def agent_bearer(
    regions: tuple[str, ...] = ("global",), name: str = "probe", languages: tuple[str, ...] = ("en",)
) -> str:
    """A token of an agent of `regions` for this test stage, valid 8 hours."""
    from chalicelib.domain.agent_tokens import Agent, mint_agent_token

    expires = int((utc_now() + timedelta(hours=8)).timestamp())
    return mint_agent_token(Agent(name, regions, languages, expires), os.environ["AGENT_TOKEN_SECRET"])


def view(api: Client, created: dict[str, Any]) -> dict[str, Any]:
    """The requester's view of a ticket created by `create_ticket`."""
    answer = get_ticket(api, created["ticket_id"], created["access_token"])
    assert answer.status == 200, answer.body
    return answer.body


# --- What the table holds ----------------------------------------------------------------------


def table_items() -> list[dict[str, Any]]:
    """Every item in the tickets table, as plain values."""
    db = client("dynamodb")
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": get_settings().table_name, "ConsistentRead": True}
    while True:
        page = db.scan(**kwargs)
        items.extend({key: _deserializer.deserialize(value) for key, value in item.items()} for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def stored_ticket_ids() -> list[str]:
    return sorted(item["ticket_id"] for item in table_items() if item["pk"].startswith("TICKET#"))


def stored_ticket(ticket_id: str) -> Any:
    """The domain Ticket as the store reads it (version, history: what an operator inspects)."""
    ticket = dependencies().tickets.get(ticket_id)
    assert ticket is not None, f"ticket {ticket_id} is not in the table"
    return ticket


# --- What the queues hold ----------------------------------------------------------------------


def queue_url(role: str) -> str:
    return client("sqs").get_queue_url(QueueName=get_settings().queue_name(role))["QueueUrl"]


def queue_depth(role: str) -> int:
    """Messages on the queue, visible or in flight (received, not yet deleted)."""
    attributes = client("sqs").get_queue_attributes(
        QueueUrl=queue_url(role),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def take_messages(role: str) -> list[dict[str, Any]]:
    """Receive (and hide for 10 minutes) every visible message on the queue; their bodies."""
    return take_queue_messages(get_settings().queue_name(role), hide_seconds=600)


def send_raw(role: str, body: str) -> str:
    """Put a message on a pipeline queue the way SQS would deliver it; its message id."""
    return client("sqs").send_message(QueueUrl=queue_url(role), MessageBody=body)["MessageId"]


def claim_check_body(kind: str, ticket_id: str, correlation_id: str = "test-correlation") -> str:
    return json.dumps({"type": kind, "v": 1, "ticket_id": ticket_id, "correlation_id": correlation_id})


def all_desk_messages(pipeline: Any) -> dict[str, list[dict[str, Any]]]:
    """Every region's desk queue content (consumed), by region."""
    return {region: pipeline.desk_messages(region) for region in aws_resource_names.REGIONS}


# --- The OpenAPI document as a validator -------------------------------------------------------


def openapi_validator(document: dict[str, Any], schema_name: str) -> Draft202012Validator:
    """A validator for `#/components/schemas/<schema_name>` that resolves the document's $refs."""
    registry = Registry().with_resource(
        "urn:polyglot-desk:openapi", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": f"urn:polyglot-desk:openapi#/components/schemas/{schema_name}"},
        registry=registry,
        format_checker=FormatChecker(),
    )


# --- Replacing parts of the app --------------------------------------------------------------


def with_settings(**changes: Any) -> None:
    """Run the app with some settings changed (the rest as the test environment has them)."""
    override_dependencies(settings=dataclasses.replace(dependencies().settings, **changes))


def move_clock_past_sweep_window(windows: int = 1) -> datetime:
    """Let the app's clock jump `windows` times past SWEEP_AFTER_SECONDS, as a later sweeper run sees it."""
    later = utc_now() + windows * timedelta(seconds=dependencies().settings.sweep_after_seconds + 5)
    override_dependencies(clock=lambda: later)
    return later


class UnusablePublisher:
    """A publisher whose every send is lost: the process died or SQS refused the batch."""

    def __init__(self) -> None:
        self.attempts: list[OutgoingMessage] = []

    def send(self, messages: Any) -> set[str]:
        self.attempts.extend(messages)
        return {message.message_id for message in messages}


class SelectivelyFailingPublisher:
    """Sends through the real SQS publisher except to the queue roles named in `failing_roles`."""

    def __init__(self, *failing_roles: str) -> None:
        from chalicelib.adapters.sqs_publisher import SqsPublisher

        self._real = SqsPublisher()
        self._failing = {get_settings().queue_name(role) for role in failing_roles}
        self.lost: list[OutgoingMessage] = []

    def send(self, messages: Any) -> set[str]:
        passing = [message for message in messages if message.queue not in self._failing]
        failing = [message for message in messages if message.queue in self._failing]
        self.lost.extend(failing)
        unsent = self._real.send(passing) if passing else set()
        return unsent | {message.message_id for message in failing}


def restore_real_publisher() -> None:
    from chalicelib.adapters.sqs_publisher import SqsPublisher

    override_dependencies(publisher=SqsPublisher())


@pytest.fixture(scope="module")
def google_server() -> Iterator[FakeGoogleTranslate]:
    # One server per module: shutting one down waits out its half-second poll interval.
    with google_translate_server() as fake:
        yield fake


@pytest.fixture
def google_fake(aws: None, google_server: FakeGoogleTranslate) -> FakeGoogleTranslate:
    """The app translating through the real Google adapter, against the local fake server."""
    google_server.mode = "ok"
    google_server.received.clear()
    override_dependencies(
        settings=dataclasses.replace(
            get_settings(),
            translators=("google",),
            google_translate_url=google_server.url,
            translate_timeout_seconds=0.5,
        )
    )
    return google_server
