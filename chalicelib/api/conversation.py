"""The conversation on a ticket: requester messages and agent replies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from chalicelib.api import contract
from chalicelib.api.access import NotFound, Reader, agent_authorizer, open_for_survey, open_ticket
from chalicelib.api.budgets import spend
from chalicelib.api.http import HttpError, answers_errors, json_response, read_json_body
from chalicelib.composition_root import Dependencies, dependencies

if TYPE_CHECKING:
    from chalicelib.domain.conversation import Message

conversation_api = Blueprint(__name__)
_BODY_TYPES = ["application/json", "text/plain"]


@conversation_api.route("/tickets/{ticket_id}/messages", methods=["POST"], content_types=_BODY_TYPES)
@answers_errors
def add_requester_message(ticket_id: str) -> Response:
    request = conversation_api.current_request
    body = read_json_body(request)
    deps = dependencies()
    reader = open_ticket(request, ticket_id, deps)
    if not reader.is_requester:
        raise NotFound()  # agents answer through /replies
    spend(request, deps, "messages", requester=ticket_id)
    text, declared = contract.parse_message_text(body)
    return _accepted(deps.add_message.from_requester(reader.ticket, text, declared))


@conversation_api.route(
    "/tickets/{ticket_id}/replies", methods=["POST"], authorizer=agent_authorizer, content_types=_BODY_TYPES
)
@answers_errors
def add_agent_reply(ticket_id: str) -> Response:
    deps, reader, text, declared = _agent_draft(ticket_id)
    return _accepted(deps.add_message.from_agent(reader.ticket, reader.agent, text, declared))


@conversation_api.route(
    "/tickets/{ticket_id}/replies/preview", methods=["POST"], authorizer=agent_authorizer, content_types=_BODY_TYPES
)
@answers_errors
def preview_agent_reply(ticket_id: str) -> Response:
    """What the requester would read if this reply were sent now (the same translation chain); stores nothing."""
    deps, reader, text, declared = _agent_draft(ticket_id)
    draft = deps.preview_reply(reader.ticket, reader.agent, text, declared)
    return json_response(200, contract.ReplyPreview.of(draft).dump(), {"Cache-Control": "no-store"})


@conversation_api.route("/tickets/{ticket_id}/satisfaction", methods=["POST"], content_types=_BODY_TYPES)
@answers_errors
def rate_ticket(ticket_id: str) -> Response:
    """The requester's rating of a resolution: once per resolution, 409 after."""
    request = conversation_api.current_request
    body = read_json_body(request)
    deps = dependencies()
    ticket = open_for_survey(request, ticket_id, deps)
    rating, comment = contract.parse_satisfaction(body)
    survey = deps.record_satisfaction(ticket, rating, comment)
    return json_response(201, contract.SatisfactionRecorded.of(survey).dump(), {"Location": f"/tickets/{ticket_id}"})


def _agent_draft(ticket_id: str) -> tuple[Dependencies, Reader, str, str | None]:
    """A reply's or a preview's common start: the body read, the agent let in, the text parsed."""
    request = conversation_api.current_request
    body = read_json_body(request)
    deps = dependencies()
    reader = open_ticket(request, ticket_id, deps)
    if reader.agent is None:
        raise HttpError(403, "forbidden", "replies need an agent token")
    text, declared = contract.parse_message_text(body)
    return deps, reader, text, declared


def _accepted(message: Message) -> Response:
    body = contract.MessageAccepted.of(message).dump()
    return json_response(201, body, {"Location": f"/tickets/{message.ticket_id}"})
