"""The tickets the sweeper gave up on, and sending them on again.

The sweeper re-sends the claim check of a ticket that rests too long in a pipeline status (or
routed with its desk message unconfirmed); after SWEEP_MAX_ATTEMPTS it parks it for an operator
(`STUCK#<status>` in the sweep index) and stops. `stuck list` prints each parked ticket: its id,
the status it rests in, the sweeper's attempts, since when it is parked, its region once routed,
and the last error a worker recorded for it. `stuck retry --ticket-id ID` (repeatable) or
`--all` puts it back into the sweeper's index, attempts at 0: the next sweep (every minute in
AWS, every 10 s locally) re-sends it. Retrying a ticket that is no longer parked does nothing.
"""

from __future__ import annotations

import argparse
import json
import sys

from chalicelib.cli.stage import add_stage_argument, use_stage
from chalicelib.domain.dead_letters import PARKABLE_KINDS

NAME = "stuck"
HELP = "tickets the sweeper parked: list | retry (--ticket-id ID | --all)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every parked ticket, with its attempts and last error")
    listing.add_argument("--kind", choices=PARKABLE_KINDS, help="only tickets parked in this status")
    listing.add_argument("--json", action="store_true", help="print JSON instead of text")
    retry = actions.add_parser("retry", help="back into the sweeper's index: the next sweep re-sends it")
    retry.add_argument("--ticket-id", action="append", dest="ticket_ids", help="this ticket (repeatable)")
    retry.add_argument("--all", action="store_true", help="every parked ticket")
    for sub in (listing, retry):
        add_stage_argument(sub)


def run(args: argparse.Namespace) -> int:
    from chalicelib.composition_root import dependencies

    stage = use_stage(args.stage)
    stuck = dependencies().stuck_tickets
    if args.action == "list":
        items = stuck.list(args.kind)
        if args.json:
            rows = [
                {
                    "ticket_id": item.parked.ticket_id,
                    "stage": item.parked.kind,
                    "attempts": item.parked.attempts,
                    "parked_at": item.parked.parked_at,
                    "region": item.parked.region,
                    "last_error": item.last_error,
                    "last_error_at": item.last_error_at,
                }
                for item in items
            ]
            print(json.dumps(rows, indent=2))
            return 0
        for item in items:
            parked = item.parked
            print(
                f"{parked.ticket_id}  {parked.kind:<10}  attempts {parked.attempts}  parked since {parked.parked_at}"
                f"  region {parked.region or '-'}"
            )
            print(f"    last error: {item.last_error}" + (f" at {item.last_error_at}" if item.last_error_at else ""))
        print(f"{len(items)} parked ticket(s) in stage {stage}")
        return 0
    if bool(args.ticket_ids) == bool(args.all):
        print("error: say which: --ticket-id ID (repeatable) or --all", file=sys.stderr)
        return 2
    results = stuck.retry(None if args.all else args.ticket_ids)
    for result in results:
        if result.parked is None:
            print(f"{result.ticket_id}: not parked (retried already, moved on, or unknown): nothing to do")
        else:
            print(f"{result.ticket_id}: back in the sweep index as {result.parked.kind}; the next sweep re-sends it")
    print(f"requeued {sum(result.parked is not None for result in results)} of {len(results)} ticket(s)")
    return 0
