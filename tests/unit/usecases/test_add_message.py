"""AddMessage on the in-memory store: store the message pending, hand it to the translate
worker, and apply what it means for the desk."""

from __future__ import annotations

from datetime import timedelta

from chalicelib import aws_resource_names
from chalicelib.composition_root import Dependencies
from chalicelib.domain import desk
from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.conversation import Author
from chalicelib.domain.ports import OutgoingMessage
from chalicelib.domain.projections import SWEEP_MESSAGE
from chalicelib.domain.ticket import DeskState, Language, Ticket, TranslationStatus, iso
from tests.integration.builders import received_ticket
from tests.unit.usecases.fakes import (
    T0,
    RecordingPublisher,
    StepClock,
    on_the_desk,
    queue,
    stored,
    with_parts,
)

MINUTE = timedelta(minutes=1)
ANA = Agent("ana", ("latam",), ("es", "en"), 1_999_999_999)
BOB = Agent("bob", ("latam",), ("en",), 1_999_999_999)


def waiting_on_requester(deps: Dependencies, assignee: str | None = "ana") -> Ticket:
    ticket = on_the_desk(deps)
    if assignee is not None:
        claimed = desk.claim(ticket, assignee, T0 + MINUTE)
        deps.tickets.save_desk_change(ticket, claimed)
        ticket = claimed
    waiting = desk.wait_on_requester(ticket, assignee or "ana", T0 + 2 * MINUTE)
    deps.tickets.save_desk_change(ticket, waiting)
    return waiting


# --- requester messages ------------------------------------------------------------------------


def test_a_requester_message_is_stored_pending_and_sent_to_the_translate_queue(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    # Given a ticket on the desk
    ticket = on_the_desk(deps)

    # When the requester writes
    clock.move_to(T0 + 30 * MINUTE)
    message = deps.add_message.from_requester(ticket, "¿Alguna novedad?", None)

    # Then the message is stored, waiting for its language and its translation into the pivot
    assert deps.messages.for_ticket(ticket.ticket_id) == [message]
    assert (message.author, message.created_at, message.language) == (Author.REQUESTER, iso(clock()), None)
    assert (message.translation.status, message.translation.target) == (TranslationStatus.PENDING, "en")
    # And its claim check is on the translate queue
    assert publisher.sent == [
        OutgoingMessage(
            queue(aws_resource_names.TRANSLATE),
            {
                "type": "message.added",
                "v": 1,
                "ticket_id": ticket.ticket_id,
                "correlation_id": ticket.correlation_id,
                "message_id": message.message_id,
            },
            message.message_id,
        )
    ]
    # And the sweeper would find it if that message were lost
    [entry] = deps.sweep_index.stuck(SWEEP_MESSAGE, clock() + timedelta(hours=1), 10)
    assert entry.message_id == message.message_id


def test_a_requester_message_resumes_a_waiting_ticket_with_its_agent(deps: Dependencies, clock: StepClock):
    # Given a ticket ana parked waiting on the requester
    waiting = waiting_on_requester(deps, assignee="ana")

    # When the requester answers an hour later
    clock.move_to(T0 + timedelta(hours=1))
    deps.add_message.from_requester(waiting, "Aquí está el recibo.", None)

    # Then the ticket is back with ana, its pause closed, its deadlines running again
    after = stored(deps, waiting)
    assert after.desk is not None
    assert (after.desk.state, after.desk.assignee) == (DeskState.CLAIMED, "ana")
    assert after.desk.pauses == ((iso(T0 + 2 * MINUTE), iso(clock())),)
    assert after.routing is not None and after.routing.sla.first_response_due is not None
    assert after.history[-1]["by"] == desk.REQUESTER


def test_a_requester_message_on_an_unassigned_waiting_ticket_puts_it_back_in_the_queue(
    deps: Dependencies, clock: StepClock
):
    waiting = waiting_on_requester(deps, assignee=None)

    clock.move_to(T0 + timedelta(hours=1))
    deps.add_message.from_requester(waiting, "Aquí está.", None)

    after = stored(deps, waiting)
    assert after.desk is not None and after.desk.state is DeskState.OPEN


def test_a_requester_message_reopens_a_resolved_ticket(deps: Dependencies):
    ticket = on_the_desk(deps)
    resolved = desk.resolve(ticket, "ana", T0 + MINUTE)
    deps.tickets.save_desk_change(ticket, resolved)

    deps.add_message.from_requester(resolved, "Sigue sin funcionar.", None)

    after = stored(deps, ticket)
    assert after.desk is not None and (after.desk.state, after.desk.assignee) == (DeskState.OPEN, None)


def test_a_requester_message_on_an_open_ticket_changes_nothing_on_the_desk(deps: Dependencies):
    ticket = on_the_desk(deps)

    deps.add_message.from_requester(ticket, "¿Hola?", None)

    assert stored(deps, ticket) == ticket


def test_a_message_on_a_ticket_not_routed_yet_is_stored_and_the_ticket_untouched(deps: Dependencies):
    ticket = received_ticket(T0)
    deps.tickets.create(ticket)

    message = deps.add_message.from_requester(ticket, "Olvidé decir que fue con Visa.", "es")

    assert deps.messages.for_ticket(ticket.ticket_id) == [message]
    assert message.language == Language("es", 1.0, "declared")
    assert stored(deps, ticket) == ticket


def test_a_requester_answer_is_not_lost_to_a_concurrent_desk_change(deps: Dependencies, clock: StepClock):
    # Given a waiting ticket as the requester read it, and bob's first reply stored since
    waiting = waiting_on_requester(deps, assignee="ana")
    answered = desk.record_first_response(waiting, "bob", T0 + 3 * MINUTE)
    assert answered is not None
    deps.tickets.save_desk_change(waiting, answered)

    # When the requester answers from that read
    clock.move_to(T0 + timedelta(hours=1))
    deps.add_message.from_requester(waiting, "Aquí está el recibo.", None)

    # Then the write is retried on a fresh read: resumed, and bob's first response kept
    after = stored(deps, waiting)
    assert after.desk is not None
    assert (after.desk.state, after.desk.first_responded_at) == (DeskState.CLAIMED, iso(T0 + 3 * MINUTE))
    assert after.version == waiting.version + 2


def test_a_message_is_stored_even_when_its_claim_check_cannot_be_sent(deps: Dependencies):
    ticket = on_the_desk(deps)
    broken = with_parts(deps, publisher=RecordingPublisher(raises=ConnectionError("SQS unreachable")))

    message = broken.add_message.from_requester(ticket, "¿Hola?", None)

    assert deps.messages.for_ticket(ticket.ticket_id) == [message]
    assert [entry.message_id for entry in deps.sweep_index.stuck(SWEEP_MESSAGE, T0 + timedelta(days=1), 10)] == [
        message.message_id
    ]


# --- agent replies -------------------------------------------------------------------------------


def test_an_agents_first_reply_records_the_first_response_and_a_response_time_sample(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    # Given a ticket created at T0 and open on the latam desk
    ticket = on_the_desk(deps)

    # When ana replies 90 minutes later
    clock.move_to(T0 + 90 * MINUTE)
    reply = deps.add_message.from_agent(ticket, ANA, "Hola, ya lo reviso.", None)

    # Then her reply waits for its language to be detected (her token's language only a hint), to be
    # translated into the requester's
    assert (reply.author, reply.author_name, reply.language, reply.language_hint) == (Author.AGENT, "ana", None, "es")
    assert reply.translation.target == "es"
    assert [body["message_id"] for body in publisher.on(queue(aws_resource_names.TRANSLATE))] == [reply.message_id]
    # And the ticket records its first response, with an audit event
    after = stored(deps, ticket)
    assert after.desk is not None and after.desk.first_responded_at == iso(clock())
    assert after.history[-1]["note"] == "first response"
    # And the region's response times learn it waited 90 minutes
    assert deps.response_times.recent_first_responses("latam") == [90.0]


def test_a_second_reply_records_no_new_first_response(deps: Dependencies, clock: StepClock):
    ticket = on_the_desk(deps)
    clock.move_to(T0 + 90 * MINUTE)
    deps.add_message.from_agent(ticket, ANA, "Hola.", None)
    answered = stored(deps, ticket)

    clock.advance(timedelta(hours=2))
    deps.add_message.from_agent(answered, BOB, "Follow-up from bob.", None)

    assert stored(deps, ticket) == answered
    assert deps.response_times.recent_first_responses("latam") == [90.0]
    assert len(deps.messages.for_ticket(ticket.ticket_id)) == 2


def test_two_agents_replying_at_once_record_one_first_response(deps: Dependencies, clock: StepClock):
    # Given an open ticket both agents read, and bob's reply stored first
    ticket = on_the_desk(deps)
    clock.move_to(T0 + 30 * MINUTE)
    deps.add_message.from_agent(ticket, BOB, "Looking into it.", None)

    # When ana replies from her earlier read
    clock.move_to(T0 + 31 * MINUTE)
    deps.add_message.from_agent(ticket, ANA, "Hola, lo reviso.", None)

    # Then bob's reply stays the first response, and only it is a response-time sample
    after = stored(deps, ticket)
    assert after.desk is not None and after.desk.first_responded_at == iso(T0 + 30 * MINUTE)
    assert deps.response_times.recent_first_responses("latam") == [30.0]
    assert len(deps.messages.for_ticket(ticket.ticket_id)) == 2
