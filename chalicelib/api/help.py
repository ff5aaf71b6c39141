"""The help center: public answers to questions, topics and articles in every served language,
and the requester's answer to the bot's suggestions on their ticket.

The help routes are public (no token). Like intake they are not rate-limited yet: that belongs
with intake's limits (API Gateway usage plans or a WAF rate rule), tracked separately.
`lang`: a served language, or a locale such as `es-MX`; anything else is 400. A served language
without the article yet answers in the nearest one, and `language` says which.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api import contract
from chalicelib.api.access import NotFound, open_ticket
from chalicelib.api.budgets import spend
from chalicelib.api.http import HttpError, answers_errors, json_response, read_json_body
from chalicelib.composition_root import dependencies

help_api = Blueprint(__name__)
_BODY_TYPES = ["application/json", "application/x-www-form-urlencoded", "text/plain"]
CACHEABLE = {"Cache-Control": "public, max-age=300"}


def answers_help_errors(route: Callable[..., Response]) -> Callable[..., Response]:
    """The self-service answer's own errors as the contract's error body (then the common ones)."""

    @functools.wraps(route)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return route(*args, **kwargs)
        except Exception as error:
            from chalicelib.usecases.self_service import NotSuggested, SelfServiceAnswered  # loaded once raised

            if isinstance(error, NotSuggested):
                raise HttpError(400, "not_suggested", str(error), "topic") from None
            if isinstance(error, SelfServiceAnswered):
                raise HttpError(409, "already_answered", str(error)) from None
            raise

    return answers_errors(wrapper)


@help_api.route("/help/answers", methods=["POST"], content_types=_BODY_TYPES)
@answers_errors
def answer_question() -> Response:
    request, deps = help_api.current_request, dependencies()
    spend(request, deps, "help")
    text, requester = contract.parse_help_question(read_json_body(request))
    answer = deps.ask_help_center(text, requester)
    return json_response(200, contract.HelpAnswerView.of(answer).dump(), {"Cache-Control": "no-store"})


@help_api.route("/help/topics", methods=["GET"])
@answers_errors
def list_topics() -> Response:
    language = contract.parse_help_language((help_api.current_request.query_params or {}).get("lang"))
    articles = dependencies().ask_help_center.topics(language)
    return json_response(200, contract.HelpTopicList.of(language, articles).dump(), CACHEABLE)


@help_api.route("/help/articles/{topic}", methods=["GET"])
@answers_errors
def read_article(topic: str) -> Response:
    language = contract.parse_help_language((help_api.current_request.query_params or {}).get("lang"))
    article = dependencies().ask_help_center.article(topic, language)
    if article is None:
        raise HttpError(404, "not_found", "no such topic")
    return json_response(200, contract.HelpArticleView.of(article).dump(), CACHEABLE)


@help_api.route("/tickets/{ticket_id}/self-service", methods=["POST"], content_types=_BODY_TYPES)
@answers_help_errors
def answer_self_service(ticket_id: str) -> Response:
    request = help_api.current_request
    body = read_json_body(request)
    deps = dependencies()
    reader = open_ticket(request, ticket_id, deps)
    if not reader.is_requester:
        raise NotFound()  # the requester's answer alone: agents resolve through the desk
    topic, solved = contract.parse_self_service_answer(body)
    ticket = deps.answer_self_service(reader.ticket, topic, solved)
    return json_response(200, contract.SelfServiceRecorded.of(ticket).dump())
