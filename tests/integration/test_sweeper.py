"""The sweeper re-sends tickets that rest too long, once per wait, and gives up after its attempts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

import pytest

from chalicelib import aws_resource_names
from chalicelib.composition_root import Dependencies, dependencies, override_dependencies
from chalicelib.domain.ports import OutgoingMessage
from chalicelib.domain.ticket import Status, Ticket
from tests.integration.builders import STAGE, T0, detected, drain, received_ticket, routed, seconds, translated

SWEEP_AFTER = 60  # seconds


@pytest.fixture
def deps(aws: None) -> Dependencies:
    base = dependencies()
    return override_dependencies(settings=replace(base.settings, sweep_after_seconds=SWEEP_AFTER, sweep_max_attempts=3))


def sweep_at(moment: datetime, **overrides: object) -> dict[str, int]:
    """Run the sweeper with the clock reading `moment`."""
    return override_dependencies(clock=lambda: moment, **overrides).sweep()


def queue(role: str) -> str:
    return aws_resource_names.queue_name(STAGE, role)


def stored_but_never_sent(deps: Dependencies, at: datetime = T0) -> Ticket:
    """A ticket the API stored at `at` and then died before sending it to the detect queue."""
    ticket = received_ticket(at)
    deps.tickets.create(ticket)
    return ticket


def test_a_lost_ticket_is_left_alone_until_it_is_older_than_the_sweep_age(deps: Dependencies):
    # Given a ticket stored but never sent on
    stored_but_never_sent(deps)

    # When the sweeper runs before the ticket is SWEEP_AFTER_SECONDS old (and exactly at that age)
    early = sweep_at(T0 + seconds(SWEEP_AFTER - 1))
    on_the_dot = sweep_at(T0 + seconds(SWEEP_AFTER))

    # Then nothing is re-sent
    assert early["resent"] == on_the_dot["resent"] == 0
    assert drain(queue(aws_resource_names.DETECT)) == []


def test_a_lost_ticket_is_resent_to_the_detect_queue_once_old_enough(deps: Dependencies):
    # Given a ticket stored but never sent on
    ticket = stored_but_never_sent(deps)

    # When the sweeper runs once it is old enough
    counts = sweep_at(T0 + seconds(SWEEP_AFTER + 1))

    # Then its claim check is on the detect queue, once
    assert counts == {"resent": 1, "given_up": 0, "skipped": 0}
    assert drain(queue(aws_resource_names.DETECT)) == [
        {"type": "ticket.received", "v": 1, "ticket_id": ticket.ticket_id, "correlation_id": ticket.correlation_id}
    ]


def test_a_second_sweep_before_the_age_passes_again_does_nothing(deps: Dependencies):
    # Given a lost ticket the sweeper just re-sent
    stored_but_never_sent(deps)
    first = T0 + seconds(SWEEP_AFTER + 1)
    sweep_at(first)
    assert len(drain(queue(aws_resource_names.DETECT))) == 1

    # When the sweeper runs again (a duplicate schedule, or the next minute) before it has waited again
    repeats = [sweep_at(first), sweep_at(first + seconds(SWEEP_AFTER - 1))]

    # Then nothing more is sent
    assert [counts["resent"] for counts in repeats] == [0, 0]
    assert drain(queue(aws_resource_names.DETECT)) == []

    # And once it has waited another full period, it is re-sent again
    assert sweep_at(first + seconds(SWEEP_AFTER + 1))["resent"] == 1
    assert len(drain(queue(aws_resource_names.DETECT))) == 1


def test_a_ticket_is_given_up_after_the_attempt_limit_and_never_resent_again(deps: Dependencies):
    # Given a ticket nobody ever picks up, and a limit of 3 sweep attempts
    stored_but_never_sent(deps)
    moments = [T0 + seconds(step * (SWEEP_AFTER + 1)) for step in range(1, 10)]

    # When the sweeper runs every time the ticket is old enough, many times over
    runs = [sweep_at(moment) for moment in moments]

    # Then it is given up exactly once, within the limit, and nothing is sent from then on
    given_up_at = [index for index, counts in enumerate(runs) if counts["given_up"]]
    assert len(given_up_at) == 1
    assert given_up_at[0] == deps.settings.sweep_max_attempts  # after exactly that many re-sends
    assert runs[given_up_at[0]]["resent"] == 0
    assert all(counts == {"resent": 0, "given_up": 0, "skipped": 0} for counts in runs[given_up_at[0] + 1 :])
    assert len(drain(queue(aws_resource_names.DETECT))) == sum(counts["resent"] for counts in runs)
    # And the store no longer offers it to the sweeper
    assert deps.sweep_index.stuck(Status.RECEIVED, moments[-1] + seconds(10**6), 200) == []


@pytest.mark.parametrize("max_attempts", [1, 3])
def test_a_stuck_ticket_is_resent_sweep_max_attempts_times_before_it_is_given_up(deps: Dependencies, max_attempts: int):
    # Given a ticket nobody ever picks up, and SWEEP_MAX_ATTEMPTS set
    override_dependencies(settings=replace(deps.settings, sweep_max_attempts=max_attempts))
    stored_but_never_sent(deps)

    # When the sweeper runs every time the ticket is old enough, until it gives up
    resent = 0
    for step in range(1, max_attempts + 3):
        counts = sweep_at(T0 + seconds(step * (SWEEP_AFTER + 1)))
        resent += counts["resent"]
        if counts["given_up"]:
            break

    # Then it was re-sent SWEEP_MAX_ATTEMPTS times first
    assert resent == max_attempts
    assert len(drain(queue(aws_resource_names.DETECT))) == max_attempts


@pytest.mark.parametrize(
    ("advance", "role", "event"),
    [
        (lambda ticket: detected(ticket, T0), aws_resource_names.TRANSLATE, "ticket.detected"),
        (lambda ticket: translated(detected(ticket, T0), T0), aws_resource_names.ROUTE, "ticket.translated"),
    ],
    ids=["detected", "translated"],
)
def test_a_ticket_stuck_mid_pipeline_is_resent_to_its_next_worker(
    deps: Dependencies, advance: Callable[[Ticket], Ticket], role: str, event: str
):
    # Given a ticket a worker moved on, whose next message was lost
    ticket = stored_but_never_sent(deps)
    deps.tickets.save_transition(ticket, advance(ticket), awaiting_notification=False)

    # When the sweeper runs once it is old enough
    counts = sweep_at(T0 + seconds(SWEEP_AFTER + 1))

    # Then the claim check goes to the next worker's queue, not the detect queue
    assert counts["resent"] == 1
    assert [(body["type"], body["ticket_id"]) for body in drain(queue(role))] == [(event, ticket.ticket_id)]
    assert drain(queue(aws_resource_names.DETECT)) == []


def test_an_unconfirmed_desk_message_is_resent_to_its_desk_and_then_confirmed(deps: Dependencies):
    # Given a ticket routed to latam whose desk message was never confirmed sent
    ticket = stored_but_never_sent(deps)
    ready = translated(detected(ticket, T0), T0)
    deps.tickets.save_transition(ticket, ready, awaiting_notification=False)
    deps.tickets.save_transition(ready, routed(ready, T0, "latam"), awaiting_notification=True)

    # When the sweeper runs once it is old enough
    assert sweep_at(T0 + seconds(SWEEP_AFTER + 1))["resent"] == 1

    # Then the latam desk gets it, and later sweeps leave it alone for good
    assert [body["ticket_id"] for body in drain(aws_resource_names.desk_queue_name(STAGE, "latam"))] == [
        ticket.ticket_id
    ]
    assert sweep_at(T0 + seconds(10 * SWEEP_AFTER))["resent"] == 0
    assert drain(aws_resource_names.desk_queue_name(STAGE, "latam")) == []


def test_a_routed_ticket_whose_desk_message_went_out_is_not_swept(deps: Dependencies):
    ticket = stored_but_never_sent(deps)
    ready = translated(detected(ticket, T0), T0)
    deps.tickets.save_transition(ticket, ready, awaiting_notification=False)
    deps.tickets.save_transition(ready, routed(ready, T0, "emea"), awaiting_notification=False)

    assert sweep_at(T0 + seconds(10 * SWEEP_AFTER)) == {"resent": 0, "given_up": 0, "skipped": 0}
    assert drain(aws_resource_names.desk_queue_name(STAGE, "emea")) == []


class RefusingPublisher:
    def send(self, messages: Sequence[OutgoingMessage]) -> set[str]:
        return {message.message_id for message in messages}


def test_a_resend_that_fails_is_tried_again_on_a_later_sweep(deps: Dependencies):
    # Given a lost ticket and SQS refusing sends during the first sweep
    ticket = stored_but_never_sent(deps)
    real_publisher = deps.publisher
    failed = sweep_at(T0 + seconds(SWEEP_AFTER + 1), publisher=RefusingPublisher())

    # Then that sweep re-sent nothing
    assert failed["resent"] == 0
    assert drain(queue(aws_resource_names.DETECT)) == []

    # When SQS is back and the ticket has waited again
    recovered = sweep_at(T0 + seconds(2 * SWEEP_AFTER + 2), publisher=real_publisher)

    # Then it goes out
    assert recovered["resent"] == 1
    assert [body["ticket_id"] for body in drain(queue(aws_resource_names.DETECT))] == [ticket.ticket_id]


def test_a_sweep_with_nothing_stuck_does_nothing(deps: Dependencies):
    assert sweep_at(T0) == {"resent": 0, "given_up": 0, "skipped": 0}
