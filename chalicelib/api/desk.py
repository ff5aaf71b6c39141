"""The agent desk: a region's work lists, claiming the next ticket, and a ticket's desk state.

Every route takes an agent token (the conversation blueprint's authorizer) and answers 404 for a
region the agent does not work, exactly as for a ticket they may not see. Any agent of the
ticket's region may set waiting, resolve or reopen, not only the assignee: desks cover for each
other across shifts, and the audit trail (`desk.events`) names who did what.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.access import NotFound, agent_from_token, open_ticket
from chalicelib.api.conversation import agent_authorizer
from chalicelib.api.http import HttpError, answers_errors, bearer_token, json_response, read_json_body
from chalicelib.api.views import ticket_view
from chalicelib.domain import desk
from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.ticket import DeskState, Ticket
from chalicelib.resources import REGIONS
from chalicelib.services import Services, get_services

desk_api = Blueprint(__name__)
MAX_NOTE = 500
LIST_LIMIT = 50
_BODY_TYPES = ["application/json", "text/plain"]


@desk_api.route("/desk/{region}/tickets", methods=["GET"], authorizer=agent_authorizer)
@answers_errors
def list_desk_tickets(region: str) -> Response:
    services = get_services()
    _agent_of(region, services)
    params = desk_api.current_request.query_params or {}
    state = _listable_state(params.get("state", DeskState.OPEN.value))
    ids = services.store.desk_list(region, state, LIST_LIMIT)
    found = services.store.get_many(ids)
    # The index lags the table by a moment: keep its order, drop what moved on since.
    tickets = [found[ticket_id] for ticket_id in ids if ticket_id in found and _in_state(found[ticket_id], state)]
    return json_response(200, {"region": region, "state": state.value, "tickets": [_summary(t) for t in tickets]})


@desk_api.route("/desk/{region}/claim", methods=["POST"], authorizer=agent_authorizer, content_types=_BODY_TYPES)
@answers_errors
def claim_next_ticket(region: str) -> Response:
    services = get_services()
    agent = _agent_of(region, services)
    claimed = desk.claim_next(services.store, region, agent.name, agent.languages, services.clock())
    if claimed is None:
        return Response(body="", status_code=204)
    return json_response(200, ticket_view(claimed, agent=agent, now=services.clock()))


@desk_api.route(
    "/tickets/{ticket_id}/waiting", methods=["POST"], authorizer=agent_authorizer, content_types=_BODY_TYPES
)
@answers_errors
def wait_on_requester(ticket_id: str) -> Response:
    return _change(ticket_id, desk.wait_on_requester)


@desk_api.route(
    "/tickets/{ticket_id}/resolve", methods=["POST"], authorizer=agent_authorizer, content_types=_BODY_TYPES
)
@answers_errors
def resolve_ticket(ticket_id: str) -> Response:
    return _change(ticket_id, desk.resolve)


@desk_api.route("/tickets/{ticket_id}/reopen", methods=["POST"], authorizer=agent_authorizer, content_types=_BODY_TYPES)
@answers_errors
def reopen_ticket(ticket_id: str) -> Response:
    return _change(ticket_id, desk.reopen)


def _change(ticket_id: str, change: Callable[[Ticket, str, datetime, str | None], Ticket]) -> Response:
    """One desk change by an agent of the ticket's region: one conditional write, 409 on a lost race."""
    request = desk_api.current_request
    services = get_services()
    reader = open_ticket(request, ticket_id, services)
    if reader.agent is None:
        raise NotFound()  # the requester's token opens the ticket, not its desk
    note = _note(request.raw_body)
    after = change(reader.ticket, reader.agent.name, services.clock(), note)
    services.store.save_desk_change(reader.ticket, after)
    return json_response(200, ticket_view(after, agent=reader.agent, now=services.clock()))


def _agent_of(region: str, services: Services) -> Agent:
    agent = agent_from_token(bearer_token(desk_api.current_request), services)
    if agent is None:
        raise HttpError(401, "unauthorized", "an agent token is required")
    if region not in REGIONS or not agent.works(region):
        raise HttpError(404, "not_found", "no such desk")
    return agent


def _listable_state(value: str) -> DeskState:
    if value not in {state.value for state in desk.LISTABLE_STATES}:
        names = ", ".join(state.value for state in desk.LISTABLE_STATES)
        raise HttpError(400, "invalid_state", f"state must be one of {names}", "state")
    return DeskState(value)


def _in_state(ticket: Ticket, state: DeskState) -> bool:
    return ticket.desk is not None and ticket.desk.state is state


def _note(raw: bytes | None) -> str | None:
    """The optional `{"note": "..."}` an agent attaches to a change (kept in the audit trail)."""
    if not raw or not raw.strip():
        return None
    body: Any = read_json_body(desk_api.current_request)
    note = body.get("note") if isinstance(body, dict) else None
    if note is None:
        return None
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise HttpError(400, "invalid_note", f"note must be a string of at most {MAX_NOTE} characters", "note")
    return note.strip() or None


def _summary(ticket: Ticket) -> dict[str, Any]:
    """A work-list row: enough to pick a ticket without opening it."""
    routing, language, translation = ticket.routing, ticket.language, ticket.translation
    assert routing is not None and ticket.desk is not None
    return {
        "ticket_id": ticket.ticket_id,
        "priority": routing.priority,
        "state": ticket.desk.state.value,
        "assignee": ticket.desk.assignee,
        "category": ticket.category,
        "language": language.code if language else None,
        "translation_status": translation.status.value if translation else None,
        "first_response_due": routing.sla.first_response_due,
        "resolution_due": routing.sla.resolution_due,
        "created_at": ticket.created_at,
    }
