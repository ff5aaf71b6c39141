"""The incident desk: open an incident, link the tickets that report it, post updates.

Every route takes an agent token (the authorizer in access.py). An agent acts on incidents of a
region they work, a `global` agent on all; any other incident answers the same 404 as an
unknown id. The use cases are in usecases/incidents.py; the fan-out of an update to the linked
requesters runs in the incidents worker (workers/incidents.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api import contract
from chalicelib.api.access import agent_authorizer, agent_from_token
from chalicelib.api.http import HttpError, answers_errors, bearer_token, json_response, read_json_body
from chalicelib.composition_root import Dependencies, dependencies
from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.ids import is_ticket_id

incidents_api = Blueprint(__name__)
_BODY_TYPES = ["application/json", "text/plain"]


def answers_incident_errors(route: Callable[..., Response]) -> Callable[..., Response]:
    """The incident desk's own errors as the contract's error body (then the common ones)."""

    @functools.wraps(route)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return route(*args, **kwargs)
        except Exception as error:
            from chalicelib.domain import incidents  # loaded once raised: not part of `import app`

            if isinstance(error, incidents.IncidentNotFound):
                raise HttpError(404, "not_found", "no such incident") from None
            if isinstance(error, incidents.NotYourRegion):
                raise HttpError(403, "forbidden", str(error), "regions") from None
            if isinstance(error, incidents.TooManyUpdates):
                raise HttpError(409, "too_many_updates", str(error)) from None
            if isinstance(error, incidents.FanOutNotQueued):
                message = "the update is stored but its delivery could not be queued; post the same update again"
                raise HttpError(503, "not_queued", message) from None
            raise

    return answers_errors(wrapper)


def _agent(request: Request, deps: Dependencies) -> Agent:
    agent = agent_from_token(bearer_token(request), deps)
    if agent is None:
        raise HttpError(401, "unauthorized", "an agent token is required")
    return agent


def _incident_id(incident_id: str) -> str:
    """A malformed id is as unknown as any other, and costs no database read."""
    if not is_ticket_id(incident_id):
        from chalicelib.domain.incidents import IncidentNotFound

        raise IncidentNotFound(incident_id)
    return incident_id


@incidents_api.route("/incidents", methods=["POST"], authorizer=agent_authorizer, content_types=_BODY_TYPES)
@answers_incident_errors
def open_incident() -> Response:
    request, deps = incidents_api.current_request, dependencies()
    agent = _agent(request, deps)
    incident = deps.open_incident(agent, contract.parse_new_incident(read_json_body(request)))
    location = {"Location": f"/incidents/{incident.incident_id}"}
    return json_response(201, contract.IncidentCreated.of(incident).dump(), location)


@incidents_api.route("/incidents", methods=["GET"], authorizer=agent_authorizer)
@answers_incident_errors
def list_incidents() -> Response:
    request, deps = incidents_api.current_request, dependencies()
    agent = _agent(request, deps)
    resolved = contract.parse_listing((request.query_params or {}).get("status"))
    return json_response(200, contract.IncidentList.of(resolved, deps.read_incidents.listing(agent, resolved)).dump())


@incidents_api.route("/incidents/{incident_id}", methods=["GET"], authorizer=agent_authorizer)
@answers_incident_errors
def read_incident(incident_id: str) -> Response:
    request, deps = incidents_api.current_request, dependencies()
    reading = deps.read_incidents.one(_agent(request, deps), _incident_id(incident_id))
    body = contract.IncidentView.read(reading.incident, reading.linked_tickets).dump()
    return json_response(200, body, {"Cache-Control": "no-store"})


@incidents_api.route(
    "/incidents/{incident_id}/tickets", methods=["POST"], authorizer=agent_authorizer, content_types=_BODY_TYPES
)
@answers_incident_errors
def link_tickets(incident_id: str) -> Response:
    request, deps = incidents_api.current_request, dependencies()
    agent = _agent(request, deps)
    ticket_ids = contract.parse_ticket_ids(read_json_body(request))
    outcome = deps.link_tickets.link(agent, _incident_id(incident_id), ticket_ids)
    skipped = [contract.SkippedTicket(ticket_id=ticket_id, reason=reason) for ticket_id, reason in outcome.skipped]
    return json_response(200, contract.TicketsLinked(linked=outcome.linked, skipped=skipped).dump())


@incidents_api.route(
    "/incidents/{incident_id}/tickets", methods=["DELETE"], authorizer=agent_authorizer, content_types=_BODY_TYPES
)
@answers_incident_errors
def unlink_tickets(incident_id: str) -> Response:
    request, deps = incidents_api.current_request, dependencies()
    agent = _agent(request, deps)
    ticket_ids = contract.parse_ticket_ids(read_json_body(request))
    unlinked = deps.link_tickets.unlink(agent, _incident_id(incident_id), ticket_ids)
    return json_response(200, contract.TicketsUnlinked(unlinked=unlinked).dump())


@incidents_api.route("/incidents/{incident_id}/candidates", methods=["GET"], authorizer=agent_authorizer)
@answers_incident_errors
def candidate_tickets(incident_id: str) -> Response:
    request, deps = incidents_api.current_request, dependencies()
    candidates = deps.find_candidates(_agent(request, deps), _incident_id(incident_id))
    pivot = deps.settings.pivot_language
    rows = [contract.CandidateTicket.of(candidate.ticket, candidate.score, pivot) for candidate in candidates]
    return json_response(200, contract.CandidateList(incident_id=incident_id, candidates=rows).dump())


@incidents_api.route(
    "/incidents/{incident_id}/updates", methods=["POST"], authorizer=agent_authorizer, content_types=_BODY_TYPES
)
@answers_incident_errors
def post_incident_update(incident_id: str) -> Response:
    request, deps = incidents_api.current_request, dependencies()
    agent = _agent(request, deps)
    status, text = contract.parse_incident_update(read_json_body(request))
    update = deps.post_incident_update(agent, _incident_id(incident_id), status, text)
    return json_response(202, contract.UpdateAccepted(update_id=update.update_id, status=update.status).dump())
