"""What a million tickets cost: `make cost` (python -m bench.cost --help).

Replays a realistic mix of tickets (bench/cost_mix.py: the served languages, lengths, share of
English, follow-up messages, agent replies, reads by the requester page and by agents) through
the real app on in-process moto: the HTTP routes through chalice.test.Client (agent authorizer
included), the pipeline and notification workers through their real Lambda handlers, fed from
the real queues by devstack's poller. It measures per ticket (bench/cost_meter.py) the AWS
requests by operation, DynamoDB capacity units, SQS billed requests, Lambda invocations and
GB-seconds (measured durations x the memory `.chalice/config.json` gives each function for the
stage), API requests, CloudWatch log bytes and EMF metrics, and the characters sent to the
translation provider; then prices them from bench/data/prices.json (bench/cost_prices.py).

Translation is measured twice on the same plan, and each run assumes what agents do:
- with the desks' languages on (the default): a ticket or requester message its desk reads is
  translated only when an agent who does not read it opens it (`--unread-share` of tickets get
  one such open); `--native-replies` of the replies to those tickets are written by agents who
  read the language, in it (no translation needed); every other reply is in English;
- unless `--no-compare`, replayed again with DESK_LANGUAGES=off ("today": every ticket and
  message not in the pivot translated as it arrives, agents reading the English pivot): every
  reply is written in English, as before the change.
The report also derives "off with the same native replies" (off, with the on run's reply
characters), to separate what the desks' reading saves from what agents' native replies save.

Durations are wall-clock on this machine with moto in the same process: each AWS call costs
moto's time rather than a network round trip. Read the Lambda duration line as an order of
magnitude, and re-measure on AWS before deciding anything on it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from bench.cost_driver import RUN_STAGE, Driver, count_translations_by_what
from bench.cost_meter import AwsMeter, CountingTranslator, DynamoStore, LogMeter, TimedHandler, new_durations
from bench.cost_mix import MixConfig, plan
from bench.cost_prices import (
    PRICES_PATH,
    Usage,
    lambda_gb_seconds,
    load_prices,
    price_usage,
    storage_usd_per_month,
    translation_rows,
)
from bench.environment import IN_PROCESS_AWS

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENT = {
    **IN_PROCESS_AWS,
    "APP_STAGE": RUN_STAGE,
    "POWERTOOLS_METRICS_DISABLED": "false",
    "AGENT_TOKEN_SECRET": "bench-cost-agent-token-secret",
    "SWEEP_AFTER_SECONDS": "300",
}
OUT = sys.__stdout__


def say(text: str = "") -> None:
    print(text, file=OUT, flush=True)


def stage_config(stage: str) -> tuple[dict[str, str], dict[str, int]]:
    """The stage's environment and each function's memory (MB), as `chalice deploy` would set them."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    stage_block = config["stages"][stage]
    env = {**config.get("environment_variables", {}), **stage_block.get("environment_variables", {})}
    default = stage_block.get("lambda_memory_size", config.get("lambda_memory_size", 128))
    memory = {name: f.get("lambda_memory_size", default) for name, f in stage_block.get("lambda_functions", {}).items()}
    memory["__default__"] = default
    return env, memory


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    defaults = MixConfig()
    for item in fields(MixConfig):
        parser.add_argument(
            f"--{item.name.replace('_', '-')}",
            type=type(getattr(defaults, item.name)),
            default=getattr(defaults, item.name),
        )
    parser.add_argument("--stage", default="dev", help="whose Lambda memory and log level (.chalice/config.json)")
    parser.add_argument("--region", default="us-east-1", help="priced with prices.json's region factor")
    parser.add_argument("--provider", default="aws", help="the translation provider in the total")
    parser.add_argument("--prices", type=Path, default=PRICES_PATH)
    parser.add_argument("--cohort", type=int, default=40, help="tickets per fresh moto account (the open backlog)")
    parser.add_argument("--json", type=Path, help="also write the measures and rows here")
    parser.add_argument(
        "--compare",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="replay the mix a second time with DESK_LANGUAGES=off, for translation characters only",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    mix = MixConfig(**{item.name: getattr(args, item.name) for item in fields(MixConfig)})
    stage_env, memory = stage_config(args.stage)
    for name in list(os.environ):
        if name.startswith(("AWS_ENDPOINT_URL", "GOOGLE_", "DEEPL_", "MICROSOFT_")) or name in {
            "AWS_PROFILE",
            "TABLE_NAME",
        }:
            del os.environ[name]
    os.environ.update(ENVIRONMENT)
    os.environ["POWERTOOLS_LOG_LEVEL"] = stage_env.get("POWERTOOLS_LOG_LEVEL", "INFO")
    os.environ["POWERTOOLS_METRICS_NAMESPACE"] = stage_env.get("POWERTOOLS_METRICS_NAMESPACE", "PolyglotDesk")
    os.environ["POWERTOOLS_SERVICE_NAME"] = stage_env.get("POWERTOOLS_SERVICE_NAME", "polyglot-desk")
    logs = LogMeter()
    sys.stdout = logs  # before the app's logger exists: Powertools writes to the stream it finds
    try:
        from bench.faults_moto import faster_moto

        count_translations_by_what()
        with faster_moto():
            measured = run(mix, logs, args.cohort, desk_languages=True)
            baseline = run(mix, logs, args.cohort, desk_languages=False, metered=False) if args.compare else None
    finally:
        sys.stdout = OUT
    report(args, mix, measured, memory, baseline)
    return 0


def run(
    mix: MixConfig, logs: LogMeter, cohort: int, *, desk_languages: bool = True, metered: bool = True
) -> dict[str, Any]:
    """Replay the mix, `cohort` tickets at a time, each cohort on a fresh moto account.

    `desk_languages`: DESK_LANGUAGES for the app. `metered=False` counts translation only (the
    AWS requests, logs and durations of the run are left out).

    A fresh account per cohort keeps the open backlog of a region between 0 and `cohort`
    tickets (nobody closes tickets here): moto's index queries scan the whole table, so one
    account growing to every ticket of the run would make it quadratic, and the Select=COUNT of
    the requester's "tickets ahead of you" would price a backlog the run size chose.
    """
    import boto3
    from moto import mock_aws

    from chalicelib.adapters import aws as aws_clients

    os.environ["DESK_LANGUAGES"] = "on" if desk_languages else "off"  # read again by each fresh_account
    say(f"replaying with DESK_LANGUAGES={os.environ['DESK_LANGUAGES']}")
    aws_clients.reset_clients(credentials=True)
    aws_clients._session = boto3.session.Session()
    meter = AwsMeter(DynamoStore())
    meter.attach(aws_clients._session.events)  # clients made later inherit the session's hooks
    import app as app_module
    from chalicelib.api import access

    durations = new_durations()
    authorizer = access.agent_authorizer.func
    authorizer = authorizer.handler if isinstance(authorizer, TimedHandler) else authorizer  # a second run
    access.agent_authorizer.func = TimedHandler(authorizer, "agent_authorizer", durations)
    translator = CountingTranslator()
    driver = Driver(durations, translator, ENVIRONMENT["AGENT_TOKEN_SECRET"], desk_languages)
    tickets, stored, started = plan(mix), 0, time.perf_counter()
    for first in range(0, len(tickets), cohort):
        with mock_aws():
            driver.pollers = fresh_account(translator, durations)
            meter.enabled = logs.enabled = metered
            driver.replay_cohort(app_module.app, tickets[first : first + cohort])
            meter.enabled = logs.enabled = False
            stored += meter.dynamodb.store.stored_bytes()
        say(f"  {min(first + cohort, len(tickets))}/{len(tickets)} tickets, {time.perf_counter() - started:.0f} s")
    return {
        "tickets": tickets,
        "meter": meter,
        "logs": logs,
        "translator": translator,
        "durations": durations,
        "driver": driver,
        "stored_bytes": stored,
        "seconds": time.perf_counter() - started,
    }


def fresh_account(translator: CountingTranslator, durations: dict[str, list[float]]) -> dict[str, Any]:
    """The infra/ resources in the (new) moto account, the app's graph rebuilt, the pollers."""
    from chalicelib import aws_resource_names
    from chalicelib.adapters.aws import client, reset_clients
    from chalicelib.composition_root import override_dependencies, reset_dependencies
    from infra.apply import create_resources
    from infra.stack import resources_template

    reset_clients()
    reset_dependencies()
    create_resources(resources_template(RUN_STAGE), client("dynamodb"), client("sqs"))
    override_dependencies(translators=[translator])
    return build_pollers(client("sqs"), aws_resource_names, durations)


def build_pollers(sqs: Any, names: Any, durations: dict[str, list[float]]) -> dict[str, Any]:
    from chalicelib.workers import notify
    from chalicelib.workers import pipeline as workers
    from devstack.poller import QueuePoller

    handlers = {
        names.DETECT: (workers.detect_language, "detect_language"),
        names.TRANSLATE: (workers.translate_ticket, "translate_ticket"),
        names.ROUTE: (workers.route_ticket, "route_ticket"),
        names.NOTIFY: (notify.deliver_notifications, "deliver_notifications"),
    }
    return {
        role: QueuePoller(
            sqs, names.queue_name(RUN_STAGE, role), TimedHandler(handler, name, durations), name, wait_seconds=0
        )
        for role, (handler, name) in handlers.items()
    }


def usage_of(measured: dict[str, Any], memory: dict[str, int]) -> Usage:
    meter: AwsMeter = measured["meter"]
    capacity = meter.dynamodb.capacity
    durations: dict[str, list[float]] = measured["durations"]
    logs: LogMeter = measured["logs"]
    invocations = {name: len(values) for name, values in durations.items() if values}
    platform_bytes = PLATFORM_LOG_BYTES * sum(invocations.values())
    return Usage(
        tickets=len(measured["tickets"]),
        dynamodb_write_units=sum(capacity.write.values()) + sum(capacity.index_write.values()),
        dynamodb_read_units=sum(capacity.read.values()),
        sqs_requests=sum(meter.sqs_billed.values()),
        lambda_invocations=invocations,
        lambda_gb_seconds={
            name: sum(lambda_gb_seconds(ms, memory.get(name, memory["__default__"])) for ms in values)
            for name, values in durations.items()
        },
        api_requests=sum(measured["driver"].requests.values()),
        log_bytes=logs.bytes + platform_bytes,
        emails=sum(count for (service, op), count in meter.calls.items() if service.startswith("ses") and "Send" in op),
        translated_chars=measured["translator"].chars,
        stored_bytes=measured["stored_bytes"],
    )


# START, END and REPORT lines Lambda writes per invocation (text format), not the app's: computed.
PLATFORM_LOG_BYTES = 330


def report(
    args: argparse.Namespace,
    mix: MixConfig,
    measured: dict[str, Any],
    memory: dict[str, int],
    baseline: dict[str, Any] | None = None,
) -> None:
    from bench.cost_report import desk_languages_comparison, print_desk_languages, print_report

    usage = usage_of(measured, memory)
    prices = load_prices(args.prices)
    rows = price_usage(usage, prices, args.region)
    translations = translation_rows(usage, prices)
    print_report(say, args, mix, measured, memory, usage, prices, rows, translations)
    comparison = desk_languages_comparison(measured, baseline, prices, args.provider) if baseline else None
    if comparison is not None:
        print_desk_languages(say, mix, comparison)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "mix": asdict(mix),
                    "usage": asdict(usage),
                    "rows": [asdict(row) for row in rows],
                    "translation": [asdict(row) for row in translations],
                    "storage_usd_per_million_month": storage_usd_per_month(usage, prices, args.region),
                    "median_ms": {k: statistics.median(v) for k, v in measured["durations"].items() if v},
                    "emf_metrics": sorted(" ".join([ns, name, *dims]) for ns, name, dims in measured["logs"].metrics),
                    "desk_languages": comparison,
                },
                indent=2,
            ),
            encoding="utf-8",
        )


if __name__ == "__main__":
    sys.exit(main())
