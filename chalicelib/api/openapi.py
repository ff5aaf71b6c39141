"""The OpenAPI 3.1 document served at /openapi.json: the component schemas are the contract's
models (chalicelib/api/contract), the paths come from the route table below. Tests validate
real answers against it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter

from chalicelib.api.contract import (
    AgentTicket,
    ClockState,
    DeskList,
    DeskNote,
    Health,
    IdempotencyKey,
    ListableState,
    MessageAccepted,
    NewMessage,
    NewTicket,
    Region,
    Ticket,
    TicketCreated,
    component_schemas,
)
from chalicelib.api.contract.metrics import DateParameter, LanguageParameter, SupportMetricsReport
from chalicelib.api.contract.talking_back import SatisfactionAnswer, SatisfactionRecorded
from chalicelib.api.openapi_access import access_operations
from chalicelib.api.openapi_console import console_operations
from chalicelib.api.openapi_evidence import evidence_operations
from chalicelib.api.openapi_help import help_operations
from chalicelib.api.openapi_incidents import incident_operations
from chalicelib.api.openapi_pages import page_operations
from chalicelib.api.openapi_rows import (
    NO_AGENT,  # noqa: F401 (the row modules import the rows' types and answers from here)
    NOT_AN_AGENT,  # noqa: F401
    TOO_LARGE,  # noqa: F401
    Answer,
    Operation,
    Parameter,
    refused,
)
from chalicelib.domain.ticket import DeskState

# --- the route table (rows: api/openapi_rows.py, which also adds what every row implies) ----

TICKET_ID = Parameter("ticket_id", "path", str, required=True)
REGION = Parameter("region", "path", Region, required=True)
DESK_CHANGED = {
    "200": Answer("The ticket after the change", AgentTicket),
    "400": refused("A body that is not JSON, or an invalid note; nothing changed"),
    "404": refused("Unknown ticket, or a ticket of another region"),
    "409": refused("invalid_transition (not allowed from this state) or conflict (changed meanwhile)"),
}


def desk_change(action: str, operation_id: str, summary: str) -> Operation:
    return Operation(
        "post",
        f"/tickets/{{ticket_id}}/{action}",
        operation_id,
        summary,
        DESK_CHANGED,
        request=DeskNote,
        request_required=False,
        ignores_non_objects=True,  # parse_desk_note: a body that is not an object was always ignored
        security=("agentToken",),
        parameters=(TICKET_ID,),
    )


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "post",
        "/tickets",
        "createTicket",
        "Report a problem, in any language",
        {
            "201": Answer("Stored; processing continues asynchronously", TicketCreated),
            "400": refused("Invalid body; nothing was stored"),
            "422": refused("Idempotency-Key reused with a different body"),
        },
        request=NewTicket,
        throttled=True,  # api/budgets.py: per requester and per address
        parameters=(
            Parameter(
                "Idempotency-Key",
                "header",
                IdempotencyKey,
                description="A replay with the same key and body returns the same ticket and token",
            ),
            Parameter("X-Correlation-Id", "header", str),
        ),
    ),
    Operation(
        "get",
        "/tickets/{ticket_id}",
        "getTicket",
        "The ticket, as its requester (access token) or an agent of its region sees it",
        {
            "200": Answer("The ticket", Ticket),
            "400": refused("translate is neither true nor false"),
            "404": refused("Unknown ticket, or missing or wrong token (the same answer)"),
        },
        security=("accessToken", "agentToken"),
        parameters=(
            TICKET_ID,
            Parameter(
                "translate",
                "query",
                Literal["true", "false"],
                default="true",
                description="For an agent: true (opening it) translates a ticket in a language the agent does not "
                "read whose translation is on_demand (or pending), and its on_demand requester messages, once, "
                "and answers them translated; false (a glance, e.g. filling a work list) never does. Ignored for "
                "the requester",
            ),
        ),
    ),
    Operation(
        "post",
        "/tickets/{ticket_id}/messages",
        "addRequesterMessage",
        "The requester adds a message, in any language; agents read it translated. "
        "On a ticket waiting on the requester it resumes the SLA clock; on a resolved one it reopens",
        {
            "201": Answer("Stored", MessageAccepted),
            "400": refused("Invalid body; nothing stored"),
            "404": refused("Unknown ticket or wrong token"),
        },
        request=NewMessage,
        throttled=True,
        security=("accessToken",),
        parameters=(TICKET_ID,),
    ),
    Operation(
        "post",
        "/tickets/{ticket_id}/replies",
        "addAgentReply",
        "An agent replies in their language; the requester reads it in theirs. "
        "The first reply is the ticket's first response (desk.first_responded_at)",
        {
            "201": Answer("Stored", MessageAccepted),
            "400": refused("Invalid body; nothing stored"),
            "404": refused("Unknown ticket, a ticket of another region, or one not on a desk yet"),
        },
        request=NewMessage,
        security=("agentToken",),
        parameters=(TICKET_ID,),
    ),
    Operation(
        "post",
        "/tickets/{ticket_id}/satisfaction",
        "rateTicket",
        "The requester rates the resolution (1-5, an optional comment in any language, translated "
        "for agents), with their access token or the survey link's survey_token; once per resolution",
        {
            "201": Answer("Recorded", SatisfactionRecorded),
            "400": refused("Invalid body; nothing stored"),
            "404": refused("Unknown ticket, wrong token or survey token, or an agent's token"),
            "409": refused("Not resolved (or reopened since), or this resolution was rated already"),
        },
        request=SatisfactionAnswer,
        security=("accessToken",),
        parameters=(
            TICKET_ID,
            Parameter("survey_token", "query", str, description="From the survey link, instead of the access token"),
        ),
    ),
    Operation(
        "get",
        "/desk/{region}/tickets",
        "listDeskTickets",
        "A region's work list in one desk state, most urgent then earliest deadline first",
        {
            "200": Answer("Up to 50 tickets", DeskList),
            "400": refused("Unknown state"),
            "404": refused("A region the agent does not work"),
        },
        security=("agentToken",),
        parameters=(REGION, Parameter("state", "query", ListableState, default=DeskState.OPEN.value)),
    ),
    Operation(
        "post",
        "/desk/{region}/claim",
        "claimNextTicket",
        "Claim the most urgent open ticket, preferring the agent's languages, then translated "
        "tickets; atomic: two agents never get the same ticket",
        {
            "200": Answer("The claimed ticket", AgentTicket),
            "204": Answer("Nothing open in the region"),
            "404": refused("A region the agent does not work"),
        },
        security=("agentToken",),
        parameters=(REGION,),
    ),
    Operation(
        "get",
        "/metrics",
        "readSupportMetrics",
        "Support metrics of the agent's regions: tickets created, resolved and deflected, "
        "first-response and resolution times (p50/p90), first responses within the SLA, the "
        "backlog now and CSAT; totals and by region and by language",
        {
            "200": Answer("The report", SupportMetricsReport),
            "400": refused("A date that is not YYYY-MM-DD, from after to, over 92 days, or a bad language"),
            "404": refused("A region the agent does not work"),
        },
        security=("agentToken",),
        parameters=(
            Parameter(
                "region",
                "query",
                Region,
                description="One region; by default every region the agent works",
                blank_is_default=True,
            ),
            Parameter(
                "language",
                "query",
                LanguageParameter,
                description="Only tickets in this language",
                blank_is_default=True,
            ),
            Parameter(
                "from",
                "query",
                DateParameter,
                description="First UTC day; by default 6 days before to",
                blank_is_default=True,
            ),
            Parameter(
                "to",
                "query",
                DateParameter,
                description="Last UTC day, included; by default today",
                blank_is_default=True,
            ),
        ),
    ),
    desk_change("waiting", "waitOnRequester", "Wait on the requester (from open or claimed): the SLA clock stops"),
    desk_change("resolve", "resolveTicket", "Resolve (any agent of the region, not only the assignee)"),
    desk_change("reopen", "reopenTicket", "Reopen a resolved ticket: back to the region's open queue"),
    *access_operations(TICKET_ID),
    *incident_operations(),
    *evidence_operations(),
    *help_operations(),
    *console_operations(),
    *page_operations(),
    Operation("get", "/health", "health", "Is the service up", {"200": Answer("Up", Health)}),
    Operation("get", "/openapi.json", "openapi", "This document", {"200": Answer("This document")}),
    Operation(
        "get",
        "/dev/clock",
        "readClock",
        "The local stage's clock",
        {"200": Answer("Now, and how far ahead of real time", ClockState)},
        local_only=True,
    ),
    Operation(
        "get",
        "/dev/outbox",
        "readOutbox",
        "The e-mails the local stack sent through its embedded moto SES, newest first",
        {"200": Answer("The latest 50 (emails: from, to, subject, body) and how many in all")},
        parameters=(Parameter("to", "query", str, description="Only those sent to this address"),),
        local_only=True,
    ),
    Operation(
        "post",
        "/dev/clock",
        "moveClock",
        "Move the local stage's clock forward",
        {
            "200": Answer("The clock after the move", ClockState),
            "400": refused("Not exactly one of the four moves, or a value that is not one"),
        },
        local_only=True,
        body=True,  # read as JSON, documented in words below
        extra={
            "description": (
                'Send one of {"advance_seconds": 3600}, {"advance_hours": 20}, '
                '{"to": "2026-12-01T09:00:00Z"} (never backwards) or {"reset": true}.'
            )
        },
    ),
)

INFO = {
    "title": "polyglot-desk",
    "version": "1.0.0",
    "description": (
        "Multilingual customer-support intake: tickets in any language are detected, "
        "translated for agents and routed to a regional desk."
    ),
}
SECURITY_SCHEMES = {
    "agentToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "A signed agent token (python -m chalicelib.cli agent-token)",
    },
    "accessToken": {"type": "http", "scheme": "bearer", "description": "The access_token returned by POST /tickets"},
}


# --- the document ------------------------------------------------------------------------------


@lru_cache(maxsize=2)
def openapi_document(local_routes: bool = False) -> dict[str, Any]:
    """The document; `local_routes` adds the local stage's /dev/clock."""
    return build_document(operation for operation in OPERATIONS if local_routes or not operation.local_only)


def build_document(rows: Iterable[Operation]) -> dict[str, Any]:
    """The document of these rows, each with the answers its shape implies (openapi_rows.py)."""
    operations = list(rows)
    answers = {operation.operation_id: operation.all_answers for operation in operations}
    refs, schemas = component_schemas(
        requests=[operation.request for operation in operations if operation.request],
        responses=[model for by_status in answers.values() for answer in by_status.values() for model in answer.models],
    )
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        paths.setdefault(operation.path, {})[operation.method] = _operation(
            operation, answers[operation.operation_id], refs
        )
    return {
        "openapi": "3.1.0",
        "info": INFO,
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
    }


def _operation(
    operation: Operation, answers: Mapping[str, Answer], refs: Mapping[type[BaseModel], dict[str, str]]
) -> dict[str, Any]:
    document: dict[str, Any] = {"operationId": operation.operation_id, "summary": operation.summary, **operation.extra}
    if operation.security:
        document["security"] = [{scheme: []} for scheme in operation.security]
    if operation.parameters:
        document["parameters"] = [_parameter(parameter) for parameter in operation.parameters]
    if operation.request is not None:
        schema = refs[operation.request]
        if operation.ignores_non_objects:
            schema = {"anyOf": [schema, {"not": {"type": "object"}, "description": "Ignored, as no body"}]}
        document["requestBody"] = {
            "required": operation.request_required,
            "content": {"application/json": {"schema": schema}},
        }
    document["responses"] = {status: _answer(answer, refs) for status, answer in answers.items()}
    return document


def _answer(answer: Answer, refs: Mapping[type[BaseModel], dict[str, str]]) -> dict[str, Any]:
    document: dict[str, Any] = {"description": answer.description}
    if answer.headers:
        document["headers"] = dict(answer.headers)
    if answer.models:
        schemas = [refs[model] for model in answer.models]
        schema = schemas[0] if len(schemas) == 1 else {"anyOf": schemas}
        document["content"] = {"application/json": {"schema": schema}}
    return document


def _parameter(parameter: Parameter) -> dict[str, Any]:
    schema = TypeAdapter(parameter.type_).json_schema()
    if parameter.blank_is_default:
        schema = {"anyOf": [schema, {"const": "", "description": "The same as leaving it out"}]}
    if parameter.default is not None:
        schema["default"] = parameter.default
    document: dict[str, Any] = {
        "name": parameter.name,
        "in": parameter.location,
        "required": parameter.required,
        "schema": schema,
    }
    if parameter.description:
        document["description"] = parameter.description
    return document
