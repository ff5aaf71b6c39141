"""SubmitTicket on the in-memory store: store, then hand over to the detect queue; idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib import aws_resource_names
from chalicelib.composition_root import Dependencies
from chalicelib.domain.ids import hash_token
from chalicelib.domain.ports import OutgoingMessage
from chalicelib.domain.repositories import IdempotencyRecord, IdempotencyRepository, StuckTicket, TicketRepository
from chalicelib.domain.submission import IdempotencyConflict
from chalicelib.domain.ticket import Status
from tests.unit.usecases.fakes import T0, RecordingPublisher, StepClock, new_ticket, queue, with_parts

KEY = "4f1c1a9e-key-1"


def stuck_received(deps: Dependencies, at_least_seconds: float | None = None) -> list[StuckTicket]:
    """What the sweeper would see as resting in `received` (once old enough, by default)."""
    rested = deps.settings.sweep_after_seconds if at_least_seconds is None else at_least_seconds
    return deps.sweep_index.stuck(Status.RECEIVED.value, deps.clock() - timedelta(seconds=rested), 200)


def every_received(deps: Dependencies) -> list[StuckTicket]:
    return deps.sweep_index.stuck(Status.RECEIVED.value, T0 + timedelta(days=365), 200)


def test_a_new_ticket_is_stored_received_and_its_claim_check_sent_to_the_detect_queue(
    deps: Dependencies, publisher: RecordingPublisher
):
    # When a ticket is submitted
    submission = deps.submit_ticket(new_ticket(), None, "corr-1")

    # Then it is stored as received, with only its token's hash
    ticket = submission.ticket
    assert deps.tickets.get(ticket.ticket_id) == ticket
    assert ticket.status is Status.RECEIVED and ticket.version == 1 and ticket.created_at == "2030-01-02T03:04:05.000Z"
    assert ticket.token_hash == hash_token(submission.access_token)
    assert (submission.replayed, submission.forwarded) == (False, True)
    # And its claim check, and nothing else, went to the detect queue
    assert publisher.sent == [
        OutgoingMessage(
            queue(aws_resource_names.DETECT),
            {"type": "ticket.received", "v": 1, "ticket_id": ticket.ticket_id, "correlation_id": "corr-1"},
            ticket.ticket_id,
        )
    ]


def test_two_submissions_without_a_key_are_two_tickets(deps: Dependencies, publisher: RecordingPublisher):
    first = deps.submit_ticket(new_ticket(), None, "corr-1")
    second = deps.submit_ticket(new_ticket(), None, "corr-2")

    assert first.ticket.ticket_id != second.ticket.ticket_id
    assert len(every_received(deps)) == 2
    assert len(publisher.on(queue(aws_resource_names.DETECT))) == 2


def test_a_replay_with_the_same_key_and_body_returns_the_same_ticket_and_token_and_sends_nothing(
    deps: Dependencies, publisher: RecordingPublisher, clock: StepClock
):
    # Given a ticket submitted with an Idempotency-Key
    first = deps.submit_ticket(new_ticket(), KEY, "corr-1")
    sent_before = list(publisher.sent)

    # When the client retries the same request a minute later
    clock.advance(timedelta(minutes=1))
    replay = deps.submit_ticket(new_ticket(), KEY, "corr-retry")

    # Then it gets the same ticket and the same access token back, marked as a replay
    assert replay.ticket == first.ticket
    assert replay.access_token == first.access_token
    assert replay.replayed is True
    # And nothing new is stored or sent
    assert [stuck.ticket_id for stuck in every_received(deps)] == [first.ticket.ticket_id]
    assert publisher.sent == sent_before


def test_the_same_key_with_another_body_is_a_conflict_and_stores_nothing(
    deps: Dependencies, publisher: RecordingPublisher
):
    # Given a ticket submitted with an Idempotency-Key
    first = deps.submit_ticket(new_ticket(), KEY, "corr-1")
    sent_before = list(publisher.sent)

    # When the same key comes with a different body
    with pytest.raises(IdempotencyConflict):
        deps.submit_ticket(new_ticket("Otra cosa completamente distinta."), KEY, "corr-2")

    # Then nothing new is stored or sent
    assert [stuck.ticket_id for stuck in every_received(deps)] == [first.ticket.ticket_id]
    assert publisher.sent == sent_before


def test_another_key_with_the_same_body_is_another_ticket(deps: Dependencies):
    first = deps.submit_ticket(new_ticket(), KEY, "corr-1")
    second = deps.submit_ticket(new_ticket(), KEY + "-other", "corr-2")

    assert second.replayed is False
    assert second.ticket.ticket_id != first.ticket.ticket_id


class LoggedReads:
    """Idempotency records whose reads are logged, next to the ticket writes."""

    def __init__(self, inner: IdempotencyRepository, log: list[str]) -> None:
        self.inner = inner
        self.log = log

    def get(self, key_hash: str) -> IdempotencyRecord | None:
        self.log.append("read key")
        return self.inner.get(key_hash)


class LoggedWrites:
    def __init__(self, inner: TicketRepository, log: list[str]) -> None:
        self.inner = inner
        self.log = log

    def create(self, ticket: Any, idempotency: Any = None, charges: Any = ()) -> None:
        self.log.append("write")
        self.inner.create(ticket, idempotency, charges)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_first_request_writes_without_reading_and_a_retry_reads_only_once_refused(
    deps: Dependencies, publisher: RecordingPublisher
):
    # Given the store's reads and writes logged
    log: list[str] = []
    logged = with_parts(deps, idempotency=LoggedReads(deps.idempotency, log), tickets=LoggedWrites(deps.tickets, log))

    # When a request with a key arrives, then its retry (or a concurrent twin)
    winner = logged.submit_ticket(new_ticket(), KEY, "corr-1")
    first_request = list(log)
    sent_before = list(publisher.sent)
    loser = logged.submit_ticket(new_ticket(), KEY, "corr-2")

    # Then the first made one write and no read (the write is conditional on the key being new)
    assert first_request == ["write"]
    # And the retry's write was refused, and it answered as a replay of the winner after one read
    assert log[len(first_request) :] == ["write", "read key"]
    assert (loser.ticket, loser.access_token, loser.replayed) == (winner.ticket, winner.access_token, True)
    assert [stuck.ticket_id for stuck in every_received(deps)] == [winner.ticket.ticket_id]
    assert publisher.sent == sent_before


@pytest.mark.parametrize(
    "failure",
    [RecordingPublisher(raises=ConnectionError("SQS unreachable")), RecordingPublisher(lose_all=True)],
    ids=["publisher-raises", "message-lost"],
)
def test_a_failed_hand_over_still_stores_the_ticket_for_the_sweeper(
    deps: Dependencies, clock: StepClock, failure: RecordingPublisher
):
    # Given SQS refusing the detect message
    broken = with_parts(deps, publisher=failure)

    # When a ticket is submitted
    submission = broken.submit_ticket(new_ticket(), KEY, "corr-1")

    # Then it is stored all the same, and the caller learns it was not forwarded
    assert submission.forwarded is False
    assert deps.tickets.get(submission.ticket.ticket_id) == submission.ticket
    assert failure.sent == []
    # And the sweep index holds it: not yet, but once it has rested SWEEP_AFTER_SECONDS
    assert stuck_received(deps) == []
    clock.advance(timedelta(seconds=deps.settings.sweep_after_seconds + 1))
    [stuck] = stuck_received(deps)
    assert (stuck.ticket_id, stuck.correlation_id, stuck.sweep_attempts) == (submission.ticket.ticket_id, "corr-1", 0)


def test_a_replay_after_a_failed_hand_over_sends_nothing_either(deps: Dependencies, publisher: RecordingPublisher):
    # Given a ticket stored while SQS was down
    first = with_parts(deps, publisher=RecordingPublisher(lose_all=True)).submit_ticket(new_ticket(), KEY, "c")

    # When the client retries after SQS is back
    replay = deps.submit_ticket(new_ticket(), KEY, "c")

    # Then the replay returns the stored ticket and leaves the re-send to the sweeper
    assert replay.ticket == first.ticket and replay.replayed is True
    assert publisher.sent == []
