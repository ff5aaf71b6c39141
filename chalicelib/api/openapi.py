"""The OpenAPI 3.1 document served at /openapi.json; tests validate real answers against it."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from chalicelib.domain.catalog import known_categories, served_languages
from chalicelib.domain.intake import (
    EVIDENCE_KINDS,
    MAX_DESCRIPTION,
    MAX_EVIDENCE,
    MAX_SUBJECT,
    TIERS,
)
from chalicelib.resources import REGIONS

_TS = {"type": "string", "format": "date-time"}
_NULLABLE_STR = {"type": ["string", "null"]}
_NULLABLE_TS = {"type": ["string", "null"], "format": "date-time"}
_DESK_STATES = ["open", "claimed", "waiting", "resolved"]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": _ref(schema)}}


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    schemas: dict[str, Any] = {
        "Requester": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "minLength": 1, "maxLength": 128},
                "email": {"type": "string", "format": "email", "maxLength": 254},
                "locale": {
                    "type": "string",
                    "description": "BCP 47 tag of the app's language, e.g. es-MX",
                    "examples": ["es-MX"],
                },
                "country": {
                    "type": "string",
                    "pattern": "^[A-Za-z]{2}$",
                    "description": "ISO 3166-1 alpha-2; decides the region",
                },
                "tier": {"type": "string", "enum": sorted(TIERS), "default": "standard"},
            },
        },
        "Evidence": {
            "type": "object",
            "additionalProperties": False,
            "required": ["kind", "value"],
            "properties": {
                "kind": {"type": "string", "enum": sorted(EVIDENCE_KINDS)},
                "value": {"type": "string", "minLength": 1, "maxLength": 2000},
            },
        },
        "Category": {"type": "string", "enum": sorted(known_categories()), "default": "other"},
        "NewTicket": {
            "type": "object",
            "additionalProperties": False,
            "required": ["description"],
            "properties": {
                "subject": {"type": "string", "maxLength": MAX_SUBJECT},
                "description": {"type": "string", "minLength": 1, "maxLength": MAX_DESCRIPTION},
                "category": _ref("Category"),
                "requester": _ref("Requester"),
                "evidence": {"type": "array", "maxItems": MAX_EVIDENCE, "items": _ref("Evidence")},
            },
        },
        "TicketCreated": {
            "type": "object",
            "required": ["ticket_id", "access_token", "status", "created_at"],
            "properties": {
                "ticket_id": {"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{26}$"},
                "access_token": {
                    "type": "string",
                    "description": "Shown once; send as 'Authorization: Bearer <token>'",
                },
                "status": {"type": "string"},
                "created_at": _TS,
                "links": {"type": "object", "properties": {"self": {"type": "string"}}},
            },
        },
        "Language": {
            "type": ["object", "null"],
            "required": ["code", "confidence", "source"],
            "properties": {
                "code": {"type": "string", "enum": [*sorted(served_languages()), "und"]},
                "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                "source": {"type": "string", "description": "evidence used: text, text+locale, locale, script, none"},
                "low_confidence": {"type": "boolean"},
            },
        },
        "Translation": {
            "type": ["object", "null"],
            "required": ["status", "target"],
            "properties": {
                "status": {"type": "string", "enum": ["done", "skipped", "pending", "failed"]},
                "target": {"type": "string"},
                "provider": _NULLABLE_STR,
                "subject": _NULLABLE_STR,
                "description": _NULLABLE_STR,
                "reason": {"type": "string"},
            },
        },
        "Sla": {
            "type": ["object", "null"],
            "description": (
                "Deadlines on the region's SLA clock (business hours per region; urgent runs 24x7). "
                "While the ticket waits on the requester the clock is stopped: paused=true and the "
                "deadlines not yet reached are null."
            ),
            "required": ["first_response_due", "eta"],
            "properties": {
                "first_response_due": _NULLABLE_TS,
                "resolution_due": _NULLABLE_TS,
                "paused": {"type": "boolean"},
                "eta": {
                    "type": ["object", "null"],
                    "description": (
                        "When the first answer can be expected: from now up to the first-response deadline, "
                        "stretched by the open tickets ahead in the region. Null once answered, resolved or paused."
                    ),
                    "required": ["from", "to"],
                    "properties": {"from": _TS, "to": _TS},
                },
            },
        },
        "DeskEvent": {
            "type": "object",
            "required": ["at", "by", "from", "to"],
            "properties": {
                "at": _TS,
                "by": {"type": "string", "description": "agent name, or 'requester'"},
                "from": {"type": "string", "enum": _DESK_STATES},
                "to": {"type": "string", "enum": _DESK_STATES},
                "note": {"type": "string"},
            },
        },
        "Desk": {
            "type": ["object", "null"],
            "description": (
                "Where a routed ticket is on its regional desk (status stays 'routed'). Requesters see "
                "state and first_responded_at; agents also see assignee, pauses and the audited events."
            ),
            "required": ["state"],
            "properties": {
                "state": {"type": "string", "enum": _DESK_STATES},
                "assignee": _NULLABLE_STR,
                "first_responded_at": _NULLABLE_TS,
                "pauses": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"from": _TS, "to": _NULLABLE_TS}},
                },
                "events": {"type": "array", "items": _ref("DeskEvent")},
            },
        },
        "DeskTicket": {
            "type": "object",
            "description": "A row of a desk work list",
            "required": ["ticket_id", "priority", "state", "first_response_due", "created_at"],
            "properties": {
                "ticket_id": {"type": "string"},
                "priority": {"type": "string", "enum": ["low", "normal", "high", "urgent"]},
                "state": {"type": "string", "enum": _DESK_STATES},
                "assignee": _NULLABLE_STR,
                "category": {"type": "string"},
                "language": _NULLABLE_STR,
                "translation_status": _NULLABLE_STR,
                "first_response_due": _NULLABLE_TS,
                "resolution_due": _NULLABLE_TS,
                "created_at": _TS,
            },
        },
        "DeskList": {
            "type": "object",
            "required": ["region", "state", "tickets"],
            "properties": {
                "region": {"type": "string", "enum": list(REGIONS)},
                "state": {"type": "string", "enum": _DESK_STATES[:3]},
                "tickets": {"type": "array", "items": _ref("DeskTicket")},
            },
        },
        "DeskNote": {
            "type": "object",
            "properties": {"note": {"type": "string", "maxLength": 500, "description": "kept in the audit trail"}},
        },
        "Ticket": {
            "type": "object",
            "required": [
                "ticket_id",
                "status",
                "category",
                "language",
                "translation",
                "region",
                "queue",
                "priority",
                "sla",
                "messages",
                "created_at",
                "updated_at",
            ],
            "properties": {
                "ticket_id": {"type": "string"},
                "status": {"type": "string", "enum": ["received", "detected", "translated", "routed"]},
                "subject": _NULLABLE_STR,
                "description": {"type": "string"},
                "category": {"type": "string"},
                "priority": {"type": ["string", "null"], "enum": ["low", "normal", "high", "urgent", None]},
                "language": _ref("Language"),
                "region": {"type": ["string", "null"], "enum": [*REGIONS, None]},
                "queue": _NULLABLE_STR,
                "translation": _ref("Translation"),
                "sla": _ref("Sla"),
                "desk": _ref("Desk"),
                "messages": {"type": "array", "items": _ref("Message")},
                "created_at": _TS,
                "updated_at": _TS,
            },
        },
        "Message": {
            "type": "object",
            "description": (
                "A conversation entry. Requesters see agent replies in their language once translated "
                "(translated=true) and the original otherwise; agents see requester messages in the pivot."
            ),
            "required": ["message_id", "author", "created_at", "text", "translated", "original"],
            "properties": {
                "message_id": {"type": "string"},
                "author": {"type": "string", "enum": ["requester", "agent"]},
                "author_name": _NULLABLE_STR,
                "created_at": _TS,
                "text": {"type": "string"},
                "language": _NULLABLE_STR,
                "translated": {"type": "boolean"},
                "translation_status": {"type": "string", "enum": ["done", "skipped", "pending", "failed"]},
                "translation": {"type": "object"},
                "original": {
                    "type": "object",
                    "properties": {"text": {"type": "string"}, "language": _NULLABLE_STR},
                },
            },
        },
        "NewMessage": {
            "type": "object",
            "additionalProperties": False,
            "required": ["text"],
            "properties": {
                "text": {"type": "string", "minLength": 1, "maxLength": MAX_DESCRIPTION},
                "language": {"type": "string", "description": "ISO 639-1; detected when omitted"},
            },
        },
        "MessageAccepted": {
            "type": "object",
            "required": ["message_id", "ticket_id", "author", "created_at", "translation"],
            "properties": {
                "message_id": {"type": "string"},
                "ticket_id": {"type": "string"},
                "author": {"type": "string"},
                "created_at": _TS,
                "translation": {"type": "object"},
            },
        },
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "field": {"type": "string"},
                    },
                }
            },
        },
        "Health": {
            "type": "object",
            "required": ["status"],
            "properties": {"status": {"type": "string"}, "stage": {"type": "string"}},
        },
    }
    ticket_id_param = {"name": "ticket_id", "in": "path", "required": True, "schema": {"type": "string"}}
    region_param = {
        "name": "region",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": list(REGIONS)},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "polyglot-desk",
            "version": "1.0.0",
            "description": (
                "Multilingual customer-support intake: tickets in any language are detected, "
                "translated for agents and routed to a regional desk."
            ),
        },
        "paths": {
            "/tickets": {
                "post": {
                    "operationId": "createTicket",
                    "summary": "Report a problem, in any language",
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string", "minLength": 8, "maxLength": 255},
                            "description": "A replay with the same key and body returns the same ticket and token",
                        },
                        {"name": "X-Correlation-Id", "in": "header", "required": False, "schema": {"type": "string"}},
                    ],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("NewTicket")}}},
                    "responses": {
                        "201": {
                            "description": "Stored; processing continues asynchronously",
                            "content": {"application/json": {"schema": _ref("TicketCreated")}},
                        },
                        "400": _error_response("Invalid body; nothing was stored"),
                        "413": _error_response("Body over 64 KiB; nothing was stored"),
                        "415": {"description": "Content-Type is not application/json (or form/text carrying JSON)"},
                        "422": _error_response("Idempotency-Key reused with a different body"),
                    },
                }
            },
            "/tickets/{ticket_id}": {
                "get": {
                    "operationId": "getTicket",
                    "summary": "The ticket, as its requester (access token) or an agent of its region sees it",
                    "security": [{"accessToken": []}, {"agentToken": []}],
                    "parameters": [ticket_id_param],
                    "responses": {
                        "200": {
                            "description": "The ticket",
                            "content": {"application/json": {"schema": _ref("Ticket")}},
                        },
                        "404": _error_response("Unknown ticket, or missing or wrong token (the same answer)"),
                    },
                }
            },
            "/tickets/{ticket_id}/messages": {
                "post": {
                    "operationId": "addRequesterMessage",
                    "summary": (
                        "The requester adds a message, in any language; agents read it translated. "
                        "On a ticket waiting on the requester it resumes the SLA clock; on a resolved one it reopens"
                    ),
                    "security": [{"accessToken": []}],
                    "parameters": [ticket_id_param],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("NewMessage")}}},
                    "responses": {
                        "201": {
                            "description": "Stored",
                            "content": {"application/json": {"schema": _ref("MessageAccepted")}},
                        },
                        "400": _error_response("Invalid body; nothing stored"),
                        "404": _error_response("Unknown ticket or wrong token"),
                    },
                }
            },
            "/tickets/{ticket_id}/replies": {
                "post": {
                    "operationId": "addAgentReply",
                    "summary": (
                        "An agent replies in their language; the requester reads it in theirs. "
                        "The first reply is the ticket's first response (desk.first_responded_at)"
                    ),
                    "security": [{"agentToken": []}],
                    "parameters": [ticket_id_param],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("NewMessage")}}},
                    "responses": {
                        "201": {
                            "description": "Stored",
                            "content": {"application/json": {"schema": _ref("MessageAccepted")}},
                        },
                        "400": _error_response("Invalid body; nothing stored"),
                        "401": {"description": "No valid agent token"},
                        "404": _error_response("Unknown ticket, or a ticket of another region"),
                    },
                }
            },
            "/desk/{region}/tickets": {
                "get": {
                    "operationId": "listDeskTickets",
                    "summary": "A region's work list in one desk state, most urgent then earliest deadline first",
                    "security": [{"agentToken": []}],
                    "parameters": [
                        region_param,
                        {
                            "name": "state",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": _DESK_STATES[:3], "default": "open"},
                        },
                    ],
                    "responses": {
                        "200": {"description": "Up to 50 tickets", "content": _json("DeskList")},
                        "400": _error_response("Unknown state"),
                        "401": {"description": "No valid agent token"},
                        "404": _error_response("A region the agent does not work"),
                    },
                }
            },
            "/desk/{region}/claim": {
                "post": {
                    "operationId": "claimNextTicket",
                    "summary": (
                        "Claim the most urgent open ticket, preferring the agent's languages, then translated "
                        "tickets; atomic: two agents never get the same ticket"
                    ),
                    "security": [{"agentToken": []}],
                    "parameters": [region_param],
                    "responses": {
                        "200": {"description": "The claimed ticket", "content": _json("Ticket")},
                        "204": {"description": "Nothing open in the region"},
                        "401": {"description": "No valid agent token"},
                        "404": _error_response("A region the agent does not work"),
                    },
                }
            },
            **{
                f"/tickets/{{ticket_id}}/{action}": {
                    "post": {
                        "operationId": operation,
                        "summary": summary,
                        "security": [{"agentToken": []}],
                        "parameters": [ticket_id_param],
                        "requestBody": {
                            "required": False,
                            "content": {"application/json": {"schema": _ref("DeskNote")}},
                        },
                        "responses": {
                            "200": {"description": "The ticket after the change", "content": _json("Ticket")},
                            "401": {"description": "No valid agent token"},
                            "404": _error_response("Unknown ticket, or a ticket of another region"),
                            "409": _error_response(
                                "invalid_transition (not allowed from this state) or conflict (changed meanwhile)"
                            ),
                        },
                    }
                }
                for action, operation, summary in (
                    ("waiting", "waitOnRequester", "Wait on the requester (from open or claimed): the SLA clock stops"),
                    ("resolve", "resolveTicket", "Resolve (any agent of the region, not only the assignee)"),
                    ("reopen", "reopenTicket", "Reopen a resolved ticket: back to the region's open queue"),
                )
            },
            "/health": {
                "get": {
                    "operationId": "health",
                    "responses": {
                        "200": {"description": "Up", "content": {"application/json": {"schema": _ref("Health")}}}
                    },
                }
            },
            "/openapi.json": {
                "get": {"operationId": "openapi", "responses": {"200": {"description": "This document"}}}
            },
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "agentToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A signed agent token (python -m chalicelib.cli agent-token)",
                },
                "accessToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The access_token returned by POST /tickets",
                },
            },
        },
    }
