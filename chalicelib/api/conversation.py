"""The conversation on a ticket: requester messages and agent replies."""

from __future__ import annotations

import contextlib

from chalice import AuthResponse, Blueprint, Response
from chalice.app import AuthRequest

from chalicelib import resources
from chalicelib.api.access import NotFound, agent_from_token, open_ticket
from chalicelib.api.http import HttpError, answers_errors, json_response, read_json_body
from chalicelib.domain.conversation import Author, Message, new_message, parse_message_text
from chalicelib.domain.desk import apply_follow_up, on_requester_message, record_first_response
from chalicelib.domain.messages import MESSAGE_ADDED, ClaimCheck
from chalicelib.domain.ports import OutgoingMessage
from chalicelib.domain.ticket import parse_iso
from chalicelib.services import Services, get_services

conversation_api = Blueprint(__name__)


@conversation_api.authorizer()
def agent_authorizer(auth_request: AuthRequest) -> AuthResponse:
    """API Gateway's gate for agent routes: a valid, unexpired agent token or 401."""
    token = auth_request.token or ""
    agent = agent_from_token(token[7:] if token.lower().startswith("bearer ") else token, get_services())
    if agent is None:
        return AuthResponse(routes=[], principal_id="anonymous")
    return AuthResponse(
        routes=["*"],
        principal_id=agent.name,
        context={"regions": ",".join(agent.regions), "languages": ",".join(agent.languages)},
    )


@conversation_api.route(
    "/tickets/{ticket_id}/messages", methods=["POST"], content_types=["application/json", "text/plain"]
)
@answers_errors
def add_requester_message(ticket_id: str) -> Response:
    request = conversation_api.current_request
    body = read_json_body(request)
    services = get_services()
    reader = open_ticket(request, ticket_id, services)
    if not reader.is_requester:
        raise NotFound()  # agents answer through /replies
    text, declared = parse_message_text(body)
    message = new_message(
        reader.ticket,
        Author.REQUESTER,
        text,
        services.clock(),
        services.settings.pivot_language,
        declared_language=declared,
    )
    answer = _accept(message, reader.ticket.correlation_id, services)
    if reader.ticket.desk is not None:
        # The requester answered: a waiting ticket resumes (its SLA clock runs again), a resolved
        # one reopens.
        now = services.clock()
        apply_follow_up(services.store, reader.ticket, lambda ticket: on_requester_message(ticket, now))
    return answer


@conversation_api.route(
    "/tickets/{ticket_id}/replies",
    methods=["POST"],
    authorizer=agent_authorizer,
    content_types=["application/json", "text/plain"],
)
@answers_errors
def add_agent_reply(ticket_id: str) -> Response:
    request = conversation_api.current_request
    body = read_json_body(request)
    services = get_services()
    reader = open_ticket(request, ticket_id, services)
    if reader.agent is None:
        raise HttpError(403, "forbidden", "replies need an agent token")
    text, declared = parse_message_text(body)
    message = new_message(
        reader.ticket,
        Author.AGENT,
        text,
        services.clock(),
        services.settings.pivot_language,
        author_name=reader.agent.name,
        declared_language=declared or reader.agent.language,
    )
    answer = _accept(message, reader.ticket.correlation_id, services)
    if reader.ticket.desk is not None:
        agent, now = reader.agent.name, services.clock()
        answered = apply_follow_up(
            services.store, reader.ticket, lambda ticket: record_first_response(ticket, agent, now)
        )
        if answered is not None and answered.routing is not None:
            # The region's recent first-response times are what the requester's ETA is made of.
            waited = (now - parse_iso(answered.created_at)).total_seconds() / 60
            services.store.add_first_response_sample(answered.routing.region, answered.ticket_id, waited, now)
    return answer


def _accept(message: Message, correlation_id: str, services: Services) -> Response:
    """Store the message, then ask the translate worker for its language and translation."""
    services.store.add_message(message)
    check = ClaimCheck(MESSAGE_ADDED, message.ticket_id, correlation_id, message.message_id)
    queue = services.settings.queue_name(resources.TRANSLATE)
    with contextlib.suppress(Exception):  # stored already: the sweeper sends it if this did not
        services.publisher.send([OutgoingMessage(queue, check.to_body(), message.message_id)])
    return json_response(
        201,
        {
            "message_id": message.message_id,
            "ticket_id": message.ticket_id,
            "author": message.author.value,
            "created_at": message.created_at,
            "translation": {"status": message.translation.status.value, "target": message.translation.target},
        },
        {"Location": f"/tickets/{message.ticket_id}"},
    )
