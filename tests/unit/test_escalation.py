"""Escalation as pure functions: when the level rises (sla.escalation_due), what escalating does to
a ticket (desk.escalate, desk.next_escalation_due), the priority step and the index key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import desk
from chalicelib.domain.escalation_levels import escalating_target, escalation_due, level_for, level_named
from chalicelib.domain.projections import round_up_to_millisecond
from chalicelib.domain.routing import raised_priority
from chalicelib.domain.sla_targets import SlaTarget
from chalicelib.domain.stages import route
from chalicelib.domain.ticket import Status, Ticket, iso
from tests.unit.factories import T0, make_ticket, spanish


def hours(count: float) -> timedelta:
    return timedelta(hours=count)


def urgent() -> Ticket:
    """An urgent (account.hacked) ticket on the latam desk: 4 h first response, 1 day resolution, 24x7."""
    translated = make_ticket(status=Status.TRANSLATED, category="account.hacked", language=spanish())
    return route(translated, T0, lambda region: f"desk-{region}")


def normal() -> Ticket:
    # A category left as "other" and words that name no money or fraud: normal priority
    translated = make_ticket(
        status=Status.TRANSLATED,
        category="other",
        language=spanish(),
        subject=None,
        description="La aplicación se cierra cada vez que la abro.",
    )
    ticket = route(translated, T0, lambda region: f"desk-{region}")
    assert ticket.routing is not None and ticket.routing.priority == "normal"
    return ticket


def test_the_level_rises_at_80_percent_then_at_the_deadline_of_the_first_response():
    # Given an urgent ticket's clock
    clock = desk.sla_clock(urgent())
    agent, team_lead = level_named(clock, "agent"), level_named(clock, "team_lead")

    # Then above the agent it is due at 80% of 4 h, above the team lead at the deadline
    assert escalation_due(clock, agent) == T0 + hours(3.2)
    assert escalation_due(clock, team_lead) == T0 + hours(4)
    # And nothing is above the region manager
    assert escalation_due(clock, level_named(clock, "region_manager")) is None


def test_once_answered_only_the_resolution_target_escalates():
    # Given an urgent ticket answered after an hour
    ticket = urgent()
    answered = desk.record_first_response(ticket, "ana", T0 + hours(1))
    assert answered is not None
    clock = desk.sla_clock(answered)

    # Then the next rise is at 80% of the one-day resolution target
    assert escalation_due(clock, level_named(clock, "agent")) == T0 + hours(24 * 0.8)
    assert escalating_target(T0 + hours(20), clock) is SlaTarget.RESOLUTION


def test_an_unknown_or_missing_level_name_reads_as_the_first_level():
    clock = desk.sla_clock(urgent())
    assert level_named(clock, None).name == level_named(clock, "renamed since").name == "agent"


def test_escalate_records_the_level_raises_priority_and_keeps_the_promised_deadlines():
    # Given a normal ticket at 80% of its first-response time
    ticket = normal()
    clock = desk.sla_clock(ticket)
    warning = clock.warning_at(SlaTarget.FIRST_RESPONSE)
    assert warning is not None

    # When it is escalated
    after = desk.escalate(ticket, warning)

    # Then the team lead has it, one step more urgent, with an audit event and the same deadlines
    assert after is not None and after.desk is not None and after.routing is not None and ticket.routing is not None
    assert after.desk.escalation == "team_lead"
    assert (after.routing.priority, after.routing.sla_priority) == ("high", "normal")
    assert after.routing.sla == ticket.routing.sla
    assert after.version == ticket.version + 1
    event = after.history[-1]
    assert {key: event[key] for key in ("at", "from", "to", "by", "kind")} == {
        "at": iso(warning),
        "from": "agent",
        "to": "team_lead",
        "by": "escalation",
        "kind": "desk",
    }
    assert event["note"] == (
        f"first response due {ticket.routing.sla.first_response_due}, 80% elapsed; priority normal -> high"
    )
    # And escalating again at the same moment does nothing
    assert desk.escalate(after, warning) is None
    # And its next escalation is the first-response deadline
    assert desk.next_escalation_due(after) == clock.first_response_due


def test_escalate_before_the_warning_does_nothing():
    ticket = urgent()
    assert desk.escalate(ticket, T0 + hours(3.1)) is None
    assert level_for(T0 + hours(3.1), desk.sla_clock(ticket)).name == "agent"


def test_priority_rises_one_step_and_stops_at_urgent():
    assert [raised_priority(priority) for priority in ("low", "normal", "high", "urgent")] == [
        "normal",
        "high",
        "urgent",
        "urgent",
    ]


@pytest.mark.parametrize("park", [desk.wait_on_requester, desk.resolve])
def test_a_waiting_or_resolved_ticket_has_no_next_escalation_and_never_escalates(park):
    parked = park(urgent(), "ana", T0 + hours(1))
    assert desk.next_escalation_due(parked) is None
    assert desk.escalate(parked, T0 + hours(100)) is None


def test_a_ticket_not_on_a_desk_has_no_next_escalation():
    assert desk.next_escalation_due(make_ticket()) is None
    assert desk.escalate(make_ticket(), T0) is None


def test_the_index_key_rounds_up_to_the_millisecond_so_it_never_sorts_before_the_rise():
    due = datetime(2030, 1, 2, 3, 4, 5, 123_456, tzinfo=UTC)
    assert iso(round_up_to_millisecond(due)) == "2030-01-02T03:04:05.124Z"
    exact = due.replace(microsecond=123_000)
    assert iso(round_up_to_millisecond(exact)) == "2030-01-02T03:04:05.123Z"
