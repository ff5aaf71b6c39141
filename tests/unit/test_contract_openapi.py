"""/openapi.json as api/openapi.py generates it from the contract's models and its route table."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate as validate_openapi_document

from chalicelib.api.contract import NewMessage
from chalicelib.api.openapi import OPERATIONS, Answer, Operation, build_document, openapi_document
from chalicelib.domain.catalog import REGIONS, known_categories, served_languages
from chalicelib.domain.desk import LISTABLE_STATES
from chalicelib.domain.ticket import DeskState


def refs(node: Any) -> list[str]:
    """Every $ref in a document."""
    if isinstance(node, dict):
        return [*([node["$ref"]] if "$ref" in node else []), *(ref for value in node.values() for ref in refs(value))]
    if isinstance(node, list):
        return [ref for value in node for ref in refs(value)]
    return []


def schema_of(content: dict[str, Any]) -> dict[str, Any]:
    return content["content"]["application/json"]["schema"]


@pytest.mark.parametrize("local_routes", [False, True])
def test_the_document_is_valid_openapi_3_1_and_every_ref_resolves(local_routes: bool):
    # Given the document of a deployed stage, and of the local one
    document = openapi_document(local_routes)

    # Then it passes the OpenAPI 3.1 schema, and every reference names a component
    assert document["openapi"] == "3.1.0"
    validate_openapi_document(document)
    names = set(document["components"]["schemas"])
    assert {ref.removeprefix("#/components/schemas/") for ref in refs(document)} <= names


def test_only_the_local_stage_documents_its_clock():
    assert "/dev/clock" not in openapi_document()["paths"]
    local = openapi_document(local_routes=True)
    assert set(local["paths"]["/dev/clock"]) == {"get", "post"}
    assert schema_of(local["paths"]["/dev/clock"]["get"]["responses"]["200"]) == {
        "$ref": "#/components/schemas/ClockState"
    }


def test_every_operation_has_a_unique_id_and_a_summary():
    ids = [operation.operation_id for operation in OPERATIONS]
    assert len(ids) == len(set(ids))
    assert all(operation.summary for operation in OPERATIONS)


def test_the_enum_lists_that_come_from_data_are_in_the_schemas():
    # Given the document's component schemas
    document = openapi_document()
    schemas = document["components"]["schemas"]

    # Then categories, served languages, regions and desk states are those of the data and the domain
    assert schemas["Category"]["enum"] == sorted(known_categories())
    assert schemas["Language"]["properties"]["code"]["enum"] == [*sorted(served_languages()), "und"]
    assert schemas["DeskState"]["enum"] == [state.value for state in DeskState]
    assert schemas["DeskList"]["properties"]["state"]["enum"] == [state.value for state in LISTABLE_STATES]
    region = document["paths"]["/desk/{region}/tickets"]["get"]["parameters"][0]
    assert (region["name"], region["schema"]["enum"]) == ("region", list(REGIONS))


def test_the_agent_routes_answer_the_agents_ticket_and_take_an_optional_note():
    # Given the desk's routes
    paths = openapi_document()["paths"]
    claim = paths["/desk/{region}/claim"]["post"]
    resolve = paths["/tickets/{ticket_id}/resolve"]["post"]

    # Then they answer the agent's variant of the ticket, and a desk change's body is optional
    assert schema_of(claim["responses"]["200"]) == {"$ref": "#/components/schemas/AgentTicket"}
    assert resolve["requestBody"]["required"] is False
    assert schema_of(resolve["requestBody"])["anyOf"][0] == {"$ref": "#/components/schemas/DeskNote"}
    assert resolve["security"] == [{"agentToken": []}]


def test_a_desk_change_documents_that_a_body_other_than_an_object_is_ignored():
    # Given the desk's changes, which read {"note": ...} and always ignored a body that is not an object
    schema = schema_of(openapi_document()["paths"]["/tickets/{ticket_id}/waiting"]["post"]["requestBody"])

    # Then the document says so, rather than promising a 400 the route never gave
    assert schema["anyOf"][1]["not"] == {"type": "object"}


def test_the_ticket_is_either_readers_variant():
    ticket = openapi_document()["components"]["schemas"]["Ticket"]
    assert ticket["anyOf"] == [
        {"$ref": "#/components/schemas/RequesterTicket"},
        {"$ref": "#/components/schemas/AgentTicket"},
    ]


def test_the_idempotency_key_header_is_documented_from_the_type_that_checks_it():
    create = openapi_document()["paths"]["/tickets"]["post"]
    header = next(parameter for parameter in create["parameters"] if parameter["name"] == "Idempotency-Key")
    assert header["schema"] == {
        "type": "string",
        "minLength": 8,
        "maxLength": 255,
        "pattern": "^[\\x21-\\x7e]{8,255}$",
    }


# --- the answers every row implies (api/openapi_rows.py) ---------------------------------------

GATEWAY_ERROR = {"$ref": "#/components/schemas/GatewayError"}
ERROR = {"$ref": "#/components/schemas/Error"}
FRAMEWORK_ERROR = {"$ref": "#/components/schemas/FrameworkError"}


def documented(operation: Operation) -> dict[str, Any]:
    return openapi_document(local_routes=True)["paths"][operation.path][operation.method]["responses"]


def schemas_of(answer: dict[str, Any]) -> list[dict[str, Any]]:
    schema = schema_of(answer)
    return schema.get("anyOf", [schema])


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.operation_id)
def test_every_route_documents_chalices_415(operation: Operation):
    # Chalice refuses a Content-Type the route does not take before the route runs, on any route
    assert schemas_of(documented(operation)["415"]) == [FRAMEWORK_ERROR]


@pytest.mark.parametrize(
    "operation", [row for row in OPERATIONS if row.reads_body], ids=lambda operation: operation.operation_id
)
def test_every_route_that_reads_a_body_documents_400_and_413(operation: Operation):
    # Given a route that reads a JSON body: a bad body is 400, one over 64 KiB 413, both our Error
    responses = documented(operation)
    assert ERROR in schemas_of(responses["400"])
    assert schemas_of(responses["413"]) == [ERROR]


def test_the_clock_reads_a_body_without_a_documented_model():
    clock = next(row for row in OPERATIONS if row.operation_id == "moveClock")
    assert clock.request is None and clock.reads_body
    assert "413" in documented(clock)


@pytest.mark.parametrize(
    "operation", [row for row in OPERATIONS if row.behind_authorizer], ids=lambda operation: operation.operation_id
)
def test_every_agent_route_documents_the_authorizers_401_and_403(operation: Operation):
    # Given a route only an agent token opens: API Gateway answers 401 without a token and 403 for any
    # other token, in its own body, before the app runs
    responses = documented(operation)
    assert schemas_of(responses["401"]) == [GATEWAY_ERROR]
    assert GATEWAY_ERROR in schemas_of(responses["403"])


def test_a_routes_own_403_is_documented_beside_the_authorizers():
    # Given POST /incidents, which refuses regions the agent does not work with our Error
    answer = openapi_document()["paths"]["/incidents"]["post"]["responses"]["403"]

    # Then either body is documented, and both reasons
    assert schemas_of(answer) == [ERROR, GATEWAY_ERROR]
    assert "Regions the agent does not work" in answer["description"]
    assert "authorizer" in answer["description"]


def test_routes_without_an_agent_token_scheme_of_their_own_document_no_authorizer_answers():
    # Given the requester's routes: a wrong token is the app's 404, never API Gateway's 401/403
    read = openapi_document()["paths"]["/tickets/{ticket_id}"]["get"]["responses"]
    assert "401" not in read and "403" not in read


def test_a_throttled_row_documents_429_with_retry_after():
    # Given a row marked throttled (rate limited)
    row = Operation(
        "post", "/things", "makeThing", "Make a thing", {"201": Answer("Made")}, request=NewMessage, throttled=True
    )

    # When the document is built
    document = build_document([row])
    validate_openapi_document(document)
    answer = document["paths"]["/things"]["post"]["responses"]["429"]

    # Then it may answer 429, with our Error body and the seconds to wait in Retry-After
    assert schemas_of(answer) == [ERROR]
    assert answer["headers"]["Retry-After"]["required"] is True
    assert answer["headers"]["Retry-After"]["schema"]["type"] == "integer"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/tickets"),
        ("post", "/tickets/{ticket_id}/messages"),
        ("post", "/help/answers"),
        ("post", "/tickets/{ticket_id}/access-token"),
    ],
)
def test_the_routes_that_spend_a_request_budget_document_429(method: str, path: str):
    answer = openapi_document()["paths"][path][method]["responses"]["429"]
    assert "Retry-After" in answer["headers"]


def test_a_row_without_a_body_or_a_gate_implies_only_415():
    row = Operation("get", "/things", "listThings", "List things", {"200": Answer("Listed")})
    assert sorted(build_document([row])["paths"]["/things"]["get"]["responses"]) == ["200", "415"]


def test_the_ticket_ids_an_incident_links_are_documented_as_the_ulids_they_are_checked_to_be():
    # Found by the fuzzer: any string was documented, and a client following the document got 400
    items = openapi_document()["components"]["schemas"]["TicketIds"]["properties"]["ticket_ids"]["items"]
    assert items == {"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{26}$"}


def test_the_intake_documents_that_a_null_category_is_taken_as_other():
    # Found by the fuzzer: {"category": null} was always accepted (as "other") against a schema saying string
    category = openapi_document()["components"]["schemas"]["NewTicket"]["properties"]["category"]
    assert category["anyOf"] == [{"$ref": "#/components/schemas/Category"}, {"type": "null"}]
    assert category["default"] == "other"
