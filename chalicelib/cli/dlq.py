"""The dead-letter queues of a stage: what waits in each, why, and sending it back.

`dlq list` prints every DLQ of the stage (infra/ defines each queue and its DLQ) with its count,
and per message its id, the queue it came from, the ticket id of its body, when it was sent and
first received, SQS's receive count (the operator's own looks at a DLQ add to it) and the reason
the worker recorded for its last failure (a message that cannot even be read shows what is wrong
with it). `dlq show ID` prints one message whole. `dlq redrive` sends messages back to their
queue (`--message-id ID`, repeatable, or `--all`, optionally `--queue detect`), deleting each
from the DLQ only after the send succeeded; `--dry-run` says what it would move and touches
nothing. Against the local stack: `AWS_ENDPOINT_URL=<the endpoint the banner prints>
python -m chalicelib.cli dlq list --stage local`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from chalicelib.cli.stage import add_stage_argument, use_stage
from chalicelib.domain.dead_letters import QueuePair
from chalicelib.usecases.dead_letters import DeadLetterDesk, DeadLetterQueueReport, ExplainedDeadLetter, UnknownQueue

NAME = "dlq"
HELP = "the dead-letter queues: list (with reasons) | show ID | redrive [--queue Q] (--message-id ID | --all)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every DLQ of the stage, its count and its messages with their reasons")
    listing.add_argument("--queue", help="one queue: its role (detect, notify, desk-emea, ...) or name")
    listing.add_argument("--limit", type=int, default=100, help="messages read per DLQ (default 100)")
    listing.add_argument("--json", action="store_true", help="print JSON instead of text")
    show = actions.add_parser("show", help="one dead letter, whole, its body pretty-printed")
    show.add_argument("message_id", help="the SQS message id `dlq list` printed")
    redrive = actions.add_parser("redrive", help="send dead letters back to their queue")
    redrive.add_argument("--queue", help="only this queue's DLQ: its role (detect, ...) or name")
    redrive.add_argument("--message-id", action="append", dest="message_ids", help="this message (repeatable)")
    redrive.add_argument("--all", action="store_true", help="every message (of --queue, else of every DLQ)")
    redrive.add_argument("--dry-run", action="store_true", help="say what would move; move nothing")
    redrive.add_argument(
        "--include-unreadable", action="store_true", help="also messages no worker can read (they would fail again)"
    )
    for sub in (listing, show, redrive):
        add_stage_argument(sub)


def queue_pairs(stage: str) -> list[QueuePair]:
    """Every queue with a redrive policy and its DLQ, read from infra/'s template of the stage."""
    from infra.stack import resources_template

    resources: dict[str, Any] = resources_template(stage)["Resources"]
    pairs: list[QueuePair] = []
    for resource in resources.values():
        properties = resource.get("Properties", {})
        policy = properties.get("RedrivePolicy")
        if resource.get("Type") != "AWS::SQS::Queue" or not policy:
            continue
        target = policy["deadLetterTargetArn"]["Fn::GetAtt"][0]
        name = properties["QueueName"]
        role = name.split(f"-{stage}-", 1)[-1]
        pairs.append(QueuePair(role, name, resources[target]["Properties"]["QueueName"]))
    return pairs


def _desk(stage: str) -> DeadLetterDesk:
    from chalicelib.composition_root import dependencies

    return dependencies().dead_letter_desk(queue_pairs(stage))


def run(args: argparse.Namespace) -> int:
    stage = use_stage(args.stage)
    desk = _desk(stage)
    try:
        if args.action == "list":
            return list_dead_letters(desk, args)
        if args.action == "show":
            return show_dead_letter(desk, args.message_id)
        return redrive(desk, args)
    except UnknownQueue as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def list_dead_letters(desk: DeadLetterDesk, args: argparse.Namespace) -> int:
    reports = desk.list(args.queue, max(1, args.limit))
    if args.json:
        print(json.dumps([_report_json(report) for report in reports], indent=2))
        return 0
    for report in reports:
        print(f"{report.pair.dead_letter_queue}  ({report.pair.role})  {report.count} message(s)")
        for item in report.letters:
            letter = item.letter
            print(f"  {letter.message_id}  from {item.source_queue}  ticket {item.ticket_id or '-'}")
            print(
                f"    sent {letter.sent_at or '-'}  first received {letter.first_received_at or '-'}"
                f"  receives {letter.receive_count}"
            )
            print(f"    reason: {item.reason}")
    total = sum(report.count for report in reports)
    print(f"{total} dead letter(s) in {sum(1 for report in reports if report.count)} of {len(reports)} DLQs")
    return 0


def show_dead_letter(desk: DeadLetterDesk, message_id: str) -> int:
    item = desk.show(message_id)
    if item is None:
        print(f"no dead letter {message_id} in any DLQ of the stage", file=sys.stderr)
        return 1
    record = _letter_json(item)
    record["body"] = _pretty_body(item.letter.body)
    print(json.dumps(record, indent=2, ensure_ascii=False))
    return 0


def redrive(desk: DeadLetterDesk, args: argparse.Namespace) -> int:
    if bool(args.message_ids) == bool(args.all):
        print("error: say which: --message-id ID (repeatable) or --all", file=sys.stderr)
        return 2
    moved = desk.redrive(args.queue, args.message_ids, args.dry_run, args.include_unreadable)
    for item in moved:
        copy = f" as {item.new_message_id}" if item.new_message_id and item.outcome == "moved" else ""
        print(f"{item.message_id}: {item.outcome}{copy}  ({item.dead_letter_queue} -> {item.queue})")
    missing = sorted(set(args.message_ids or ()) - {item.message_id for item in moved})
    for message_id in missing:
        print(f"{message_id}: not found in any DLQ chosen", file=sys.stderr)
    done = sum(item.outcome in ("moved", "would move") for item in moved)
    verb = "would move" if args.dry_run else "moved"
    print(f"{verb} {done} of {len(moved)} dead letter(s)" + (" (dry run: nothing changed)" if args.dry_run else ""))
    failed = any(item.outcome.startswith("failed") for item in moved)
    return 1 if failed or missing else 0


def _pretty_body(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body


def _letter_json(item: ExplainedDeadLetter) -> dict[str, Any]:
    letter, failure = item.letter, item.failure
    return {
        "message_id": letter.message_id,
        "dead_letter_queue": letter.dead_letter_queue,
        "queue": item.source_queue,
        "ticket_id": item.ticket_id,
        "sent_at": letter.sent_at,
        "first_received_at": letter.first_received_at,
        "receive_count": letter.receive_count,
        "reason": item.reason,
        "last_failure": failure.to_record() if failure else None,
    }


def _report_json(report: DeadLetterQueueReport) -> dict[str, Any]:
    return {
        "queue": report.pair.queue,
        "role": report.pair.role,
        "dead_letter_queue": report.pair.dead_letter_queue,
        "count": report.count,
        "messages": [_letter_json(item) for item in report.letters],
    }
