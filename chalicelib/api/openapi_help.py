"""The help center's rows of /openapi.json's route table (api/openapi.py adds them to its own):
the public help routes and the requester's answer to the bot's suggestions.

Built by a function that openapi.py calls once its own types exist, so neither module needs
the other at import time (as openapi_incidents.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.contract.help import (
    HelpAnswerView,
    HelpArticleView,
    HelpQuestion,
    HelpTopicList,
    SelfServiceAnswer,
    SelfServiceRecorded,
)

if TYPE_CHECKING:
    from chalicelib.api.openapi import Operation, Parameter

LANG_DESCRIPTION = (
    "A served language (ISO 639-1) or a locale such as es-MX; default en. Anything else is 400; a "
    "served language without the article yet is answered in the nearest one (see `language`)"
)


def help_operations() -> tuple[Operation, ...]:
    from chalicelib.api.openapi import TICKET_ID, Answer, Operation, refused

    return (
        Operation(
            "post",
            "/help/answers",
            "answerHelpQuestion",
            "Ask the help center, in any language: up to three articles in the asker's language, best "
            "first, with a calibrated confidence; abstained=true and no answers when no topic fits. Public",
            {
                "200": Answer("The answers, or an abstention", HelpAnswerView),
                "400": refused("Invalid body: text missing, empty or over 5000 characters, a bad locale..."),
            },
            request=HelpQuestion,
            throttled=True,
        ),
        Operation(
            "get",
            "/help/topics",
            "listHelpTopics",
            "Every help-center topic with its title in a language. Public",
            {"200": Answer("The topics", HelpTopicList), "400": refused("lang is not a served language")},
            parameters=(_lang(),),
        ),
        Operation(
            "get",
            "/help/articles/{topic}",
            "readHelpArticle",
            "One help-center article in a language. Public",
            {
                "200": Answer("The article", HelpArticleView),
                "400": refused("lang is not a served language"),
                "404": refused("Unknown topic"),
            },
            parameters=(_topic(), _lang()),
        ),
        Operation(
            "post",
            "/tickets/{ticket_id}/self-service",
            "answerSelfService",
            "The requester says whether a suggested article solved the problem (once). Solved: the "
            "ticket is resolved as deflected (at once, or right after routing when it is not on a desk "
            "yet); not solved: it goes on to an agent, who sees which article was tried",
            {
                "200": Answer("Recorded", SelfServiceRecorded),
                "400": refused("Invalid body, or not_suggested: a topic the bot did not suggest on this ticket"),
                "404": refused("Unknown ticket, wrong token, or an agent's token"),
                "409": refused("already_answered, or conflict (the ticket changed meanwhile)"),
            },
            request=SelfServiceAnswer,
            security=("accessToken",),
            parameters=(TICKET_ID,),
        ),
    )


def _lang() -> Parameter:
    from chalicelib.api.openapi import Parameter

    return Parameter("lang", "query", str, description=LANG_DESCRIPTION, default="en")


def _topic() -> Parameter:
    from chalicelib.api.openapi import Parameter

    return Parameter("topic", "path", str, required=True, description="A topic id such as account.password_reset")
