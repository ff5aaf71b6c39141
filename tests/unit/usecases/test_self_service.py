"""Self-service on the in-memory store: the bot's suggestions at intake, and the requester's
answer to them (deflected at once on the desk, or right after routing; not solved goes on)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from chalicelib.composition_root import Dependencies
from chalicelib.domain import desk
from chalicelib.domain.ports import HelpAnswer, HelpArticle
from chalicelib.domain.support_report import ReportPeriod
from chalicelib.domain.ticket import DeskState, Requester, SelfService, Status, Suggestion
from chalicelib.usecases.self_service import NotSuggested, SelfServiceAnswered
from tests.integration.builders import detected, received_ticket, translated
from tests.unit.usecases.fakes import T0, StepClock, delivered, new_ticket, on_the_desk, stored, with_parts

OFFER = SelfService((Suggestion("account.password_reset", "Can't log in?", 0.91, "es"),))
WEEK = ReportPeriod(T0.date() - timedelta(days=6), T0.date())


@dataclass
class FakeMatcher:
    """Answers every question with `answers` (or abstains), or raises."""

    answers: tuple[HelpArticle, ...] = ()
    raises: Exception | None = None
    asked: list[str] = field(default_factory=list)

    def answer(self, text: str, language_hint: Requester) -> HelpAnswer:
        self.asked.append(text)
        if self.raises is not None:
            raise self.raises
        return HelpAnswer("es", not self.answers, self.answers)

    def topics(self, language: str) -> list[HelpArticle]:
        return list(self.answers)

    def article(self, topic: str, language: str) -> HelpArticle | None:
        return next((item for item in self.answers if item.topic == topic), None)

    def languages(self) -> frozenset[str]:
        return frozenset({"es"})


def article(topic: str, confidence: float) -> HelpArticle:
    return HelpArticle(topic, f"title of {topic}", "1. Do this.", "es", "other", confidence)


@pytest.fixture
def bot(deps: Dependencies) -> tuple[Dependencies, FakeMatcher]:
    matcher = FakeMatcher((article("account.password_reset", 0.9), article("account.hacked", 0.4)))
    return with_parts(deps, help_matcher=matcher), matcher


def test_a_confident_answer_is_stored_on_the_new_ticket(bot):
    deps, matcher = bot
    # When a ticket is submitted
    submission = deps.submit_ticket(new_ticket("No puedo entrar, olvidé la contraseña", subject="Login"), None, "c-1")
    # Then the bot read its subject and description, and its answers are on the stored ticket
    assert matcher.asked == ["Login\nNo puedo entrar, olvidé la contraseña"]
    kept = stored(deps, submission.ticket)
    assert kept.self_service is not None and kept.self_service.outcome is None
    assert [item.topic for item in kept.self_service.suggestions] == ["account.password_reset", "account.hacked"]


def test_weak_runners_up_are_left_out_and_an_abstention_suggests_nothing(deps: Dependencies):
    weak = with_parts(deps, help_matcher=FakeMatcher((article("app.crash", 0.8), article("ads.billing", 0.1))))
    ticket = weak.submit_ticket(new_ticket(), None, "c-1").ticket
    assert ticket.self_service is not None and [item.topic for item in ticket.self_service.suggestions] == ["app.crash"]
    silent = with_parts(deps, help_matcher=FakeMatcher())
    assert silent.submit_ticket(new_ticket(), None, "c-2").ticket.self_service is None


def test_a_failing_bot_never_holds_a_ticket_back(deps: Dependencies):
    broken = with_parts(deps, help_matcher=FakeMatcher(raises=RuntimeError("index broken")))
    submission = broken.submit_ticket(new_ticket(), None, "c-1")
    assert submission.forwarded and stored(broken, submission.ticket).self_service is None


def test_solved_on_the_desk_resolves_it_as_deflected(deps: Dependencies, clock: StepClock):
    # Given a ticket on the desk with a suggestion
    ticket = on_the_desk(deps, self_service=OFFER)
    # When its requester says the article solved it
    clock.advance(timedelta(minutes=3))
    after = deps.answer_self_service(ticket, "account.password_reset", True)
    # Then it is resolved by the help center, off the work list, counted as deflected only
    kept = stored(deps, ticket)
    assert kept.desk is not None and kept.desk.state is DeskState.RESOLVED
    assert kept.history[-1]["by"] == desk.SELF_SERVICE and "account.password_reset" in kept.history[-1]["note"]
    assert kept.self_service is not None and kept.self_service.deflected and after.version == ticket.version + 1
    assert deps.work_lists.ticket_ids("latam", DeskState.OPEN) == []
    totals = deps.read_support_metrics(("latam",), None, WEEK).totals
    assert (totals.created, totals.resolved, totals.deflected) == (1, 0, 1)
    assert totals.backlog_open == 0


def test_not_solved_keeps_the_ticket_on_the_desk(deps: Dependencies):
    ticket = on_the_desk(deps, self_service=OFFER)
    deps.answer_self_service(ticket, "account.password_reset", False)
    kept = stored(deps, ticket)
    assert kept.desk is not None and kept.desk.state is DeskState.OPEN
    assert kept.self_service is not None and kept.self_service.outcome is not None
    assert (kept.self_service.outcome.topic, kept.self_service.outcome.solved) == ("account.password_reset", False)
    assert deps.work_lists.ticket_ids("latam", DeskState.OPEN) == [ticket.ticket_id]


def test_an_answer_before_routing_is_applied_by_the_route_stage(deps: Dependencies):
    # Given a translated ticket with a suggestion, not routed yet
    ticket = translated(detected(received_ticket(T0, self_service=OFFER), T0), T0)
    deps.tickets.create(ticket)
    # When the requester answers first
    deps.answer_self_service(ticket, "account.password_reset", True)
    assert stored(deps, ticket).status is Status.TRANSLATED
    # Then routing puts it on the desk already resolved, counted once as created and deflected
    body = {"type": "ticket.translated", "v": 1, "ticket_id": ticket.ticket_id, "correlation_id": "c"}
    assert deps.run_stage(deps.stages["route_ticket"], delivered([body])) == []
    kept = stored(deps, ticket)
    assert kept.status is Status.ROUTED and kept.desk is not None and kept.desk.state is DeskState.RESOLVED
    totals = deps.read_support_metrics(("latam", "na", "emea", "apac", "global"), None, WEEK).totals
    assert (totals.created, totals.resolved, totals.deflected, totals.backlog_open) == (1, 0, 1, 0)


def test_a_worker_moving_the_ticket_meanwhile_is_not_an_error(deps: Dependencies):
    # Given a received ticket a worker has detected since the requester's page read it
    ticket = received_ticket(T0, self_service=OFFER)
    deps.tickets.create(ticket)
    moved = detected(ticket, T0)
    deps.tickets.save_transition(ticket, moved)
    # When the requester answers on the page's (stale) copy, it is recorded on the fresh one
    deps.answer_self_service(ticket, "account.password_reset", False)
    kept = stored(deps, ticket)
    assert kept.status is Status.DETECTED and kept.self_service is not None and kept.self_service.outcome


def test_wrong_answers_are_refused(deps: Dependencies):
    ticket = on_the_desk(deps, self_service=OFFER)
    with pytest.raises(NotSuggested):
        deps.answer_self_service(ticket, "ads.billing", True)
    with pytest.raises(NotSuggested):
        deps.answer_self_service(on_the_desk(deps), "account.password_reset", True)  # nothing was suggested
    deps.answer_self_service(ticket, "account.password_reset", False)
    with pytest.raises(SelfServiceAnswered):
        deps.answer_self_service(stored(deps, ticket), "account.password_reset", True)


def test_solved_after_an_agent_resolved_it_records_the_answer_only(deps: Dependencies):
    ticket = on_the_desk(deps, self_service=OFFER)
    resolved = desk.resolve(ticket, "ana", T0, "done")
    deps.tickets.save_desk_change(ticket, resolved)
    deps.answer_self_service(resolved, "account.password_reset", True)
    kept = stored(deps, ticket)
    assert kept.history[-2]["by"] == "ana"  # the agent's resolution stands; the answer is noted
    totals = deps.read_support_metrics(("latam",), None, WEEK).totals
    assert (totals.resolved, totals.deflected) == (1, 0)
