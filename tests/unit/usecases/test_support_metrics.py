"""ReadSupportMetrics on the in-memory store, with the aggregates the other use cases' ticket
writes keep: routing, claims, replies, waiting, resolving, escalation, re-delivered messages."""

from __future__ import annotations

from datetime import date, timedelta

from chalicelib.composition_root import Dependencies
from chalicelib.domain import desk
from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.support_report import ReportPeriod
from chalicelib.domain.ticket import Language, Status, Ticket
from tests.integration.builders import detected, received_ticket, translated
from tests.unit.usecases.fakes import SPANISH, T0, StepClock, delivered, on_the_desk, stored

WEEK = ReportPeriod(T0.date() - timedelta(days=6), T0.date())
ANA = Agent("ana", ("latam",), ("es",), 2**31)


def test_the_report_shows_what_the_desk_did(deps: Dependencies, clock: StepClock):
    # Given three latam tickets on the desk, two in Spanish and one in Portuguese
    first = on_the_desk(deps, priority="high", language=SPANISH)
    second = on_the_desk(deps, priority="high", language=SPANISH)
    on_the_desk(deps, priority="high", language=Language("pt", 0.9, "text"))

    # When ana answers the first after 30 minutes and resolves it after 2 hours, and the second
    # waits on its requester
    clock.move_to(T0 + timedelta(minutes=30))
    deps.add_message.from_agent(first, ANA, "Hola, lo reviso.", "es")
    clock.move_to(T0 + timedelta(hours=2))
    deps.change_desk_state(stored(deps, first), desk.resolve, "ana", None)
    deps.change_desk_state(stored(deps, second), desk.wait_on_requester, "ana", None)

    report = deps.read_support_metrics(("latam", "na"), None, WEEK)

    # Then the totals and the breakdowns say so
    totals = report.totals
    assert (totals.created, totals.resolved) == (3, 1)
    assert (totals.first_responses, totals.first_response_within_sla_percent) == (1, 100.0)
    assert totals.first_response_p50_minutes == 22.5  # the 15-30 minute bucket, halfway
    assert totals.resolution_p50_minutes == 90.0  # the 60-120 minute bucket, halfway
    assert (totals.backlog_open, totals.backlog_waiting, totals.backlog_breached) == (1, 1, 0)
    assert report.by_region["latam"] == totals
    assert report.by_region["na"].created == 0
    assert list(report.by_language) == ["es", "pt"]
    spanish, portuguese = report.by_language["es"], report.by_language["pt"]
    assert (spanish.created, spanish.resolved, spanish.backlog_waiting) == (2, 1, 1)
    assert (portuguese.created, portuguese.backlog_open, portuguese.first_responses) == (1, 1, 0)


def test_a_routing_message_delivered_twice_counts_the_ticket_once(deps: Dependencies):
    # Given a translated ticket
    ticket = translated(detected(received_ticket(T0), T0), T0)
    deps.tickets.create(ticket)
    body = {"type": "ticket.translated", "v": 1, "ticket_id": ticket.ticket_id, "correlation_id": "c"}

    # When its claim check reaches the route worker twice (in one batch and once more later)
    deps.run_stage(deps.stages["route_ticket"], delivered([body, body]))
    deps.run_stage(deps.stages["route_ticket"], delivered([body]))

    # Then it was routed, and created once
    assert stored(deps, ticket).status is Status.ROUTED
    region = stored(deps, ticket).routing.region
    report = deps.read_support_metrics((region,), None, WEEK)
    assert (report.totals.created, report.totals.backlog_open) == (1, 1)


def test_an_escalation_past_the_deadline_is_a_breach_until_resolved(deps: Dependencies, clock: StepClock):
    ticket: Ticket = on_the_desk(deps, priority="high")  # first response due in 24 hours

    clock.move_to(T0 + timedelta(hours=25))
    deps.escalate_due()
    breached = deps.read_support_metrics(("latam",), None, WEEK).totals.backlog_breached
    deps.change_desk_state(stored(deps, ticket), desk.resolve, "ana", None)

    assert breached == 1
    assert deps.read_support_metrics(("latam",), None, WEEK).totals.backlog_breached == 0


def test_a_language_filter_and_a_period_without_the_days_leave_the_figures_out(deps: Dependencies):
    on_the_desk(deps, language=SPANISH)

    in_english = deps.read_support_metrics(("latam",), "en", WEEK)
    later = deps.read_support_metrics(("latam",), None, ReportPeriod(date(2031, 1, 1), date(2031, 1, 7)))

    assert (in_english.totals.created, in_english.totals.backlog_open, dict(in_english.by_language)) == (0, 0, {})
    assert (later.totals.created, later.totals.backlog_open) == (0, 1)  # the backlog is now, not per day
