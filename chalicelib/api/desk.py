"""The agent desk: a region's work lists, claiming the next ticket, and a ticket's desk state.

Every route takes an agent token (the authorizer in access.py) and answers 404 for a
region the agent does not work, exactly as for a ticket they may not see. Any agent of the
ticket's region may set waiting, resolve or reopen, not only the assignee: desks cover for each
other across shifts, and the audit trail (`desk.events`) names who did what.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from chalicelib.api import contract
from chalicelib.api.access import agent_authorizer, agent_of_desk, open_as_agent
from chalicelib.api.http import HttpError, answers_errors, json_response, read_json_body
from chalicelib.composition_root import dependencies
from chalicelib.domain.ticket import DeskState

if TYPE_CHECKING:
    from chalicelib.usecases.desk_work import DeskChange

desk_api = Blueprint(__name__)
LIST_LIMIT = 50
_BODY_TYPES = ["application/json", "text/plain"]


@desk_api.route("/desk/{region}/tickets", methods=["GET"], authorizer=agent_authorizer)
@answers_errors
def list_desk_tickets(region: str) -> Response:
    deps = dependencies()
    agent_of_desk(desk_api.current_request, region, deps)
    params = desk_api.current_request.query_params or {}
    state = _listable_state(params.get("state", DeskState.OPEN.value))
    tickets = deps.list_work(region, state, LIST_LIMIT)
    return json_response(200, contract.DeskList.of(region, state, tickets).dump())


@desk_api.route("/desk/{region}/claim", methods=["POST"], authorizer=agent_authorizer, content_types=_BODY_TYPES)
@answers_errors
def claim_next_ticket(region: str) -> Response:
    deps = dependencies()
    agent = agent_of_desk(desk_api.current_request, region, deps)
    claimed = deps.claim_next(region, agent.name, agent.languages)
    if claimed is None:
        return Response(body="", status_code=204)
    # Claimed first (the race that matters), then translated if this agent does not read it.
    claimed = deps.translate_on_demand(claimed, agent.languages)
    return json_response(200, contract.ticket_view(claimed, agent=agent, now=deps.clock()))


@desk_api.route(
    "/tickets/{ticket_id}/waiting", methods=["POST"], authorizer=agent_authorizer, content_types=_BODY_TYPES
)
@answers_errors
def wait_on_requester(ticket_id: str) -> Response:
    from chalicelib.domain import desk  # on the first call: not part of `import app`

    return _change(ticket_id, desk.wait_on_requester)


@desk_api.route(
    "/tickets/{ticket_id}/resolve", methods=["POST"], authorizer=agent_authorizer, content_types=_BODY_TYPES
)
@answers_errors
def resolve_ticket(ticket_id: str) -> Response:
    from chalicelib.domain import desk  # on the first call: not part of `import app`

    return _change(ticket_id, desk.resolve)


@desk_api.route("/tickets/{ticket_id}/reopen", methods=["POST"], authorizer=agent_authorizer, content_types=_BODY_TYPES)
@answers_errors
def reopen_ticket(ticket_id: str) -> Response:
    from chalicelib.domain import desk  # on the first call: not part of `import app`

    return _change(ticket_id, desk.reopen)


def _change(ticket_id: str, change: DeskChange) -> Response:
    """One desk change by an agent of the ticket's region: one conditional write, 409 on a lost race."""
    request = desk_api.current_request
    deps = dependencies()
    reader = open_as_agent(request, ticket_id, deps)
    assert reader.agent is not None
    # The optional {"note": "..."} an agent attaches to a change (kept in the audit trail).
    body = read_json_body(request) if (request.raw_body or b"").strip() else None
    after = deps.change_desk_state(reader.ticket, change, reader.agent.name, contract.parse_desk_note(body))
    return json_response(200, contract.ticket_view(after, agent=reader.agent, now=deps.clock()))


def _listable_state(value: str) -> DeskState:
    from chalicelib.domain import desk

    if value not in {state.value for state in desk.LISTABLE_STATES}:
        names = ", ".join(state.value for state in desk.LISTABLE_STATES)
        raise HttpError(400, "invalid_state", f"state must be one of {names}", "state")
    return DeskState(value)
