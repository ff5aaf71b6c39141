"""`make bench-faults`: N tickets (default 10,000) through the pipeline under injected faults.

    python -m bench.faults --tickets 10000 --seed 7

Duplicate deliveries (k = 2, 3, 5, also concurrent), reordering, a crash at every boundary,
ThrottlingException / ProvisionedThroughputExceededException / InternalServerError on DynamoDB
and SQS, a translation provider outage (bench/fault_harness.py says how). Everything runs in
this process on moto; the intake through chalice.test.Client. At the end the ledger of accepted
POSTs is reconciled against the stored tickets and the desk queues: lost / duplicated /
unexpected, target 0 / 0 / 0. Exits 1 when the ledger does not balance or personal data
reached the provider.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time

from bench.environment import IN_PROCESS_AWS

ENVIRONMENT = {
    **IN_PROCESS_AWS,
    "APP_STAGE": "faults",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "CRITICAL",
    "AGENT_TOKEN_SECRET": "bench-faults-agent-token-secret",
    "SWEEP_AFTER_SECONDS": "60",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-round", type=int, default=100)
    parser.add_argument("--show", type=int, default=10, help="how many of each discrepancy to list")
    args = parser.parse_args(argv)
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name in {"AWS_PROFILE", "TABLE_NAME"}:
            del os.environ[name]
    os.environ.update(ENVIRONMENT)

    from chalice.test import Client
    from moto import mock_aws

    from bench.fault_harness import FaultConfig, Harness
    from chalicelib.adapters.aws import client, reset_clients
    from chalicelib.composition_root import reset_dependencies
    from infra.apply import create_resources
    from infra.stack import resources_template

    config = FaultConfig(tickets=args.tickets, seed=args.seed, per_round=args.per_round)
    started = time.perf_counter()
    with mock_aws():
        reset_clients()
        reset_dependencies()
        create_resources(resources_template(ENVIRONMENT["APP_STAGE"]), client("dynamodb"), client("sqs"))
        import app as app_module

        def progress(line: str) -> None:
            print(f"  {line} ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)

        # The translation metrics print EMF lines to stdout whatever POWERTOOLS_METRICS_DISABLED says.
        with Client(app_module.app, stage_name=ENVIRONMENT["APP_STAGE"]) as api, open(os.devnull, "w") as quiet:
            harness = Harness(config, api)
            with contextlib.redirect_stdout(quiet):
                result = harness.run(progress)
    elapsed = time.perf_counter() - started
    print(f"\nfault harness: {result.submissions} submissions, seed {args.seed}, {elapsed:.1f} s")
    print(f"  accepted {result.accepted}, stored {result.stored}, routed {result.routed}")
    for label, values in result.details.items():
        print(f"  {label}: {values if not isinstance(values, list) else len(values)}")
    print(f"\nledger: {result.summary()}")
    print(
        "  (a duplicate in the outbox window is a desk message sent again because its confirmation, or the"
        " acknowledgement tied to it, did not follow, or because botocore re-sent an applied SendMessageBatch:"
        " docs/ARCHITECTURE.md, exactly-once effects, rule 4)"
    )
    for label, items in (("lost", result.lost), ("duplicated", result.duplicated), ("unexpected", result.unexpected)):
        for item in items[: args.show]:
            print(f"  {label}: {item}")
    leaks = result.details.get("pii_leaks", [])
    print(f"personal data sent to the provider: {len(leaks)}")
    return 0 if result.clean and not leaks else 1  # clean: 0 lost, 0 unexpected, 0 unexplained duplicates


if __name__ == "__main__":
    sys.exit(main())
