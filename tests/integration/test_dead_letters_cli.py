"""`python -m chalicelib.cli dlq list | show | redrive` against moto, with the real detect worker
driven by devstack's poller (the local stack's path): a poison message and a failing record reach
the DLQ with the reason their worker recorded, and go back once the operator asks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib import aws_resource_names
from chalicelib.adapters.aws import client
from chalicelib.adapters.ngram_detector import NgramDetector
from chalicelib.cli.__main__ import main
from chalicelib.composition_root import dependencies, override_dependencies
from chalicelib.domain.messages import claim_check
from chalicelib.domain.ticket import Status, Ticket
from tests.conftest import Pipeline
from tests.integration.builders import STAGE, received_ticket
from tests.queues import queue_url

DETECT = aws_resource_names.queue_name(STAGE, aws_resource_names.DETECT)
DETECT_DLQ = aws_resource_names.dead_letter_queue_name(STAGE, aws_resource_names.DETECT)
POISON = '{"type": "ticket.received", "v": 1, "ticket_id": "not-a-ticket", "note": "Juan Pérez juan@example.com"'


class BrokenDetector:
    def detect(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("language model 'lid.bin' missing for juan@example.com")


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main([*argv, "--stage", STAGE])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def depth(name: str) -> int:
    attributes = client("sqs").get_queue_attributes(
        QueueUrl=queue_url(name),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


@pytest.fixture
def dead_letters(pipeline: Pipeline) -> Ticket:
    """A poison message and a ticket whose detection keeps failing, both dead-lettered by the
    real detect worker after maxReceiveCount (5) receives; returns that ticket."""
    sqs = client("sqs")
    sqs.set_queue_attributes(QueueUrl=queue_url(DETECT), Attributes={"VisibilityTimeout": "0"})
    ticket = received_ticket()
    dependencies().tickets.create(ticket)
    override_dependencies(detector=BrokenDetector())
    sqs.send_message(QueueUrl=queue_url(DETECT), MessageBody=POISON)
    body = claim_check(Status.RECEIVED, ticket.ticket_id, ticket.correlation_id).to_body()
    sqs.send_message(QueueUrl=queue_url(DETECT), MessageBody=json.dumps(body))
    for _ in range(7):
        pipeline.step(aws_resource_names.DETECT)
    assert depth(DETECT) == 0 and depth(DETECT_DLQ) == 2
    return ticket


def listed(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    code, out = cli(capsys, "dlq", "list", "--queue", "detect", "--json")
    assert code == 0
    (report,) = json.loads(out)
    return {message["ticket_id"] or "poison": message for message in report["messages"]}


def test_dlq_list_says_why_each_message_is_there_without_personal_data(
    dead_letters: Ticket, capsys: pytest.CaptureFixture[str]
):
    # Given a poison message and a failing record in the detect DLQ (fixture)
    # When the operator lists every DLQ of the stage
    code, out = cli(capsys, "dlq", "list")

    # Then every DLQ is there with its count, and the detect one shows both messages with their reasons
    assert code == 0
    for role in aws_resource_names.all_queue_roles():
        assert aws_resource_names.dead_letter_queue_name(STAGE, role) in out
    assert f"{DETECT_DLQ}  (detect)  2 message(s)" in out
    assert "reason: MalformedMessage: not JSON" in out
    assert "reason: RuntimeError: language model '…' missing for <email>" in out
    assert f"ticket {dead_letters.ticket_id}" in out and f"from {DETECT}" in out
    assert "2 dead letter(s) in 1 of" in out
    # and no ticket text or personal data from a body or an error made it into the output
    assert "juan@example.com" not in out and "Juan" not in out and "cobraron" not in out

    # When listed as JSON, the failing record tells its worker and the receive count at its last failure
    failing = listed(capsys)[dead_letters.ticket_id]
    assert failing["queue"] == DETECT
    assert failing["last_failure"]["function"] == "detect_language"
    assert failing["last_failure"]["receive_count"] == 5
    assert failing["sent_at"].startswith("20") and failing["first_received_at"].startswith("20")


def test_dlq_show_prints_the_whole_record_with_the_body_pretty_printed(
    dead_letters: Ticket, capsys: pytest.CaptureFixture[str]
):
    # Given the failing record's message id
    message_id = listed(capsys)[dead_letters.ticket_id]["message_id"]

    # When the operator shows it
    code, out = cli(capsys, "dlq", "show", message_id)

    # Then the body is the claim check (ids, no ticket text), pretty-printed, with the reason
    shown = json.loads(out)
    assert code == 0
    assert shown["body"] == {
        "type": "ticket.received",
        "v": 1,
        "ticket_id": dead_letters.ticket_id,
        "correlation_id": dead_letters.correlation_id,
    }
    assert shown["reason"].startswith("RuntimeError:") and shown["dead_letter_queue"] == DETECT_DLQ
    assert '\n  "body": {\n    "type"' in out

    # And an unknown id says so
    assert cli(capsys, "dlq", "show", "no-such-message")[0] == 1


def test_a_dry_run_changes_nothing(dead_letters: Ticket, capsys: pytest.CaptureFixture[str]):
    # When the operator redrives everything as a dry run
    code, out = cli(capsys, "dlq", "redrive", "--all", "--dry-run")

    # Then it says what it would do, and both messages are still in the DLQ, none on the queue
    assert code == 0
    assert "would move 1 of 2 dead letter(s) (dry run: nothing changed)" in out
    assert "skipped: MalformedMessage: not JSON (would fail again)" in out
    assert (depth(DETECT_DLQ), depth(DETECT)) == (2, 0)
    assert set(listed(capsys)) == {dead_letters.ticket_id, "poison"}


def test_redrive_puts_the_failing_record_back_and_the_worker_processes_it(
    dead_letters: Ticket, pipeline: Pipeline, capsys: pytest.CaptureFixture[str]
):
    # Given the cause is fixed (the detector works again)
    override_dependencies(detector=NgramDetector())

    # When the operator redrives the detect DLQ
    code, out = cli(capsys, "dlq", "redrive", "--queue", "detect", "--all")

    # Then the failing record went back to its queue, the poison stayed, and the worker moved the ticket on
    assert code == 0 and "moved 1 of 2 dead letter(s)" in out
    assert depth(DETECT_DLQ) == 1 and depth(DETECT) == 1
    pipeline.step(aws_resource_names.DETECT)
    stored = dependencies().tickets.get(dead_letters.ticket_id)
    assert stored is not None and stored.status is Status.DETECTED

    # When the operator insists on the poison message by id
    poison_id = listed(capsys)["poison"]["message_id"]
    code, out = cli(capsys, "dlq", "redrive", "--message-id", poison_id, "--include-unreadable")

    # Then it is back on the detect queue too, and the DLQ is empty
    assert code == 0 and f"{poison_id}: moved as " in out
    assert (depth(DETECT_DLQ), depth(DETECT)) == (0, 1)


def test_the_operator_must_say_what_to_redrive_and_name_a_real_queue(aws: None, capsys: pytest.CaptureFixture[str]):
    # When redrive names nothing, or list names no queue of the stage
    nothing = cli(capsys, "dlq", "redrive")
    unknown = cli(capsys, "dlq", "list", "--queue", "nope")

    # Then both refuse with a usage error and say why
    assert nothing[0] == 2 and "--message-id ID (repeatable) or --all" in nothing[1]
    assert unknown[0] == 2 and "no queue 'nope'" in unknown[1]


def test_the_notify_worker_leaves_its_reasons_too(pipeline: Pipeline, capsys: pytest.CaptureFixture[str]):
    # Given a message the notify worker cannot read, dead-lettered (the incident fan-out worker
    # records its reasons the same way: workers/incidents.py)
    role = aws_resource_names.NOTIFY
    sqs = client("sqs")
    source = aws_resource_names.queue_name(STAGE, role)
    sqs.set_queue_attributes(QueueUrl=queue_url(source), Attributes={"VisibilityTimeout": "0"})
    sqs.send_message(QueueUrl=queue_url(source), MessageBody="not json at all, from kim@example.com")
    for _ in range(7):
        pipeline.step(role)
    assert depth(aws_resource_names.dead_letter_queue_name(STAGE, role)) == 1

    # When the operator lists that DLQ
    code, out = cli(capsys, "dlq", "list", "--queue", role, "--json")

    # Then the message carries its worker's reason, and no personal data
    (report,) = json.loads(out)
    (message,) = report["messages"]
    assert code == 0 and message["reason"] and message["reason"] != "no reason recorded"
    assert "kim@example.com" not in out
