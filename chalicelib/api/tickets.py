"""Ticket routes: public intake, and the ticket as its requester or an agent sees it."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api import contract
from chalicelib.api.access import open_ticket, requester_access
from chalicelib.api.budgets import charges, rate_limited, spend
from chalicelib.api.http import HttpError, answers_errors, correlation_id, header, json_response, read_json_body
from chalicelib.composition_root import dependencies
from chalicelib.domain.rate_limits import BudgetSpent
from chalicelib.domain.submission import Submission, requester_scope
from chalicelib.observability import logger

tickets_api = Blueprint(__name__)


# The body is always parsed as JSON; form and text types are accepted too so that a plain
# `curl -d '{...}'` (which sends application/x-www-form-urlencoded) just works.
INTAKE_CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "text/plain"]


@tickets_api.route("/tickets", methods=["POST"], content_types=INTAKE_CONTENT_TYPES)
@answers_errors
def create_ticket() -> Response:
    request = tickets_api.current_request
    body = read_json_body(request)
    idempotency_key = contract.check_idempotency_key(header(request, "idempotency-key"))
    new = contract.parse_new_ticket(body)
    deps = dependencies()
    # The intake's request counts go in the ticket's own write: no request of their own.
    spending = charges(request, deps, "intake", requester=requester_scope(new.requester))
    try:
        submission = deps.submit_ticket(new, idempotency_key, correlation_id(request), spending)
    except BudgetSpent as spent:
        raise rate_limited(spent.verdict) from None
    return _created(submission)


@tickets_api.route("/tickets/{ticket_id}", methods=["GET"])
@answers_errors
def get_ticket(ticket_id: str) -> Response:
    request, deps = tickets_api.current_request, dependencies()
    glance = _glance(request.query_params or {})
    reader = open_ticket(request, ticket_id, deps)
    ticket = reader.ticket
    if reader.agent is not None and not glance:
        # An agent who does not read a ticket its desk reads gets it translated now (once).
        ticket = deps.translate_on_demand(ticket, reader.agent.languages)
    language = None if reader.is_requester else deps.settings.pivot_language
    reading = deps.read_ticket(ticket, language, agent=not reader.is_requester)
    messages = reading.messages
    if reader.agent is not None and not glance:
        # And the requester's messages its desk reads, for an agent who does not (once each).
        messages = deps.translate_on_demand.conversation(reading.ticket, messages, reader.agent.languages)
    extras = contract.TicketExtras(reading.notifications, reading.survey, reading.incident, evidence=reading.evidence)
    body = contract.ticket_view(
        reading.ticket,
        messages,
        reader.agent,
        now=reading.now,
        open_ahead=reading.open_ahead,
        recent_first_responses=reading.recent_first_responses,
        extras=extras,
    )
    return json_response(200, body, {"Cache-Control": "no-store"})


@tickets_api.route("/tickets/{ticket_id}/access-token", methods=["POST"], content_types=INTAKE_CONTENT_TYPES)
@answers_errors
def rotate_access_token(ticket_id: str) -> Response:
    """The requester swaps their access token for a new one (a token they fear was seen)."""
    request, deps = tickets_api.current_request, dependencies()
    access = requester_access(request, ticket_id, deps)
    spend(request, deps, "token_rotation", requester=ticket_id)
    body = contract.AccessTokenRotated(ticket_id=ticket_id, access_token=deps.rotate_access_token(access)).dump()
    return json_response(201, body, {"Cache-Control": "no-store"})


def _glance(params: dict[str, str]) -> bool:
    """`?translate=false`: a look at the ticket (the console filling a work list's rows) that must
    not cost an on-demand translation; the default (`true`) is an agent opening it."""
    value = params.get("translate", "true")
    if value not in ("true", "false"):
        raise HttpError(400, "invalid_translate", "translate must be true or false", "translate")
    return value == "false"


def _created(submission: Submission) -> Response:
    ticket = submission.ticket
    logger.info(
        "ticket received",
        extra={"ticket_id": ticket.ticket_id, "correlation_id": ticket.correlation_id, "replayed": submission.replayed},
    )
    headers = {"Location": f"/tickets/{ticket.ticket_id}", "X-Correlation-Id": ticket.correlation_id}
    if submission.replayed:
        headers["Idempotent-Replayed"] = "true"
    body = contract.TicketCreated.of(ticket, submission.access_token).dump()
    return json_response(201, body, headers)
