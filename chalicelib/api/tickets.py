"""Public ticket routes: intake and the requester's view."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from chalice import Blueprint, Response

from chalicelib import resources
from chalicelib.api.http import (
    HttpError,
    as_http_error,
    bearer_token,
    correlation_id,
    error_response,
    header,
    json_response,
    not_found,
    read_json_body,
)
from chalicelib.api.views import ticket_view
from chalicelib.domain.ids import is_ticket_id, token_matches
from chalicelib.domain.intake import ValidationError, check_idempotency_key, parse_new_ticket
from chalicelib.domain.submission import IdempotencyConflict, submit_ticket
from chalicelib.services import get_services

logger = Logger(service="polyglot-desk")
tickets_api = Blueprint(__name__)


def answers_errors(route: Callable[..., Response]) -> Callable[..., Response]:
    """Turn the domain's and the request reader's errors into the contract's error body."""

    @functools.wraps(route)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return route(*args, **kwargs)
        except HttpError as error:
            return error_response(error.status, error.code, error.message, error.field)
        except ValidationError as error:
            http = as_http_error(error)
            return error_response(http.status, http.code, http.message, http.field)

    return wrapper


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
    token = bearer_token(tickets_api.current_request)
    # Shape checks first: a malformed id or a missing token costs no database read.
    if token is None or not is_ticket_id(ticket_id):
        return not_found()
    ticket = get_services().store.get(ticket_id)
    if ticket is None or not token_matches(token, ticket.token_hash):
        return not_found()
    return json_response(200, ticket_view(ticket), {"Cache-Control": "no-store"})
