"""GET /tickets/{id}, /health and /openapi.json: the answers match the published contract."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi_document
from pydantic import BaseModel
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from chalicelib.api.contract import (
    REF_TEMPLATE,
    AgentTicket,
    ClockState,
    DeskList,
    DeskNote,
    Error,
    Health,
    MessageAccepted,
    NewMessage,
    NewTicket,
    SchemaGenerator,
    SupportMetricsReport,
    Ticket,
    TicketCreated,
)
from chalicelib.api.contract.access import AccessTokenRotated
from chalicelib.api.contract.evidence import EvidenceFile, EvidenceUploadGranted, NewEvidence
from chalicelib.api.contract.gateway import FrameworkError, GatewayError
from chalicelib.api.contract.help import (
    HelpAnswerView,
    HelpArticleView,
    HelpQuestion,
    HelpTopicList,
    SelfServiceAnswer,
    SelfServiceRecorded,
)
from chalicelib.api.contract.incidents import (
    CandidateList,
    IncidentCreated,
    IncidentList,
    IncidentView,
    NewIncident,
    NewIncidentUpdate,
    TicketIds,
    TicketsLinked,
    TicketsUnlinked,
    UpdateAccepted,
)
from chalicelib.api.contract.preview import ReplyPreview
from chalicelib.api.contract.talking_back import SatisfactionAnswer, SatisfactionRecorded
from chalicelib.api.openapi import OPERATIONS
from chalicelib.domain.agent_tokens import Agent, mint_agent_token
from tests.conftest import TEST_ENV
from tests.pipeline.conftest import (
    create_ticket,
    get_ticket,
    openapi_validator,
    post_raw,
    post_ticket,
)

GERMAN = {
    "subject": "Doppelte Abbuchung",
    "description": "Ich wurde zweimal für dieselbe Bestellung belastet und habe keine Rückerstattung erhalten.",
    "category": "payment.charged_twice",
    "requester": {"id": "u-881", "locale": "de-DE", "country": "DE"},
}


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


@pytest.fixture
def openapi(api) -> dict[str, Any]:
    answer = api.http.get("/openapi.json")
    assert answer.status_code == 200
    return answer.json_body


def assert_valid(document: dict[str, Any], schema: str, instance: Any) -> None:
    errors = sorted(openapi_validator(document, schema).iter_errors(instance), key=lambda error: error.path)
    assert not errors, [f"{list(error.path)}: {error.message}" for error in errors]


# --- /openapi.json -----------------------------------------------------------------------------


def test_the_openapi_document_is_valid_openapi_3(openapi):
    # Then it declares OpenAPI 3 and passes the OpenAPI schema for its version
    assert openapi["openapi"].startswith("3.")
    validate_openapi_document(openapi)


def test_the_openapi_document_describes_the_requests_and_answers_of_the_ticket_routes(openapi):
    # Given the two ticket operations
    create = openapi["paths"]["/tickets"]["post"]
    read = openapi["paths"]["/tickets/{ticket_id}"]["get"]

    def schema(content: dict[str, Any]) -> dict[str, Any]:
        return content["content"]["application/json"]["schema"]

    # Then each names its request and answer schemas, all defined under components
    assert schema(create["requestBody"]) == {"$ref": "#/components/schemas/NewTicket"}
    assert schema(create["responses"]["201"]) == {"$ref": "#/components/schemas/TicketCreated"}
    for status in ("400", "413", "422"):
        assert schema(create["responses"][status]) == {"$ref": "#/components/schemas/Error"}
    assert schema(read["responses"]["200"]) == {"$ref": "#/components/schemas/Ticket"}
    assert schema(read["responses"]["404"]) == {"$ref": "#/components/schemas/Error"}
    assert {"NewTicket", "TicketCreated", "Ticket", "Error"} <= set(openapi["components"]["schemas"])


# What clients send, as validated; what the API answers, as written (the test stage has /dev/clock).
REQUEST_MODELS: list[type[BaseModel]] = [NewTicket, NewMessage, DeskNote]
# The incident desk's (api/openapi_incidents.py).
REQUEST_MODELS += [NewIncident, TicketIds, NewIncidentUpdate]
# Talking back (api/contract/talking_back.py).
REQUEST_MODELS += [SatisfactionAnswer]
ANSWER_MODELS: list[type[BaseModel]] = [
    TicketCreated,
    Ticket,
    AgentTicket,
    MessageAccepted,
    DeskList,
    SupportMetricsReport,
    Error,
    Health,
    ClockState,
]
ANSWER_MODELS += [
    IncidentCreated,
    TicketsLinked,
    TicketsUnlinked,
    UpdateAccepted,
    IncidentList,
    IncidentView,
    CandidateList,
]
ANSWER_MODELS += [SatisfactionRecorded]
# The help center and its bot (api/openapi_help.py).
REQUEST_MODELS += [HelpQuestion, SelfServiceAnswer]
ANSWER_MODELS += [HelpAnswerView, HelpTopicList, HelpArticleView, SelfServiceRecorded]
# The agent console's reply preview (api/openapi_console.py; its request is NewMessage).
ANSWER_MODELS += [ReplyPreview]
# Evidence uploads (api/openapi_evidence.py).
REQUEST_MODELS += [NewEvidence]
ANSWER_MODELS += [EvidenceUploadGranted, EvidenceFile]
# What API Gateway's authorizer and Chalice answer before a route runs (api/openapi_rows.py).
ANSWER_MODELS += [GatewayError, FrameworkError]
# The requester's token rotation (api/openapi_access.py).
ANSWER_MODELS += [AccessTokenRotated]


def test_the_component_schemas_are_exactly_the_models_schemas(openapi):
    # Given each contract model's own JSON Schema, with those of the models and enums it uses
    expected: dict[str, Any] = {}
    for models, mode in ((REQUEST_MODELS, "validation"), (ANSWER_MODELS, "serialization")):
        for model in models:
            schema = model.model_json_schema(mode=mode, ref_template=REF_TEMPLATE, schema_generator=SchemaGenerator)
            expected.update(schema.pop("$defs", {}))
            expected[model.__name__] = schema

    # Then the document's components are those schemas, nothing written beside them
    assert openapi["components"]["schemas"] == json.loads(json.dumps(expected))


def test_every_route_the_app_serves_is_documented(chalice_app, openapi):
    # Given the routes Chalice registered (the test stage has the local /dev/clock too)
    served = {(path, method.lower()) for path, methods in chalice_app.routes.items() for method in methods}

    # Then the document describes each, and nothing else
    documented = {(path, method) for path, operations in openapi["paths"].items() for method in operations}
    assert documented == served


def test_the_example_request_body_matches_the_new_ticket_schema(openapi):
    # The body the tests send is what the document says a client may send
    assert_valid(openapi, "NewTicket", GERMAN)


# --- POST answers against the document ----------------------------------------------------------


def test_the_201_answer_matches_ticket_created(api, openapi):
    # When a ticket is created
    created = create_ticket(api, GERMAN)

    # Then the answer has the documented shape
    assert_valid(openapi, "TicketCreated", created)


@pytest.mark.parametrize(
    ("raw", "headers", "status"),
    [
        pytest.param(b"{", {}, 400, id="400-invalid-json"),
        pytest.param(b'{"description": "x", "colour": "red"}', {}, 400, id="400-unknown-field"),
        pytest.param(b'{"description": "' + b"x" * 70_000 + b'"}', {}, 413, id="413-too-large"),
    ],
)
def test_error_answers_match_the_error_schema(api, openapi, raw, headers, status):
    # When a request is refused
    answer = post_raw(api, raw, headers)

    # Then the error body has the documented shape
    assert answer.status == status
    assert_valid(openapi, "Error", answer.body)


def test_the_422_answer_matches_the_error_schema(api, openapi):
    # Given an idempotency key already used for another body
    create_ticket(api, GERMAN, {"Idempotency-Key": "contract-422-check"})

    # When it is reused
    answer = post_ticket(api, {**GERMAN, "subject": "Anderes Thema"}, {"Idempotency-Key": "contract-422-check"})

    # Then the conflict is reported in the documented error shape
    assert answer.status == 422
    assert_valid(openapi, "Error", answer.body)


# --- GET /tickets/{ticket_id} ------------------------------------------------------------------


def test_the_requester_reads_a_fresh_ticket_with_its_token(api, openapi):
    # Given a ticket nobody has processed yet
    created = create_ticket(api, GERMAN)

    # When the requester reads it with the token
    answer = get_ticket(api, created["ticket_id"], created["access_token"])

    # Then they see it as received, in the documented shape, never cached by a proxy
    assert answer.status == 200
    assert answer.headers["Cache-Control"] == "no-store"
    ticket = answer.body
    assert_valid(openapi, "Ticket", ticket)
    assert ticket["ticket_id"] == created["ticket_id"]
    assert ticket["status"] == "received"
    assert ticket["subject"] == GERMAN["subject"]
    assert ticket["description"] == GERMAN["description"]
    assert ticket["category"] == "payment.charged_twice"
    assert ticket["created_at"] == created["created_at"]
    assert ticket["language"] is None and ticket["region"] is None and ticket["sla"] is None
    assert ticket["messages"] == []


def test_the_requester_reads_a_routed_ticket_in_the_documented_shape(api, pipeline, openapi):
    # Given a ticket that went through the whole pipeline
    created = create_ticket(api, GERMAN)
    pipeline.drain()

    # When the requester reads it
    answer = get_ticket(api, created["ticket_id"], created["access_token"])

    # Then every field the contract promises is there and well-formed
    assert answer.status == 200
    assert_valid(openapi, "Ticket", answer.body)
    assert answer.body["status"] == "routed"


def test_the_token_scheme_name_is_case_insensitive(api):
    # Given a client that writes "bearer" in lower case
    created = create_ticket(api, GERMAN)
    response = api.http.get(
        f"/tickets/{created['ticket_id']}", headers={"Authorization": f"bearer {created['access_token']}"}
    )

    # Then it is let in
    assert response.status_code == 200


def _unknown_id(created: dict[str, Any], other: dict[str, Any]) -> tuple[str, dict[str, str]]:
    # A well-formed ULID that was never issued (the last character changed).
    ticket_id = created["ticket_id"]
    unknown = ticket_id[:-1] + ("0" if ticket_id[-1] != "0" else "1")
    return unknown, {"Authorization": f"Bearer {created['access_token']}"}


def _missing_token(created: dict[str, Any], other: dict[str, Any]) -> tuple[str, dict[str, str]]:
    return created["ticket_id"], {}


def _wrong_token(created: dict[str, Any], other: dict[str, Any]) -> tuple[str, dict[str, str]]:
    return created["ticket_id"], {"Authorization": "Bearer " + "A" * 43}


def _other_tickets_token(created: dict[str, Any], other: dict[str, Any]) -> tuple[str, dict[str, str]]:
    return created["ticket_id"], {"Authorization": f"Bearer {other['access_token']}"}


def _token_without_bearer_scheme(created: dict[str, Any], other: dict[str, Any]) -> tuple[str, dict[str, str]]:
    return created["ticket_id"], {"Authorization": created["access_token"]}


def _empty_bearer(created: dict[str, Any], other: dict[str, Any]) -> tuple[str, dict[str, str]]:
    return created["ticket_id"], {"Authorization": "Bearer "}


def _malformed_id(created: dict[str, Any], other: dict[str, Any]) -> tuple[str, dict[str, str]]:
    return "not-a-ticket-id", {"Authorization": f"Bearer {created['access_token']}"}


def _lower_case_id(created: dict[str, Any], other: dict[str, Any]) -> tuple[str, dict[str, str]]:
    return created["ticket_id"].lower(), {"Authorization": f"Bearer {created['access_token']}"}


@pytest.mark.parametrize(
    "request_for",
    [
        pytest.param(_missing_token, id="missing-token"),
        pytest.param(_wrong_token, id="wrong-token"),
        pytest.param(_other_tickets_token, id="another-tickets-token"),
        pytest.param(_token_without_bearer_scheme, id="token-without-bearer"),
        pytest.param(_empty_bearer, id="empty-bearer"),
        pytest.param(_malformed_id, id="malformed-id"),
        pytest.param(_lower_case_id, id="lower-case-id"),
    ],
)
def test_a_reader_without_the_right_token_gets_the_same_404_as_for_an_unknown_id(api, openapi, request_for):
    # Given two tickets from two requesters
    created = create_ticket(api, GERMAN)
    other = create_ticket(api, {**GERMAN, "requester": {"id": "u-999"}})
    unknown_id, unknown_headers = _unknown_id(created, other)
    reference = api.http.get(f"/tickets/{unknown_id}", headers=unknown_headers)
    assert reference.status_code == 404

    # When someone asks for the first ticket without its token (or for a ticket that is not there)
    ticket_id, headers = request_for(created, other)
    answer = api.http.get(f"/tickets/{ticket_id}", headers=headers)

    # Then the answer cannot be told apart from the unknown id's: nothing leaks
    assert answer.status_code == 404
    assert answer.body == reference.body
    assert answer.json_body["error"]["code"] == "not_found"
    assert_valid(openapi, "Error", answer.json_body)


# --- /health -----------------------------------------------------------------------------------


def test_the_local_clock_answers_in_the_documented_shape(api, openapi):
    # When the local stage's clock is read
    answer = api.http.get("/dev/clock")

    # Then it is documented as it answers
    assert answer.status_code == 200
    assert_valid(openapi, "ClockState", answer.json_body)


def test_health_answers_200_ok(api, openapi):
    # When a load balancer probes the service
    answer = api.http.get("/health")

    # Then it is up, in the documented shape
    assert answer.status_code == 200
    assert answer.json_body["status"] == "ok"
    assert_valid(openapi, "Health", answer.json_body)


# --- answers nobody's route writes: API Gateway's authorizer, Chalice ---------------------------


def test_the_rows_behind_the_authorizer_are_exactly_the_routes_chalice_guards(chalice_app):
    # Given the routes Chalice registered, and the document's rows
    rows = {(row.path, row.method): row for row in OPERATIONS}

    # Then a row documents the authorizer's 401/403 exactly when its route has the authorizer (a
    # route without a row fails test_every_route_the_app_serves_is_documented)
    for path, methods in chalice_app.routes.items():
        for method, entry in methods.items():
            row = rows.get((path, method.lower()))
            assert row is None or row.behind_authorizer == (entry.authorizer is not None), (method, path)


def documented_schema(document: dict[str, Any], method: str, path: str, status: int) -> Draft202012Validator:
    """A validator for what the document says `method path` answers with `status`."""
    answer = document["paths"][path][method]["responses"][str(status)]
    schema = answer["content"]["application/json"]["schema"]
    registry = Registry().with_resource(
        "urn:polyglot-desk:openapi", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    rooted = json.loads(json.dumps(schema).replace('"#/components/', '"urn:polyglot-desk:openapi#/components/'))
    return Draft202012Validator(rooted, registry=registry)


def assert_documented(document: dict[str, Any], method: str, path: str, status: int, body: Any) -> None:
    errors = list(documented_schema(document, method, path, status).iter_errors(body))
    assert not errors, [error.message for error in errors]


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        pytest.param(None, 401, id="no-token-401"),
        pytest.param("requester", 403, id="requesters-token-403"),
        pytest.param("Bearer not-a-token", 403, id="garbage-token-403"),
    ],
)
def test_the_authorizers_refusals_on_an_agent_route_are_documented(api, openapi, authorization, status):
    # Given a ticket, and a caller without an agent token
    created = create_ticket(api, GERMAN)
    headers = {"Content-Type": "application/json"}
    if authorization == "requester":
        headers["Authorization"] = f"Bearer {created['access_token']}"
    elif authorization is not None:
        headers["Authorization"] = authorization

    # When they try to reply as an agent
    answer = api.http.post(f"/tickets/{created['ticket_id']}/replies", headers=headers, body=b'{"text": "Hallo"}')

    # Then API Gateway refuses before the app runs, with a status and a body the document lists
    assert answer.status_code == status
    assert_documented(openapi, "post", "/tickets/{ticket_id}/replies", status, answer.json_body)


def test_a_bad_body_on_an_agent_route_is_a_documented_400(api, openapi):
    # Given an agent
    token = mint_agent_token(Agent("ana", ("emea",), ("en",), int(time.time()) + 3600), TEST_ENV["AGENT_TOKEN_SECRET"])

    # When they open an incident with a body that is not JSON
    answer = api.http.post(
        "/incidents", headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"}, body=b"{"
    )

    # Then it is refused with the documented 400
    assert answer.status_code == 400
    assert_documented(openapi, "post", "/incidents", 400, answer.json_body)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("get", "/health", id="a-read"),
        pytest.param("post", "/tickets", id="intake"),
        pytest.param("post", "/tickets/{ticket_id}/messages", id="a-requester-write"),
    ],
)
def test_a_content_type_the_route_does_not_take_is_chalices_documented_415(api, openapi, method, path):
    # When a client sends XML
    url = path.replace("{ticket_id}", "01JB0000000000000000000000")
    answer = getattr(api.http, method)(url, headers={"Content-Type": "text/xml"}, body=b"<ticket/>")

    # Then Chalice refuses it before the route runs, as the document says
    assert answer.status_code == 415
    assert_documented(openapi, method, path, 415, answer.json_body)
