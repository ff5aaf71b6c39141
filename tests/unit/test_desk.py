"""The desk's state machine (domain/desk.py): claim, wait, resume, resolve, reopen, first response."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import desk
from chalicelib.domain.sla_policy import policy_for
from chalicelib.domain.stages import route
from chalicelib.domain.ticket import (
    DeskState,
    Language,
    Status,
    Ticket,
    Translation,
    TranslationStatus,
    iso,
    parse_iso,
)
from tests.unit.factories import T0, make_ticket, spanish


def hours(count: float) -> timedelta:
    return timedelta(hours=count)


def routed(category: str = "account.hacked") -> Ticket:
    """A Mexican ticket on the latam desk; account.hacked is urgent, so its clock runs 24x7."""
    translated = make_ticket(status=Status.TRANSLATED, category=category, language=spanish())
    return route(translated, T0, lambda region: f"desk-{region}")


def test_routing_puts_the_ticket_open_on_its_desk_with_deadlines_from_the_region_policy():
    # When a ticket is routed
    ticket = routed()

    # Then it is open on the latam desk, nobody has it, and its deadlines come from the SLA clock
    assert ticket.desk is not None and ticket.desk.state is DeskState.OPEN and ticket.desk.assignee is None
    assert ticket.routing is not None and ticket.routing.priority == "urgent"
    assert parse_iso(ticket.routing.sla.first_response_due) == T0 + hours(4)  # urgent: 24x7
    business = routed("content.report")
    clock = policy_for("latam").clock("normal", T0)
    assert business.routing is not None
    assert parse_iso(business.routing.sla.first_response_due) == clock.first_response_due
    # And the record round-trips
    assert Ticket.from_record(ticket.to_record()) == ticket


def test_a_claim_assigns_the_agent_bumps_the_version_and_is_audited():
    ticket = routed()

    # When ana claims it
    claimed = desk.claim(ticket, "ana", T0 + hours(1))

    # Then it is hers, one version later, with who/when/from/to in the history
    assert claimed.desk is not None and claimed.desk.state is DeskState.CLAIMED and claimed.desk.assignee == "ana"
    assert claimed.version == ticket.version + 1
    assert claimed.status is Status.ROUTED  # the pipeline status does not move
    assert claimed.history[-1] == {
        "at": iso(T0 + hours(1)),
        "from": "open",
        "to": "claimed",
        "by": "ana",
        "kind": "desk",
    }
    # And nobody can claim it again
    with pytest.raises(desk.DeskTransitionError):
        desk.claim(claimed, "bob", T0 + hours(2))


def test_waiting_stops_the_clock_and_the_requester_answer_moves_the_deadlines_later():
    claimed = desk.claim(routed(), "ana", T0 + hours(1))

    # When ana waits on the requester for two hours
    waiting = desk.wait_on_requester(claimed, "ana", T0 + hours(1), "asked for the receipt")
    assert waiting.desk is not None and waiting.desk.state is DeskState.WAITING
    assert waiting.routing is not None and waiting.routing.sla.first_response_due is None  # paused
    assert waiting.history[-1]["note"] == "asked for the receipt"
    resumed = desk.on_requester_message(waiting, T0 + hours(3))

    # Then the ticket is back with ana, and the first answer is due two hours later than before
    assert resumed is not None and resumed.desk is not None
    assert resumed.desk.state is DeskState.CLAIMED and resumed.desk.assignee == "ana"
    assert resumed.desk.pauses == ((iso(T0 + hours(1)), iso(T0 + hours(3))),)
    assert resumed.routing is not None
    assert parse_iso(resumed.routing.sla.first_response_due) == T0 + hours(4) + hours(2)
    assert resumed.history[-1]["by"] == desk.REQUESTER


def test_a_requester_message_on_an_open_or_claimed_ticket_changes_nothing_on_the_desk():
    assert desk.on_requester_message(routed(), T0) is None
    assert desk.on_requester_message(desk.claim(routed(), "ana", T0), T0) is None


def test_resolve_closes_an_open_pause_and_a_requester_message_reopens_to_the_queue():
    waiting = desk.wait_on_requester(desk.claim(routed(), "ana", T0), "ana", T0 + hours(1))

    # When ana resolves it while waiting, then the requester writes again
    resolved = desk.resolve(waiting, "ana", T0 + hours(2))
    assert resolved.desk is not None and resolved.desk.state is DeskState.RESOLVED
    assert resolved.desk.pauses == ((iso(T0 + hours(1)), iso(T0 + hours(2))),)
    reopened = desk.on_requester_message(resolved, T0 + hours(5))

    # Then the ticket is open again, unassigned, for whoever is free
    assert reopened is not None and reopened.desk is not None
    assert reopened.desk.state is DeskState.OPEN and reopened.desk.assignee is None
    assert [(event["from"], event["to"]) for event in reopened.history if event.get("kind") == "desk"] == [
        ("open", "claimed"),
        ("claimed", "waiting"),
        ("waiting", "resolved"),
        ("resolved", "open"),
    ]


@pytest.mark.parametrize("state_of", ["open", "claimed", "waiting"])
def test_only_a_resolved_ticket_can_be_reopened(state_of):
    ticket = routed()
    if state_of != "open":
        ticket = desk.claim(ticket, "ana", T0)
    if state_of == "waiting":
        ticket = desk.wait_on_requester(ticket, "ana", T0)
    with pytest.raises(desk.DeskTransitionError):
        desk.reopen(ticket, "ana", T0)


def test_a_resolved_ticket_cannot_wait_or_be_resolved_again():
    resolved = desk.resolve(routed(), "ana", T0)
    with pytest.raises(desk.DeskTransitionError):
        desk.wait_on_requester(resolved, "ana", T0)
    with pytest.raises(desk.DeskTransitionError):
        desk.resolve(resolved, "ana", T0)


def test_the_first_agent_reply_is_the_first_response_and_only_the_first():
    claimed = desk.claim(routed(), "ana", T0)
    answered = desk.record_first_response(claimed, "ana", T0 + hours(1))
    assert answered is not None and answered.desk is not None
    assert answered.desk.first_responded_at == iso(T0 + hours(1))
    assert answered.history[-1]["note"] == "first response"
    # A work list now sorts it by its resolution deadline
    assert answered.routing is not None
    assert desk.queue_deadline(answered) == answered.routing.sla.resolution_due
    assert desk.record_first_response(answered, "bob", T0 + hours(2)) is None


def test_a_ticket_not_routed_yet_has_no_desk():
    with pytest.raises(desk.DeskTransitionError):
        desk.claim(make_ticket(), "ana", T0)


def test_claim_prefers_the_agents_languages_then_translated_tickets():
    pending = Translation(TranslationStatus.PENDING, "en")
    done = Translation(TranslationStatus.DONE, "en", "google")
    in_spanish = make_ticket(language=spanish(), translation=pending)
    in_thai_translated = make_ticket(language=Language("th", 0.9, "text"), translation=done)
    in_thai_pending = make_ticket(language=Language("th", 0.9, "text"), translation=pending)
    assert desk.claim_preference(in_spanish, ("en", "es")) == 0
    assert desk.claim_preference(in_thai_translated, ("en", "es")) == 1
    assert desk.claim_preference(in_thai_pending, ("en", "es")) == 2
