"""Sweep on the in-memory store: re-send what rests too long, give up after SWEEP_MAX_ATTEMPTS,
retry pending translations only when a provider is configured."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise

from chalicelib import aws_resource_names
from chalicelib.composition_root import Dependencies
from chalicelib.domain.projections import SWEEP_MESSAGE, SWEEP_RETRANSLATE, SWEEP_ROUTED
from chalicelib.domain.repositories import StuckTicket
from chalicelib.domain.ticket import Status, Ticket, Translation, TranslationStatus
from chalicelib.settings import get_settings
from tests.integration.builders import detected, received_ticket, routed, translated
from tests.unit.usecases.fakes import (
    T0,
    RecordingPublisher,
    StepClock,
    delivered,
    desk_queue,
    in_memory_desk,
    queue,
    stored,
    unavailable_provider,
    with_parts,
)

AFTER = timedelta(seconds=get_settings().sweep_after_seconds)
SECOND = timedelta(seconds=1)


def stored_but_never_sent(deps: Dependencies) -> Ticket:
    """A ticket the API stored at T0 and then died before sending it to the detect queue."""
    ticket = received_ticket(T0)
    deps.tickets.create(ticket)
    return ticket


def received_body(ticket: Ticket) -> dict[str, object]:
    return {"type": "ticket.received", "v": 1, "ticket_id": ticket.ticket_id, "correlation_id": ticket.correlation_id}


def test_a_lost_ticket_is_left_alone_until_it_has_rested_long_enough(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    stored_but_never_sent(deps)

    clock.move_to(T0 + AFTER)
    counts = deps.sweep()

    assert counts == {"resent": 0, "given_up": 0, "skipped": 0}
    assert publisher.calls == 0


def test_a_stuck_received_ticket_is_resent_to_the_detect_queue_once(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    # Given a ticket stored but never sent on
    ticket = stored_but_never_sent(deps)

    # When the sweeper runs once it is old enough, and again at once (a duplicate schedule)
    clock.move_to(T0 + AFTER + SECOND)
    first, repeat = deps.sweep(), deps.sweep()

    # Then its claim check went to the detect queue, once
    assert first == {"resent": 1, "given_up": 0, "skipped": 0}
    assert repeat == {"resent": 0, "given_up": 0, "skipped": 0}
    assert publisher.on(queue(aws_resource_names.DETECT)) == [received_body(ticket)]
    # And the index counts the attempt and restarts the wait
    [entry] = deps.sweep_index.stuck(Status.RECEIVED.value, T0 + 3 * AFTER, 10)
    assert entry.sweep_attempts == 1


def test_a_ticket_stuck_mid_pipeline_is_resent_to_its_next_worker(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    ticket = stored_but_never_sent(deps)
    deps.tickets.save_transition(ticket, detected(ticket, T0))

    clock.move_to(T0 + AFTER + SECOND)
    deps.sweep()

    assert [body["type"] for body in publisher.on(queue(aws_resource_names.TRANSLATE))] == ["ticket.detected"]
    assert publisher.on(queue(aws_resource_names.DETECT)) == []


def test_the_sweeper_gives_up_after_max_attempts_and_never_resends_again(
    clock: StepClock, publisher: RecordingPublisher
):
    # Given a limit of 3 attempts and a ticket nobody ever picks up
    deps = in_memory_desk(clock, publisher, settings=replace(get_settings(), sweep_max_attempts=3))
    ticket = stored_but_never_sent(deps)

    # When the sweeper runs every time the ticket has rested long enough, many times over
    runs = []
    for _ in range(8):
        clock.advance(AFTER + SECOND)
        runs.append(deps.sweep())

    # Then it was re-sent 3 times, given up on the 4th run, and left alone from then on
    assert [(run["resent"], run["given_up"]) for run in runs] == [(1, 0)] * 3 + [(0, 1)] + [(0, 0)] * 4
    assert publisher.on(queue(aws_resource_names.DETECT)) == [received_body(ticket)] * 3
    assert deps.sweep_index.stuck(Status.RECEIVED.value, clock() + timedelta(days=365), 200) == []
    # And the ticket itself is untouched, for an operator
    assert stored(deps, ticket) == ticket


def test_a_resend_that_fails_is_tried_again_on_a_later_sweep(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    # Given a lost ticket and SQS refusing sends during the first sweep
    ticket = stored_but_never_sent(deps)
    publisher.lose_all = True
    clock.move_to(T0 + AFTER + SECOND)
    assert deps.sweep()["resent"] == 0

    # When SQS is back and the ticket has waited again
    publisher.recover()
    clock.advance(AFTER + SECOND)

    # Then it goes out
    assert deps.sweep()["resent"] == 1
    assert publisher.on(queue(aws_resource_names.DETECT)) == [received_body(ticket)]


def test_an_unconfirmed_desk_message_is_resent_to_its_desk_and_then_confirmed(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    # Given a ticket routed to latam whose desk message was never confirmed sent
    ticket = stored_but_never_sent(deps)
    ready = translated(detected(ticket, T0), T0)
    deps.tickets.save_transition(ticket, ready)
    deps.tickets.save_transition(ready, routed(ready, T0, "latam"), awaiting_notification=True)

    # When the sweeper runs once it is old enough
    clock.move_to(T0 + AFTER + SECOND)
    assert deps.sweep()["resent"] == 1

    # Then the latam desk gets it, and the index lets it go for good
    assert [body["ticket_id"] for body in publisher.on(desk_queue("latam"))] == [ticket.ticket_id]
    assert deps.sweep_index.stuck(SWEEP_ROUTED, T0 + timedelta(days=365), 10) == []


class WorkerMovesOn:
    """The sweep index, while a late delivery moves the listed ticket on right after the sweeper
    read the index (and before it records its attempt)."""

    def __init__(self, deps: Dependencies, ticket: Ticket) -> None:
        self.deps, self.ticket, self.index = deps, ticket, deps.sweep_index

    def stuck(self, kind: str, older_than: datetime, limit: int) -> list[StuckTicket]:
        found = self.index.stuck(kind, older_than, limit)
        if any(entry.ticket_id == self.ticket.ticket_id for entry in found):
            self.deps.tickets.save_transition(self.ticket, detected(self.ticket, self.deps.clock()))
        return found

    def record_sweep(self, stuck: StuckTicket, now: datetime, give_up: bool) -> None:
        self.index.record_sweep(stuck, now, give_up)

    def mark_notified(self, ticket_id: str, version: int, now: datetime, then_retranslate: bool = False) -> None:
        self.index.mark_notified(ticket_id, version, now, then_retranslate)


def test_a_ticket_a_worker_moves_on_while_the_sweeper_runs_is_skipped(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    # Given a stuck ticket that a late delivery detects right after the sweeper listed it
    ticket = stored_but_never_sent(deps)
    racing = with_parts(deps, sweep_index=WorkerMovesOn(deps, ticket))

    # When the sweeper runs
    clock.move_to(T0 + AFTER + SECOND)
    counts = racing.sweep()

    # Then it skips it and sends nothing: the worker owns its next step
    assert counts == {"resent": 0, "given_up": 0, "skipped": 1}
    assert publisher.calls == 0
    assert stored(deps, ticket).status is Status.DETECTED


# --- pending translations --------------------------------------------------------------------


def with_pending_translations(deps: Dependencies) -> tuple[Ticket, str]:
    """A ticket routed with its translation pending, and a requester message waiting for one."""
    ticket = received_ticket(T0)
    pending = Translation(TranslationStatus.PENDING, "en", reason="no provider")
    on_desk = routed(ticket.advance(Status.TRANSLATED, T0, "test", translation=pending), T0, "latam")
    deps.tickets.create(on_desk)
    message = deps.add_message.from_requester(on_desk, "¿Alguna novedad?", None)
    return on_desk, message.message_id


def test_pending_translations_are_not_retried_while_no_translator_is_configured(
    deps: Dependencies, clock: StepClock, publisher: RecordingPublisher
):
    # Given pending translations, and TRANSLATORS=none
    with_pending_translations(deps)
    assert deps.translators == []
    sent_before = publisher.calls

    # When the sweeper runs long after
    clock.advance(timedelta(days=3))
    counts = deps.sweep()

    # Then it leaves them for when a provider is configured
    assert counts == {"resent": 0, "given_up": 0, "skipped": 0}
    assert publisher.calls == sent_before


def test_pending_translations_are_retried_once_a_translator_is_configured(
    clock: StepClock, publisher: RecordingPublisher
):
    # Given pending translations, and a provider configured
    deps = in_memory_desk(clock, publisher, translators=[unavailable_provider()])
    _, message_id = with_pending_translations(deps)
    publisher.take()

    # When the sweeper runs once they have rested long enough
    clock.advance(AFTER + SECOND)
    counts = deps.sweep()

    # Then both go back to the translate queue
    assert counts["resent"] == 2
    assert sorted(body["type"] for body in publisher.on(queue(aws_resource_names.TRANSLATE))) == [
        "message.added",
        "ticket.retranslate",
    ]
    assert {body.get("message_id") for body in publisher.on(queue(aws_resource_names.TRANSLATE))} == {None, message_id}


def test_a_pending_translation_is_retried_with_growing_pauses_and_never_given_up(
    clock: StepClock, publisher: RecordingPublisher
):
    # Given a message whose translation stays pending, and a limit of 2 attempts
    deps = in_memory_desk(
        clock, publisher, translators=[unavailable_provider()], settings=replace(get_settings(), sweep_max_attempts=2)
    )
    with_pending_translations(deps)

    # When the sweeper runs every SWEEP_AFTER_SECONDS for a long while
    resent_at = []
    for step in range(1, 40):
        clock.move_to(T0 + step * (AFTER + SECOND))
        counts = deps.sweep()
        assert counts["given_up"] == 0
        if counts["resent"]:
            resent_at.append(step)

    # Then the retries space out (1, 2, 4, 8... periods) and never stop
    assert [later - earlier for earlier, later in pairwise(resent_at)] == [2, 4, 8, 16]


def test_a_pending_translation_is_first_retried_a_sweep_period_after_its_desk_message_went_out(
    clock: StepClock, publisher: RecordingPublisher
):
    # Given a ticket routed with its translation pending (the provider is down) at T0
    deps = in_memory_desk(clock, publisher, translators=[unavailable_provider()])
    ticket = received_ticket(T0)
    pending = Translation(TranslationStatus.PENDING, "en", reason="google: unavailable")
    ready = ticket.advance(Status.TRANSLATED, T0, "translate_ticket", translation=pending)
    deps.tickets.create(ready)
    route = {"type": "ticket.translated", "v": 1, "ticket_id": ticket.ticket_id, "correlation_id": "c"}
    deps.run_stage(deps.stages["route_ticket"], delivered([route]))
    publisher.take()

    # When the sweeper runs a second later
    clock.advance(SECOND)
    counts = deps.sweep()

    # Then it is too early to ask the translate worker again
    assert counts["resent"] == 0
    [entry] = deps.sweep_index.stuck(SWEEP_RETRANSLATE, T0 + timedelta(days=3650), 10)
    assert entry.resting_since >= "2030-01-02T03:04:05.000Z"


def test_a_message_entry_is_in_the_index_until_translated(deps: Dependencies):
    _, message_id = with_pending_translations(deps)

    [entry] = deps.sweep_index.stuck(SWEEP_MESSAGE, T0 + timedelta(days=1), 10)

    assert entry.message_id == message_id
