"""Self-service first: the help center's answers, the bot's suggestions at intake, and the
requester's answer to them.

- `AskHelpCenter`: a question -> up to three articles, or an abstention (POST /help/answers).
- `SuggestAtIntake`: the same matcher on a new ticket's subject and description; a confident
  match becomes the ticket's `self_service.suggestions`. It never holds a ticket back: any
  trouble in the matcher means no suggestion, and the ticket goes on as usual.
- `AnswerSelfService`: the requester says whether a suggested article solved it. Solved: a
  routed ticket is resolved as deflected at once (`desk.deflect`, actor `self-service`); a
  ticket not routed yet keeps the answer and the route stage resolves it right after routing
  (`stages.route`), so the desk never waits for the bot and the bot never waits for the desk.
  Not solved: the answer is kept, the ticket goes on, and agents see which article was tried.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.domain.desk import SELF_SERVICE, deflect
from chalicelib.domain.intake import NewTicket
from chalicelib.domain.ports import Clock, HelpAnswer, HelpArticle, HelpMatcher
from chalicelib.domain.repositories import StaleTicket, TicketRepository
from chalicelib.domain.ticket import (
    DeskState,
    Requester,
    SelfService,
    SelfServiceOutcome,
    Status,
    Suggestion,
    Ticket,
    iso,
)
from chalicelib.observability import logger

# A ticket is somebody asking for a human: the bot speaks up only when it is fairly sure (the
# help page's own bar, the calibrated abstention, is lower), and runners-up below the second
# bar are not worth the requester's time.
MIN_INTAKE_CONFIDENCE = 0.5
MIN_SUGGESTION_CONFIDENCE = 0.25
WRITE_ATTEMPTS = 3


class NotSuggested(ValueError):
    """The topic is not one the bot suggested on this ticket."""


class SelfServiceAnswered(ValueError):
    """The requester answered the bot's suggestions on this ticket already."""


@dataclass(frozen=True)
class AskHelpCenter:
    matcher: HelpMatcher

    def __call__(self, text: str, requester: Requester) -> HelpAnswer:
        return self.matcher.answer(text, requester)

    def topics(self, language: str) -> list[HelpArticle]:
        return self.matcher.topics(language)

    def article(self, topic: str, language: str) -> HelpArticle | None:
        return self.matcher.article(topic, language)


@dataclass(frozen=True)
class SuggestAtIntake:
    matcher: HelpMatcher

    def __call__(self, new: NewTicket) -> SelfService | None:
        text = f"{new.subject}\n{new.description}" if new.subject else new.description
        try:
            answer = self.matcher.answer(text, new.requester)
        except Exception:  # the bot is a nicety: a ticket is never refused or delayed for it
            logger.exception("help center failed at intake; no suggestion")
            return None
        if answer.abstained or not answer.answers:
            return None
        best, *others = answer.answers
        if best.confidence < MIN_INTAKE_CONFIDENCE:
            return None
        chosen = [best, *(item for item in others if item.confidence >= MIN_SUGGESTION_CONFIDENCE)]
        return SelfService(
            suggestions=tuple(Suggestion(item.topic, item.title, item.confidence, item.language) for item in chosen)
        )


@dataclass(frozen=True)
class AnswerSelfService:
    tickets: TicketRepository
    clock: Clock

    def __call__(self, ticket: Ticket, topic: str, solved: bool) -> Ticket:
        """The ticket with the requester's answer recorded (and resolved when it solved it)."""
        for _ in range(WRITE_ATTEMPTS):
            after = answered(ticket, topic, solved, self.clock())
            try:
                if ticket.desk is not None and ticket.status is Status.ROUTED:
                    self.tickets.save_desk_change(ticket, after)
                else:
                    self.tickets.save_transition(ticket, after, awaiting_notification=False)
                return after
            except StaleTicket:
                # A worker moved the ticket meanwhile (detected, routed...): answer on the new one.
                fresh = self.tickets.get(ticket.ticket_id)
                if fresh is None:
                    raise
                ticket = fresh
        raise StaleTicket(ticket.ticket_id)


def answered(ticket: Ticket, topic: str, solved: bool, now: datetime) -> Ticket:
    """The ticket after the requester's answer: NotSuggested, SelfServiceAnswered, or the new
    ticket (version + 1; resolved as deflected when solved and on an unresolved desk)."""
    current = ticket.self_service
    if current is None or topic not in {suggestion.topic for suggestion in current.suggestions}:
        raise NotSuggested(f"{topic} was not suggested on this ticket")
    if current.outcome is not None:
        raise SelfServiceAnswered(f"ticket {ticket.ticket_id} has its answer already")
    recorded = replace(ticket, self_service=replace(current, outcome=SelfServiceOutcome(topic, solved, iso(now))))
    on_desk = ticket.status is Status.ROUTED and ticket.desk is not None
    if solved and on_desk and ticket.desk is not None and ticket.desk.state is not DeskState.RESOLVED:
        return deflect(recorded, topic, now)
    return recorded.revise(now, SELF_SERVICE)
