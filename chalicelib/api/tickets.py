"""Ticket routes: public intake, and the ticket as its requester or an agent sees it."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from chalice import Blueprint, Response

from chalicelib import resources
from chalicelib.api.access import open_ticket
from chalicelib.api.http import HttpError, answers_errors, correlation_id, header, json_response, read_json_body
from chalicelib.api.views import ticket_view
from chalicelib.domain.intake import check_idempotency_key, parse_new_ticket
from chalicelib.domain.submission import IdempotencyConflict, submit_ticket
from chalicelib.domain.ticket import DeskState
from chalicelib.services import get_services

logger = Logger(service="polyglot-desk")
tickets_api = Blueprint(__name__)


# The body is always parsed as JSON; form and text types are accepted too so that a plain
# `curl -d '{...}'` (which sends application/x-www-form-urlencoded) just works.
INTAKE_CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "text/plain"]


@tickets_api.route("/tickets", methods=["POST"], content_types=INTAKE_CONTENT_TYPES)
@answers_errors
def create_ticket() -> Response:
    request = tickets_api.current_request
    body = read_json_body(request)
    idempotency_key = check_idempotency_key(header(request, "idempotency-key"))
    new = parse_new_ticket(body)
    services = get_services()
    correlation = correlation_id(request)
    try:
        submission = submit_ticket(
            new,
            idempotency_key,
            correlation,
            services.store,
            services.publisher,
            services.settings.queue_name(resources.DETECT),
            services.clock(),
            services.settings.idempotency_ttl_seconds,
        )
    except IdempotencyConflict as error:
        raise HttpError(422, "idempotency_key_reused", str(error), "Idempotency-Key") from None
    ticket = submission.ticket
    logger.info(
        "ticket received",
        extra={"ticket_id": ticket.ticket_id, "correlation_id": ticket.correlation_id, "replayed": submission.replayed},
    )
    headers = {
        "Location": f"/tickets/{ticket.ticket_id}",
        "X-Correlation-Id": ticket.correlation_id,
    }
    if submission.replayed:
        headers["Idempotent-Replayed"] = "true"
    return json_response(
        201,
        {
            "ticket_id": ticket.ticket_id,
            "access_token": submission.access_token,
            "status": ticket.status.value,
            "created_at": ticket.created_at,
            "links": {"self": f"/tickets/{ticket.ticket_id}"},
        },
        headers,
    )


@tickets_api.route("/tickets/{ticket_id}", methods=["GET"])
@answers_errors
def get_ticket(ticket_id: str) -> Response:
    services = get_services()
    reader = open_ticket(tickets_api.current_request, ticket_id, services)
    messages = services.store.messages(ticket_id)
    ticket = reader.ticket
    # The queue ahead matters only while the ticket waits in it (one COUNT query, no scan).
    waiting_in_queue = ticket.desk is not None and ticket.desk.state is DeskState.OPEN
    open_ahead = services.store.open_ahead_of(ticket) if waiting_in_queue else 0
    recent = (
        services.store.recent_first_response_minutes(ticket.routing.region)
        if waiting_in_queue and ticket.routing is not None
        else []
    )
    body = ticket_view(
        ticket, messages, reader.agent, now=services.clock(), open_ahead=open_ahead, recent_first_responses=recent
    )
    return json_response(200, body, {"Cache-Control": "no-store"})
