"""ReadTicket on the in-memory store: the ticket, its conversation, and while it waits in its
region's queue, what its ETA is made of."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.composition_root import Dependencies
from chalicelib.domain import desk
from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.ticket import Ticket
from tests.integration.builders import received_ticket
from tests.unit.usecases.fakes import T0, StepClock, on_the_desk

MINUTE = timedelta(minutes=1)
ANA = Agent("ana", ("latam",), ("es",), 1_999_999_999)


def answered_after(deps: Dependencies, clock: StepClock, minutes: int, priority: str = "low") -> Ticket:
    """A latam ticket created at T0 whose first reply came `minutes` later (a response-time sample)."""
    ticket = on_the_desk(deps, priority=priority)
    clock.move_to(T0 + minutes * MINUTE)
    deps.add_message.from_agent(ticket, ANA, "Hola.", None)
    return ticket


def test_an_open_ticket_reads_with_the_tickets_ahead_and_the_regions_recent_first_responses(
    deps: Dependencies, clock: StepClock
):
    # Given two more urgent open tickets ahead in latam, one behind, and two answered (low: behind too)
    for priority in ("urgent", "high", "low"):
        on_the_desk(deps, priority=priority)
    answered_after(deps, clock, 30)
    answered_after(deps, clock, 90)
    ticket = on_the_desk(deps, priority="normal")
    clock.move_to(T0 + 2 * 60 * MINUTE)

    # When its requester reads it
    reading = deps.read_ticket(ticket)

    # Then the ETA's inputs are there: two open tickets ahead, the region's samples newest first
    assert reading.ticket == ticket
    assert reading.now == clock()
    assert reading.open_ahead == 2
    assert reading.recent_first_responses == [90.0, 30.0]


def test_a_claimed_ticket_reads_without_queue_or_response_times(deps: Dependencies, clock: StepClock):
    # Given tickets ahead and response-time samples, and a ticket an agent claimed
    on_the_desk(deps, priority="urgent")
    answered_after(deps, clock, 30)
    ticket = on_the_desk(deps, priority="normal")
    claimed = desk.claim(ticket, "ana", clock())
    deps.tickets.save_desk_change(ticket, claimed)

    # When it is read
    reading = deps.read_ticket(claimed)

    # Then no queue position or response times: it waits in no queue
    assert (reading.open_ahead, reading.recent_first_responses) == (0, [])


def test_a_waiting_ticket_reads_without_queue_or_response_times(deps: Dependencies, clock: StepClock):
    on_the_desk(deps, priority="urgent")
    answered_after(deps, clock, 30)
    ticket = on_the_desk(deps, priority="normal")
    waiting = desk.wait_on_requester(ticket, "ana", clock())
    deps.tickets.save_desk_change(ticket, waiting)

    reading = deps.read_ticket(waiting)

    assert (reading.open_ahead, reading.recent_first_responses) == (0, [])


def test_a_ticket_not_routed_yet_reads_without_queue_or_response_times(deps: Dependencies, clock: StepClock):
    answered_after(deps, clock, 30)
    ticket = received_ticket(T0)
    deps.tickets.create(ticket)

    reading = deps.read_ticket(ticket)

    assert (reading.open_ahead, reading.recent_first_responses) == (0, [])


def test_the_conversation_reads_oldest_first(deps: Dependencies, clock: StepClock):
    # Given a requester message and then an agent reply
    ticket = on_the_desk(deps)
    clock.move_to(T0 + MINUTE)
    question = deps.add_message.from_requester(ticket, "¿Hola?", None)
    clock.move_to(T0 + 2 * MINUTE)
    answer = deps.add_message.from_agent(ticket, ANA, "Hola, dime.", None)

    # When the ticket is read
    reading = deps.read_ticket(ticket)

    # Then both are there, in the order they were written
    assert [message.message_id for message in reading.messages] == [question.message_id, answer.message_id]


def test_the_queue_ahead_counts_only_the_tickets_region(deps: Dependencies):
    on_the_desk(deps, region="emea", priority="urgent")
    ticket = on_the_desk(deps, priority="normal")

    assert deps.read_ticket(ticket).open_ahead == 0
