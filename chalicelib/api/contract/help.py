"""The help center's contract: a question and its answers, the topics and articles, and the
bot's suggestions on a ticket with the requester's answer to them."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from chalicelib.api.contract.base import RequestModel, Timestamp, ViewModel
from chalicelib.api.contract.errors import ValidationError, refuse, validated
from chalicelib.api.contract.requests import Country, Locale, Requester, _characters
from chalicelib.domain import ticket as domain
from chalicelib.domain.catalog import served_languages
from chalicelib.domain.ports import HelpAnswer, HelpArticle

MAX_QUESTION = 5_000
Confidence = Annotated[float, Field(json_schema_extra={"minimum": 0, "maximum": 1})]
HelpLanguage = Annotated[
    str, Field(description="ISO 639-1: one of the served languages", json_schema_extra={"pattern": "^[a-z]{2}$"})
]
TOPIC_PATTERN = r"^[a-z]+\.[a-z_]+$"


def _question_text(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        raise refuse("missing_field", "{field} is required")
    return value.strip()


class HelpQuestion(RequestModel):
    """A question for the help center, in any language; the locale and country help tell the
    language (Indonesian or Malay, Spanish or Portuguese...)."""

    text: Annotated[
        str,
        StringConstraints(min_length=1, max_length=MAX_QUESTION),
        BeforeValidator(_characters),
        BeforeValidator(_question_text),
    ]
    locale: Locale = Field(None, description="BCP 47 tag of the app's language", examples=["es-MX"])
    country: Country = Field(None, description="ISO 3166-1 alpha-2", examples=["MX"])

    def requester(self) -> domain.Requester:
        # The intake's requester model checks locale and country with the same codes.
        checked = validated(Requester, {"locale": self.locale, "country": self.country})
        return checked.to_domain()


def parse_help_question(body: Any) -> tuple[str, domain.Requester]:
    question = validated(HelpQuestion, body)
    return question.text, question.requester()


def parse_help_language(value: str | None, default: str = "en") -> str:
    """`lang` of the help routes: a served language (`es`, or a locale such as `es-MX`); 400
    otherwise. A served language without an article answers in the nearest one, marked."""
    if value is None or not value.strip():
        return default
    code = re.split(r"[-_]", value.strip())[0].lower()
    code = {"fil": "tl", "in": "id", "iw": "he"}.get(code, code)
    if code not in served_languages():
        raise ValidationError("unknown_language", f"lang {value!r} is not a served language", "lang")
    return code


def _topic(value: Any) -> Any:
    if not isinstance(value, str) or not re.fullmatch(TOPIC_PATTERN, value.strip()):
        raise refuse("invalid_topic", "{field} must be a topic id such as account.password_reset")
    return value.strip()


def _solved(value: Any) -> Any:
    if not isinstance(value, bool):
        raise refuse("invalid_type", "{field} must be true or false")
    return value


class SelfServiceAnswer(RequestModel):
    """Did the suggested article solve the problem? Once per ticket."""

    topic: Annotated[str, BeforeValidator(_topic), AfterValidator(str.strip)] = Field(
        description="One of the ticket's self_service.suggestions", json_schema_extra={"pattern": TOPIC_PATTERN}
    )
    solved: Annotated[bool, BeforeValidator(_solved)] = Field(
        description="true: the ticket is resolved (deflected); false: it goes on to an agent"
    )


def parse_self_service_answer(body: Any) -> tuple[str, bool]:
    answer = validated(SelfServiceAnswer, body)
    return answer.topic, answer.solved


# --- answers ---------------------------------------------------------------------------------


class HelpAnswerItem(ViewModel):
    topic: str
    title: str
    body: str = Field(description="Steps the user can follow")
    language: HelpLanguage = Field(description="The article's language: the asker's, or the nearest that has it")
    confidence: Confidence = Field(description="Calibrated: about how often an answer this sure is the right one")

    @classmethod
    def of(cls, article: HelpArticle) -> HelpAnswerItem:
        return cls(
            topic=article.topic,
            title=article.title,
            body=article.body,
            language=article.language,
            confidence=article.confidence,
        )


class HelpAnswerView(ViewModel):
    """Up to three articles, best first; none, with abstained=true, when no topic fits."""

    language: str = Field(description="The asker's language as the help center took it")
    abstained: bool
    answers: list[HelpAnswerItem]

    @classmethod
    def of(cls, answer: HelpAnswer) -> HelpAnswerView:
        return cls(
            language=answer.language,
            abstained=answer.abstained,
            answers=[HelpAnswerItem.of(article) for article in answer.answers],
        )


class HelpTopic(ViewModel):
    topic: str
    title: str
    category: str = Field(description="The ticket category the topic belongs to")
    language: HelpLanguage


class HelpTopicList(ViewModel):
    language: HelpLanguage = Field(description="The language asked for")
    topics: list[HelpTopic]

    @classmethod
    def of(cls, language: str, articles: list[HelpArticle]) -> HelpTopicList:
        return cls(
            language=language,
            topics=[
                HelpTopic(topic=item.topic, title=item.title, category=item.category, language=item.language)
                for item in articles
            ],
        )


class HelpArticleView(ViewModel):
    """One article; `language` differs from the one asked for when it is not written in it yet."""

    topic: str
    title: str
    body: str
    category: str
    language: HelpLanguage

    @classmethod
    def of(cls, article: HelpArticle) -> HelpArticleView:
        return cls(
            topic=article.topic,
            title=article.title,
            body=article.body,
            category=article.category,
            language=article.language,
        )


# --- the bot on a ticket ---------------------------------------------------------------------


class SuggestionView(ViewModel):
    topic: str
    title: str = Field(description="In the language of `language`; the body: GET /help/articles/{topic}")
    confidence: Confidence
    language: HelpLanguage


class SelfServiceOutcomeView(ViewModel):
    topic: str
    solved: bool
    at: Timestamp


class SelfServiceView(ViewModel):
    """The help-center articles the bot suggested at intake, and the requester's answer (null
    until they give one: POST /tickets/{id}/self-service)."""

    suggestions: list[SuggestionView]
    outcome: SelfServiceOutcomeView | None

    @classmethod
    def of(cls, self_service: domain.SelfService | None) -> SelfServiceView | None:
        if self_service is None:
            return None
        outcome = self_service.outcome
        return cls(
            suggestions=[
                SuggestionView(topic=item.topic, title=item.title, confidence=item.confidence, language=item.language)
                for item in self_service.suggestions
            ],
            outcome=(
                SelfServiceOutcomeView(topic=outcome.topic, solved=outcome.solved, at=outcome.at) if outcome else None
            ),
        )


class SelfServiceRecorded(ViewModel):
    """The requester's answer, recorded; `deflected`: the ticket is resolved by it."""

    ticket_id: str
    deflected: bool
    self_service: SelfServiceView

    @classmethod
    def of(cls, ticket: domain.Ticket) -> SelfServiceRecorded:
        view = SelfServiceView.of(ticket.self_service)
        assert view is not None and ticket.self_service is not None
        return cls(ticket_id=ticket.ticket_id, deflected=ticket.self_service.deflected, self_service=view)
