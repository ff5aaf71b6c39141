"""The operator's stuck tickets and the workers' failure reasons on the in-memory store: a ticket
the sweeper parks is listed with its last error, a retry puts it back where the sweeper resumes
it (once), and a reason never carries the text an error echoes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.dead_letters import FailureRecord, failure_reason, scrub
from chalicelib.domain.messages import MalformedMessage, parse_claim_check
from chalicelib.domain.ticket import Ticket
from chalicelib.settings import get_settings
from chalicelib.workers.sqs_batch import handle_sqs_event
from tests.integration.builders import received_ticket
from tests.unit.usecases.fakes import T0, RecordingPublisher, StepClock, in_memory_desk, queue, with_parts

AFTER = timedelta(seconds=get_settings().sweep_after_seconds)
SECOND = timedelta(seconds=1)


def test_a_parked_ticket_is_listed_with_its_last_error_and_a_retry_resumes_it_once(
    clock: StepClock, publisher: RecordingPublisher
):
    # Given a ticket stored but never sent on, a failure its worker recorded,
    # and a sweeper that gives up after one re-send
    deps = in_memory_desk(clock, publisher, settings=replace(get_settings(), sweep_max_attempts=1))
    ticket = received_ticket(T0)
    deps.tickets.create(ticket)
    failure = FailureRecord("m-1", queue("detect"), "detect_language", "TimeoutError: slow", 5, "t", ticket.ticket_id)
    deps.failure_log.record([failure], expires_at=4_000_000_000)
    for step in (1, 2):
        clock.move_to(T0 + step * (AFTER + SECOND))
        deps.sweep()

    # When the operator lists the stuck tickets
    listed = deps.stuck_tickets.list()

    # Then it is there, parked in `received`, with the worker's last error
    assert [(item.parked.ticket_id, item.parked.kind) for item in listed] == [(ticket.ticket_id, "received")]
    assert listed[0].last_error == "TimeoutError: slow (in detect_language)"

    # When it is retried twice
    first, second = deps.stuck_tickets.retry([ticket.ticket_id]), deps.stuck_tickets.retry([ticket.ticket_id])

    # Then only the first did something, and the next sweep re-sends it to the detect queue
    assert first[0].parked is not None and second[0].parked is None
    assert deps.stuck_tickets.list() == []
    publisher.sent.clear()
    clock.move_to(T0 + 3 * (AFTER + SECOND))
    assert deps.sweep()["resent"] == 1
    assert [message.queue for message in publisher.sent] == [queue("detect")]


def test_a_reason_keeps_the_error_class_and_drops_what_the_error_echoes():
    # Given errors whose messages echo a body, an e-mail address, quoted values and a card number
    try:
        parse_claim_check('{"v": 2, "description": "Soy Ana, ana@example.com"}')
    except MalformedMessage as error:
        malformed = failure_reason(error)

    # Then the reason is the class and what is wrong, never the echoed text
    assert malformed == "MalformedMessage: unsupported message version"
    assert failure_reason(ValueError("bad value 'Soy Ana' for ana@example.com, card 4111111111111111")) == (
        "ValueError: bad value '…' for <email>, card <number>"
    )
    assert len(scrub("x" * 1000)) == 200 and "\n" not in scrub("two\nlines")


def received_body(ticket: Ticket) -> str:
    return json.dumps({"type": "ticket.received", "v": 1, "ticket_id": ticket.ticket_id, "correlation_id": "c"})


class Unreachable:
    def get_many(self, ticket_ids: object) -> object:
        raise ConnectionError("table unreachable")


def test_a_batch_that_crashes_leaves_its_reason_on_every_record_and_still_fails(
    clock: StepClock, publisher: RecordingPublisher
):
    # Given a detect batch of two claim checks, and a store the worker cannot reach
    deps = with_parts(in_memory_desk(clock, publisher), tickets=Unreachable())
    bodies = [received_body(received_ticket(T0)) for _ in range(2)]
    event = {
        "Records": [
            {"messageId": f"m-{index}", "body": body, "attributes": {"ApproximateReceiveCount": "3"}}
            for index, body in enumerate(bodies)
        ]
    }

    # When the worker runs it
    with pytest.raises(ConnectionError):
        handle_sqs_event("detect_language", event, deps)

    # Then both messages have the crash as their last failure, with their receive count
    failures = deps.failure_log.for_messages(["m-0", "m-1"])
    assert {failure.reason for failure in failures.values()} == {"ConnectionError: table unreachable"}
    assert {failure.receive_count for failure in failures.values()} == {3}
