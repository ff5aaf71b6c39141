"""`python -m chalicelib.cli stuck list | retry` against moto: a ticket the sweeper gave up on is
listed with the last error its worker recorded, and once retried the next sweep sends it on and
the real workers take it to its regional desk queue."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from chalicelib import aws_resource_names
from chalicelib.adapters.aws import client
from chalicelib.adapters.ngram_detector import NgramDetector
from chalicelib.cli.__main__ import main
from chalicelib.composition_root import dependencies, override_dependencies
from chalicelib.domain.ticket import Status, Ticket, iso
from tests.conftest import Pipeline
from tests.integration.builders import STAGE, T0, received_ticket, seconds
from tests.queues import queue_url

SWEEP_AFTER = 60


class BrokenDetector:
    def detect(self, *args: Any, **kwargs: Any) -> Any:
        raise TimeoutError("detector timed out after 30 s")


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main([*argv, "--stage", STAGE])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def sweep_at(moment: datetime) -> dict[str, int]:
    return override_dependencies(clock=lambda: moment).sweep()


@pytest.fixture
def parked(pipeline: Pipeline) -> Ticket:
    """A ticket whose detection failed while the sweeper re-sent it, until the sweeper gave up
    (SWEEP_MAX_ATTEMPTS = 1) and parked it; the failed message itself is lost (purged)."""
    base = dependencies()
    override_dependencies(
        settings=replace(base.settings, sweep_after_seconds=SWEEP_AFTER, sweep_max_attempts=1),
        detector=BrokenDetector(),
    )
    ticket = received_ticket()
    dependencies().tickets.create(ticket)  # stored, never sent on
    assert sweep_at(T0 + seconds(SWEEP_AFTER + 1))["resent"] == 1
    pipeline.step(aws_resource_names.DETECT)  # fails: the worker records why
    client("sqs").purge_queue(QueueUrl=queue_url(aws_resource_names.queue_name(STAGE, aws_resource_names.DETECT)))
    assert sweep_at(T0 + seconds(2 * SWEEP_AFTER + 2))["given_up"] == 1
    return ticket


def test_a_parked_ticket_is_listed_with_its_attempts_and_last_error(parked: Ticket, capsys: pytest.CaptureFixture[str]):
    # Given a ticket the sweeper parked (fixture)
    # When the operator lists the stuck tickets
    code, out = cli(capsys, "stuck", "list")

    # Then it is there: its status, the sweeper's attempts, since when, and why the worker failed
    assert code == 0
    assert (
        parked.ticket_id in out and "received" in out and "attempts 2" in out
    )  # one re-send, then the sweep that gave up
    assert f"parked since {iso(T0 + seconds(2 * SWEEP_AFTER + 2))}" in out
    assert "last error: TimeoutError: detector timed out after 30 s (in detect_language)" in out
    assert "1 parked ticket(s)" in out
    # and no ticket text
    assert "cobraron" not in out and "Cobro" not in out

    # And as JSON, per kind
    code, out = cli(capsys, "stuck", "list", "--kind", "received", "--json")
    assert [row["ticket_id"] for row in json.loads(out)] == [parked.ticket_id]
    assert json.loads(cli(capsys, "stuck", "list", "--kind", "detected", "--json")[1]) == []


def test_a_retried_ticket_is_resent_by_the_next_sweep_and_reaches_its_regional_queue(
    parked: Ticket, pipeline: Pipeline, capsys: pytest.CaptureFixture[str]
):
    # Given the cause is fixed
    override_dependencies(detector=NgramDetector())

    # When the operator retries it, twice
    first = cli(capsys, "stuck", "retry", "--ticket-id", parked.ticket_id)
    second = cli(capsys, "stuck", "retry", "--ticket-id", parked.ticket_id)

    # Then the first puts it back, the second does nothing, and it is no longer listed
    assert first[0] == 0 and "back in the sweep index as received" in first[1] and "requeued 1 of 1" in first[1]
    assert second[0] == 0 and "not parked" in second[1] and "requeued 0 of 1" in second[1]
    assert "0 parked ticket(s)" in cli(capsys, "stuck", "list")[1]

    # When the sweeper runs next and the workers drain the pipeline
    assert sweep_at(T0 + seconds(3 * SWEEP_AFTER + 3))["resent"] == 1
    pipeline.drain()

    # Then the ticket is routed and its claim check waits on its region's desk queue
    stored = dependencies().tickets.get(parked.ticket_id)
    assert stored is not None and stored.status is Status.ROUTED and stored.routing is not None
    desk = pipeline.desk_messages(stored.routing.region)
    assert [message["ticket_id"] for message in desk] == [parked.ticket_id]


def test_retry_all_requeues_every_parked_ticket_and_retry_needs_a_choice(
    parked: Ticket, capsys: pytest.CaptureFixture[str]
):
    # When the operator retries without saying which
    refused = cli(capsys, "stuck", "retry")

    # Then it is refused
    assert refused[0] == 2 and "--ticket-id ID (repeatable) or --all" in refused[1]

    # When the operator retries all of them
    code, out = cli(capsys, "stuck", "retry", "--all")

    # Then the parked ticket is back in the sweep index
    assert code == 0 and f"{parked.ticket_id}: back in the sweep index" in out and "requeued 1 of 1" in out
    assert "0 parked ticket(s)" in cli(capsys, "stuck", "list")[1]
