"""EscalateDue on the in-memory store: escalate on the ticket's SLA clock, once per level."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from chalicelib.composition_root import Dependencies
from chalicelib.domain import desk
from chalicelib.domain.repositories import TicketRepository
from chalicelib.domain.sla_targets import SlaTarget
from chalicelib.domain.ticket import DeskState, Ticket
from tests.unit.usecases.fakes import (
    T0,
    Interfering,
    RecordingPublisher,
    StepClock,
    escalation_queue,
    on_the_desk,
    stored,
    with_parts,
)

MINUTE = timedelta(minutes=1)
NOTHING = {"escalated": 0, "skipped": 0, "unsent": 0}


def warning_of(ticket: Ticket) -> datetime:
    warning = desk.sla_clock(ticket).warning_at(SlaTarget.FIRST_RESPONSE)
    assert warning is not None
    return warning


def escalated_body(ticket: Ticket, level: str) -> dict[str, object]:
    return {
        "type": "ticket.escalated",
        "v": 1,
        "ticket_id": ticket.ticket_id,
        "correlation_id": ticket.correlation_id,
        "level": level,
    }


def test_nothing_escalates_before_the_warning_moment(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    ticket = on_the_desk(deps)

    clock.move_to(warning_of(ticket) - MINUTE)
    counts = deps.escalate_due()

    assert counts == NOTHING
    assert stored(deps, ticket) == ticket
    assert publisher.calls == 0


def test_at_the_warning_moment_the_team_lead_gets_the_ticket_on_the_regions_escalation_queue(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    # Given a normal-priority ticket open on the latam desk
    ticket = on_the_desk(deps, priority="normal")

    # When the worker runs at 80% of its first-response time
    clock.move_to(warning_of(ticket))
    counts = deps.escalate_due()

    # Then it is escalated: level recorded, priority one step up, one audit event
    assert counts == {"escalated": 1, "skipped": 0, "unsent": 0}
    after = stored(deps, ticket)
    assert after.desk is not None and after.routing is not None
    assert after.desk.escalation == "team_lead"
    assert (after.routing.priority, after.routing.promised_priority) == ("high", "normal")
    assert after.version == ticket.version + 1
    assert [(event["from"], event["to"], event["by"]) for event in after.history if event.get("kind") == "desk"] == [
        ("agent", "team_lead", desk.ESCALATION)
    ]
    # And its claim check is on escalations-latam, and nowhere else
    assert publisher.on(escalation_queue("latam")) == [escalated_body(ticket, "team_lead")]
    assert len(publisher.sent) == 1


def test_running_twice_at_the_same_moment_escalates_once(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    # Given a ticket the worker just escalated
    ticket = on_the_desk(deps)
    clock.move_to(warning_of(ticket))
    deps.escalate_due()
    once, sent = stored(deps, ticket), list(publisher.sent)

    # When it runs again at the same moment (a duplicate schedule), and a minute later
    again = deps.escalate_due()
    clock.advance(MINUTE)
    later = deps.escalate_due()

    # Then nothing is written or sent
    assert again == later == NOTHING
    assert stored(deps, ticket) == once
    assert publisher.sent == sent


def test_past_the_deadline_the_region_manager_gets_it_and_it_leaves_the_index(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    # Given a ticket the team lead already has
    ticket = on_the_desk(deps)
    clock.move_to(warning_of(ticket))
    deps.escalate_due()
    due = desk.sla_clock(ticket).first_response_due
    assert due is not None

    # When the worker runs past the first-response deadline
    clock.move_to(due + MINUTE)
    counts = deps.escalate_due()

    # Then the region manager has it, and the top level is never due again
    assert counts["escalated"] == 1
    after = stored(deps, ticket)
    assert after.desk is not None and after.desk.escalation == "region_manager"
    assert publisher.on(escalation_queue("latam"))[-1] == escalated_body(ticket, "region_manager")
    assert deps.escalation_index.due(due + timedelta(days=365), 10) == []


def test_a_ticket_waiting_on_the_requester_does_not_escalate(deps: Dependencies, clock: StepClock):
    ticket = on_the_desk(deps)
    waiting = desk.wait_on_requester(ticket, "ana", T0 + MINUTE)
    deps.tickets.save_desk_change(ticket, waiting)

    clock.move_to(T0 + timedelta(days=30))

    assert deps.escalate_due() == NOTHING
    assert stored(deps, ticket) == waiting


def test_a_lost_race_with_an_agent_is_skipped_and_the_next_run_escalates(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    # Given a ticket at its warning, and an agent who claims it between the worker's read and write
    ticket = on_the_desk(deps)

    def agent_claims(store: TicketRepository, read: Ticket) -> None:
        store.save_desk_change(read, desk.claim(read, "ana", T0 + MINUTE))

    racing = with_parts(deps, tickets=Interfering(deps.tickets, agent_claims))
    clock.move_to(warning_of(ticket))

    # When the worker runs
    counts = racing.escalate_due()

    # Then its write loses: skipped, nothing sent, the claim stands
    assert counts == {"escalated": 0, "skipped": 1, "unsent": 0}
    assert publisher.calls == 0
    claimed = stored(deps, ticket)
    assert claimed.desk is not None and (claimed.desk.state, claimed.desk.escalation) == (DeskState.CLAIMED, None)

    # And the next run escalates the claimed ticket, keeping its assignee
    clock.advance(MINUTE)
    assert deps.escalate_due()["escalated"] == 1
    after = stored(deps, ticket)
    assert after.desk is not None and (after.desk.escalation, after.desk.assignee) == ("team_lead", "ana")


class LaggingIndex:
    """The escalation index as read a moment before the table changed."""

    def __init__(self, ticket_ids: Sequence[str]) -> None:
        self.ticket_ids = list(ticket_ids)

    def due(self, now: datetime, limit: int) -> list[str]:
        return self.ticket_ids[:limit]


def test_a_ticket_resolved_since_the_index_was_read_is_skipped(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    ticket = on_the_desk(deps)
    deps.tickets.save_desk_change(ticket, desk.resolve(ticket, "ana", T0 + MINUTE))
    lagging = with_parts(deps, escalation_index=LaggingIndex([ticket.ticket_id, "01J0000000000000000000GONE"]))

    clock.move_to(warning_of(ticket))

    assert lagging.escalate_due() == {"escalated": 0, "skipped": 2, "unsent": 0}
    assert publisher.calls == 0


def test_an_escalation_whose_message_is_lost_is_still_recorded(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    # Given SQS losing the escalation message
    ticket = on_the_desk(deps)
    publisher.lose.add(ticket.ticket_id)

    # When the worker runs at the warning
    clock.move_to(warning_of(ticket))
    counts = deps.escalate_due()

    # Then the notification is counted unsent, and the escalation itself stands (not retried)
    assert counts == {"escalated": 0, "skipped": 0, "unsent": 1}
    after = stored(deps, ticket)
    assert after.desk is not None and after.desk.escalation == "team_lead"
    assert deps.escalate_due() == NOTHING


@pytest.mark.parametrize("region", ["na", "emea", "apac"])
def test_each_region_escalates_to_its_own_queue(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher, region: str
):
    ticket = on_the_desk(deps, region=region)

    clock.move_to(warning_of(ticket))
    deps.escalate_due()

    assert [message.queue for message in publisher.sent] == [escalation_queue(region)]


def test_each_escalation_written_is_counted_by_region_and_level_and_a_broken_counter_fails_nothing(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    from dataclasses import replace

    # Given a ticket at its warning moment, and the metric hook recording what it hears
    heard: list[Sequence[tuple[str, str]]] = []
    escalate = replace(deps.escalate_due, on_escalated=heard.append)
    ticket = on_the_desk(deps)
    clock.move_to(warning_of(ticket))

    # When the run escalates it
    assert escalate()["escalated"] == 1

    # Then the metric heard its region and level
    assert heard == [[(ticket.routing.region, "team_lead")]]

    # And a hook that fails leaves the escalation written
    def broken(_: Sequence[tuple[str, str]]) -> None:
        raise RuntimeError("EMF down")

    second = on_the_desk(deps)
    clock.move_to(warning_of(second))
    assert replace(deps.escalate_due, on_escalated=broken)()["escalated"] == 1
