"""/openapi.json as api/openapi.py generates it from the contract's models and its route table."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate as validate_openapi_document

from chalicelib.api.openapi import OPERATIONS, openapi_document
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
    assert schema_of(resolve["requestBody"]) == {"$ref": "#/components/schemas/DeskNote"}
    assert resolve["security"] == [{"agentToken": []}]


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
