"""RunStage on the in-memory store: the pipeline's hops, exactly-once effects over at-least-once
delivery, and the desk hop's outbox confirmation."""

from __future__ import annotations

from datetime import timedelta

from chalicelib import aws_resource_names
from chalicelib.composition_root import Dependencies
from chalicelib.domain import stages
from chalicelib.domain.ids import new_ticket_id
from chalicelib.domain.projections import SWEEP_RETRANSLATE, SWEEP_ROUTED
from chalicelib.domain.repositories import StuckTicket, TicketRepository
from chalicelib.domain.ticket import DeskState, Language, Status, Ticket, TranslationStatus
from tests.integration.builders import detected, received_ticket
from tests.unit.usecases.fakes import (
    ENGLISH,
    T0,
    FixedDetector,
    Interfering,
    RecordingPublisher,
    StepClock,
    delivered,
    desk_queue,
    in_memory_desk,
    queue,
    stored,
    with_parts,
    working_provider,
)

LATER = timedelta(days=365)


def received(deps: Dependencies, **changes: object) -> Ticket:
    ticket = received_ticket(T0, **changes)
    deps.tickets.create(ticket)
    return ticket


def check(ticket: Ticket, status: Status = Status.RECEIVED) -> dict[str, object]:
    event = {Status.RECEIVED: "received", Status.DETECTED: "detected", Status.TRANSLATED: "translated"}[status]
    return {"type": f"ticket.{event}", "v": 1, "ticket_id": ticket.ticket_id, "correlation_id": ticket.correlation_id}


def run(deps: Dependencies, stage: str, *bodies: object) -> list[str]:
    return deps.run_stage(deps.stages[stage], delivered(bodies))


def stuck(deps: Dependencies, kind: str) -> list[StuckTicket]:
    return deps.sweep_index.stuck(kind, T0 + LATER, 200)


# --- the hops ------------------------------------------------------------------------------


def test_detection_stores_the_language_and_sends_the_ticket_to_the_translate_queue(
    deps: Dependencies, publisher: RecordingPublisher
):
    # Given a received Spanish ticket, and a detector that says Spanish
    ticket = received(deps)

    # When the detect worker gets its claim check
    failed = run(deps, "detect_language", check(ticket))

    # Then the ticket is detected, one version on, and its claim check is on the translate queue
    assert failed == []
    after = stored(deps, ticket)
    assert (after.status, after.version, after.language) == (Status.DETECTED, 2, Language("es", 0.97, "text"))
    assert publisher.on(queue(aws_resource_names.TRANSLATE)) == [check(ticket, Status.DETECTED)]
    assert len(publisher.sent) == 1


def test_a_ticket_in_the_pivot_language_skips_the_translate_queue(clock: StepClock, publisher: RecordingPublisher):
    # Given an English ticket, and English as the pivot
    deps = in_memory_desk(clock, publisher, detector=FixedDetector(ENGLISH))
    ticket = received(deps, description="I was charged twice.", subject="Double charge")

    # When it is detected
    run(deps, "detect_language", check(ticket))

    # Then the detect worker routes it in the same write, its translation skipped, with no hop
    # through the translate or route queues
    after = stored(deps, ticket)
    assert (after.status, after.version) == (Status.ROUTED, ticket.version + 1)
    assert after.translation is not None and after.translation.status is TranslationStatus.SKIPPED
    assert [entry["by"] for entry in after.history] == ["intake", "detect_language", "route_ticket"]
    assert publisher.on(queue(aws_resource_names.ROUTE)) == []
    assert publisher.on(queue(aws_resource_names.TRANSLATE)) == []
    assert [body["ticket_id"] for body in publisher.on(desk_queue("latam"))] == [ticket.ticket_id]


def test_translation_stores_the_pivot_text_and_routes_the_ticket_in_the_same_write(
    clock: StepClock, publisher: RecordingPublisher
):
    # Given a detected Spanish ticket, and a provider that answers
    provider = working_provider("google")
    deps = in_memory_desk(clock, publisher, translators=[provider])
    ticket = received(deps)
    deps.tickets.save_transition(ticket, detected(ticket, T0))

    # When the translate worker gets its claim check
    failed = run(deps, "translate_ticket", check(ticket, Status.DETECTED))

    # Then the ticket is translated by that provider and routed to its desk in the same write
    assert failed == []
    after = stored(deps, ticket)
    assert after.status is Status.ROUTED and after.translation is not None
    assert (after.translation.status, after.translation.provider) == (TranslationStatus.DONE, "google")
    assert after.translation.description == "<en>Me cobraron dos veces la suscripción."
    assert publisher.on(queue(aws_resource_names.ROUTE)) == []
    assert [body["ticket_id"] for body in publisher.on(desk_queue("latam"))] == [ticket.ticket_id]


def test_without_a_provider_the_translation_is_pending_and_the_ticket_moves_on(
    deps: Dependencies, publisher: RecordingPublisher
):
    ticket = received(deps)
    deps.tickets.save_transition(ticket, detected(ticket, T0))

    run(deps, "translate_ticket", check(ticket, Status.DETECTED))

    after = stored(deps, ticket)
    assert after.status is Status.ROUTED and after.awaiting_translation
    assert [body["ticket_id"] for body in publisher.on(desk_queue("latam"))] == [ticket.ticket_id]
    assert [entry.ticket_id for entry in stuck(deps, SWEEP_RETRANSLATE)] == [ticket.ticket_id]


def test_a_ticket_goes_from_received_to_its_regions_desk_queue_hop_by_hop(
    deps: Dependencies, publisher: RecordingPublisher
):
    # Given a received Mexican ticket
    ticket = received(deps)

    # When each worker takes what the previous one sent (the translate worker also routes)
    assert run(deps, "detect_language", check(ticket)) == []
    [message] = publisher.take(queue(aws_resource_names.TRANSLATE))
    assert run(deps, "translate_ticket", message) == []

    # Then it is routed to latam in two writes, open on the desk, its desk message on the latam queue
    after = stored(deps, ticket)
    assert after.status is Status.ROUTED and after.version == 3
    assert publisher.on(queue(aws_resource_names.ROUTE)) == []
    assert after.routing is not None and after.routing.region == "latam"
    assert after.desk is not None and after.desk.state is DeskState.OPEN
    assert publisher.on(desk_queue("latam")) == [
        {"type": "ticket.routed", "v": 1, "ticket_id": ticket.ticket_id, "correlation_id": ticket.correlation_id}
    ]
    assert deps.work_lists.ticket_ids("latam", DeskState.OPEN) == [ticket.ticket_id]


# --- the desk hop's outbox ---------------------------------------------------------------------


def translated(deps: Dependencies) -> Ticket:
    """A ticket stored as translated (done, or pending when no provider answered) whose claim
    check went to the route worker: what the sweeper re-sends for a ticket left `translated`."""
    ticket = received(deps)
    deps.tickets.save_transition(ticket, detected(ticket, T0))
    waiting = stored(deps, ticket)
    translator = deps.text_translator if deps.translators else []
    deps.tickets.save_transition(waiting, stages.translate(waiting, translator, "en", T0, desks_read=False))
    return stored(deps, ticket)


def test_a_desk_message_that_went_out_is_confirmed_and_leaves_the_sweep_index(
    clock: StepClock, publisher: RecordingPublisher
):
    # Given a translated ticket
    deps = in_memory_desk(clock, publisher, translators=[working_provider()])
    ticket = translated(deps)

    # When the route worker sends its desk message
    run(deps, "route_ticket", check(ticket, Status.TRANSLATED))

    # Then the sweeper has nothing left to re-send for it, however long it waits
    assert stuck(deps, SWEEP_ROUTED) == []
    assert stuck(deps, SWEEP_RETRANSLATE) == []
    clock.advance(LATER)
    assert deps.sweep() == {"resent": 0, "given_up": 0, "skipped": 0}


def test_an_unsent_desk_message_keeps_the_ticket_in_the_sweep_index(deps: Dependencies, publisher: RecordingPublisher):
    # Given a translated ticket, and SQS losing the desk message
    ticket = translated(deps)
    publisher.lose.add(ticket.ticket_id)

    # When the route worker runs
    failed = run(deps, "route_ticket", check(ticket, Status.TRANSLATED))

    # Then the ticket is routed, nothing reached the desk, and the sweeper will find it
    assert failed == []
    routed_ticket = stored(deps, ticket)
    assert routed_ticket.status is Status.ROUTED
    assert publisher.on(desk_queue("latam")) == []
    [owed] = stuck(deps, SWEEP_ROUTED)
    assert (owed.ticket_id, owed.version, owed.routed_region) == (ticket.ticket_id, routed_ticket.version, "latam")


def test_a_desk_message_that_went_out_with_the_translation_pending_waits_for_a_retranslation(
    deps: Dependencies, publisher: RecordingPublisher
):
    # Given a ticket whose translation is pending (no provider)
    ticket = translated(deps)
    assert ticket.awaiting_translation

    # When the route worker sends its desk message
    run(deps, "route_ticket", check(ticket, Status.TRANSLATED))

    # Then the desk has it, and the sweep index moves it from "routed" to "retranslate"
    assert [body["ticket_id"] for body in publisher.on(desk_queue("latam"))] == [ticket.ticket_id]
    assert stuck(deps, SWEEP_ROUTED) == []
    assert [entry.ticket_id for entry in stuck(deps, SWEEP_RETRANSLATE)] == [ticket.ticket_id]


def test_two_copies_of_the_route_claim_check_in_one_batch_tell_the_desk_once(
    deps: Dependencies, publisher: RecordingPublisher
):
    ticket = translated(deps)

    failed = run(deps, "route_ticket", check(ticket, Status.TRANSLATED), check(ticket, Status.TRANSLATED))

    assert failed == []
    assert [body["ticket_id"] for body in publisher.on(desk_queue("latam"))] == [ticket.ticket_id]
    assert stored(deps, ticket).version == ticket.version + 1


def test_an_agent_who_takes_the_ticket_before_its_desk_message_is_confirmed_stops_the_resend(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    # Given a routed ticket whose desk message was lost
    ticket = translated(deps)
    publisher.lose.add(ticket.ticket_id)
    run(deps, "route_ticket", check(ticket, Status.TRANSLATED))
    publisher.recover()

    # When an agent claims it from the work list before the sweeper runs
    assert deps.claim_next("latam", "ana", ["es"]) is not None

    # Then the desk has it already: the sweeper does not send the desk message
    assert stuck(deps, SWEEP_ROUTED) == []
    clock.advance(timedelta(hours=1))
    deps.sweep()
    assert publisher.on(desk_queue("latam")) == []


# --- at-least-once delivery --------------------------------------------------------------------


def test_a_duplicate_delivery_is_a_no_op(deps: Dependencies, publisher: RecordingPublisher):
    # Given a ticket the detect worker already moved on
    ticket = received(deps)
    run(deps, "detect_language", check(ticket))
    once, sent, calls = stored(deps, ticket), list(publisher.sent), publisher.calls

    # When the same claim check is delivered again
    failed = run(deps, "detect_language", check(ticket))

    # Then it is acknowledged, nothing is written and nothing is sent
    assert failed == []
    assert stored(deps, ticket) == once
    assert (publisher.sent, publisher.calls) == (sent, calls)


def test_two_copies_of_a_claim_check_in_one_batch_advance_the_ticket_once(
    deps: Dependencies, publisher: RecordingPublisher
):
    ticket = received(deps)

    failed = run(deps, "detect_language", check(ticket), check(ticket))

    assert failed == []
    assert stored(deps, ticket).version == 2
    assert publisher.on(queue(aws_resource_names.TRANSLATE)) == [check(ticket, Status.DETECTED)]


def test_a_batch_of_different_tickets_advances_each_with_one_send(deps: Dependencies, publisher: RecordingPublisher):
    tickets = [received(deps) for _ in range(3)]

    failed = run(deps, "detect_language", *[check(ticket) for ticket in tickets])

    assert failed == []
    assert {stored(deps, ticket).status for ticket in tickets} == {Status.DETECTED}
    assert publisher.calls == 1
    assert len(publisher.on(queue(aws_resource_names.TRANSLATE))) == 3


def test_a_malformed_record_fails_alone(deps: Dependencies, publisher: RecordingPublisher):
    # Given a batch with a good claim check between two unreadable ones
    ticket = received(deps)
    records = delivered(["{not json", check(ticket), {"type": "ticket.received", "v": 99, "ticket_id": "x"}])

    # When the detect worker runs
    failed = deps.run_stage(deps.stages["detect_language"], records)

    # Then only the unreadable ones are reported for retry (and the dead-letter queue)
    assert failed == ["sqs-0", "sqs-2"]
    assert stored(deps, ticket).status is Status.DETECTED
    assert len(publisher.on(queue(aws_resource_names.TRANSLATE))) == 1


def test_a_claim_check_for_a_ticket_not_found_is_retried(deps: Dependencies, publisher: RecordingPublisher):
    # Given a claim check whose ticket is not readable yet
    missing = received_ticket(T0, ticket_id=new_ticket_id(int(T0.timestamp() * 1000)))

    # When the detect worker runs
    failed = run(deps, "detect_language", check(missing))

    # Then the record is reported for retry, and nothing is sent
    assert failed == ["sqs-0"]
    assert publisher.calls == 0


def test_a_claim_check_that_arrives_before_its_ticket_is_ready_is_retried(
    deps: Dependencies, publisher: RecordingPublisher
):
    # Given a ticket still received, and a translate claim check for it (out of order)
    ticket = received(deps)

    # When the translate worker runs
    failed = run(deps, "translate_ticket", check(ticket, Status.DETECTED))

    # Then it is retried, and the ticket is untouched
    assert failed == ["sqs-0"]
    assert stored(deps, ticket) == ticket
    assert publisher.calls == 0


def test_a_stage_that_raises_fails_only_that_record(deps: Dependencies, publisher: RecordingPublisher):
    # Given one ticket the detector chokes on, next to one it reads
    ticket, other = received(deps, description="boom"), received(deps)

    class ChokesOnBoom:
        def detect(self, text: str, requester: object) -> Language:
            if "boom" in text:
                raise RuntimeError("model not loaded")
            return Language("es", 0.97, "text")

    choking = with_parts(deps, detector=ChokesOnBoom())

    # When the detect worker gets both
    failed = run(choking, "detect_language", check(ticket), check(other))

    # Then only the first is retried; the second moved on
    assert failed == ["sqs-0"]
    assert (stored(deps, ticket).status, stored(deps, other).status) == (Status.RECEIVED, Status.DETECTED)
    assert [body["ticket_id"] for body in publisher.on(queue(aws_resource_names.TRANSLATE))] == [other.ticket_id]


def test_a_delivery_that_loses_the_write_to_another_delivery_is_a_no_op(
    deps: Dependencies, publisher: RecordingPublisher
):
    # Given a concurrent delivery that detects the ticket between this worker's read and write
    ticket = received(deps)

    def other_delivery(store: TicketRepository, read: Ticket) -> None:
        store.save_transition(read, detected(read, T0))

    racing = with_parts(deps, tickets=Interfering(deps.tickets, other_delivery))

    # When this worker runs
    failed = run(racing, "detect_language", check(ticket))

    # Then it acknowledges the record and sends nothing: the other delivery owns the next step
    assert failed == []
    assert stored(deps, ticket).version == 2
    assert publisher.calls == 0
