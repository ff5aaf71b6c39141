"""The cost model's printout: what was measured per ticket, then dollars per million tickets."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping
from typing import Any

from bench.cost_mix import MixConfig, language_shares
from bench.cost_prices import Row, Usage, storage_usd_per_month, translation_rows, unit_price

Say = Callable[[str], None]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def print_report(
    say: Say,
    args: Any,
    mix: MixConfig,
    measured: dict[str, Any],
    memory: Mapping[str, int],
    usage: Usage,
    prices: Mapping[str, Any],
    rows: list[Row],
    translations: list[Row],
) -> None:
    n = usage.tickets
    shares = language_shares(measured["tickets"])
    say("")
    say(
        f"== cost model: {n} tickets, replayed in {measured['seconds']:.0f} s"
        f" (stage {args.stage}'s memory and log level, {args.region})"
    )
    say(
        f"mix: {len(shares)} languages, English {shares.get('en', 0):.0%}; description median {mix.median_chars} chars;"
        f" per ticket {mix.messages} messages, {mix.replies} replies, {mix.requester_reads} requester"
        f" + {mix.agent_reads} agent reads (Poisson means); seed {mix.seed}"
    )
    say("top languages: " + ", ".join(f"{lang} {share:.0%}" for lang, share in list(shares.items())[:10]))
    _requests(say, measured, n)
    _dynamodb(say, measured, n)
    _lambda(say, measured, memory, n)
    _logs_and_translation(say, measured, usage, prices, n)
    _dollars(say, args, usage, prices, rows, translations)


def _requests(say: Say, measured: dict[str, Any], n: int) -> None:
    driver = measured["driver"]
    say("\n-- API requests per ticket (API Gateway and api_handler)")
    for kind, count in sorted(driver.requests.items()):
        say(f"  {kind:<34} {count / n:6.2f}")
    if driver.refused:
        say(f"  refused: {driver.refused}")
    meter = measured["meter"]
    say("\n-- AWS requests per ticket, by operation (measured; ReceiveMessage counts non-empty polls only)")
    empty = "(idle polls not counted)"
    for (service, operation), count in sorted(meter.calls.items(), key=lambda kv: -kv[1]):
        billed = meter.sqs_billed.get(operation) if service == "sqs" else None
        extra = f"  billed SQS requests {billed / n:5.2f}" if billed is not None else ""
        say(f"  {service:<9} {operation:<22} {count / n:6.2f}{extra}")
    say(f"  total {sum(meter.calls.values()) / n:.2f} per ticket {empty}")


def _dynamodb(say: Say, measured: dict[str, Any], n: int) -> None:
    capacity = measured["meter"].dynamodb.capacity
    calls = {op: count for (service, op), count in measured["meter"].calls.items() if service == "dynamodb"}
    say("\n-- DynamoDB capacity per ticket: computed from item sizes (moto reports flat figures, shown)")
    say(f"  {'operation':<20} {'calls':>6} {'computed WRU':>13} {'computed RRU':>13} {'moto reported':>14}")
    for op in sorted(calls, key=lambda o: -calls[o]):
        written, read, reported = (capacity.write.get(op, 0), capacity.read.get(op, 0), capacity.reported.get(op, 0))
        say(f"  {op:<20} {calls[op] / n:6.2f} {written / n:13.2f} {read / n:13.2f} {reported / n:14.2f}")
    for index, units in sorted(capacity.index_write.items()):
        say(f"  index {index:<22} {'':>6} {units / n:13.2f}")
    say(
        f"  total WRU {(sum(capacity.write.values()) + sum(capacity.index_write.values())) / n:.2f}"
        f" (table {sum(capacity.write.values()) / n:.2f}, indexes {sum(capacity.index_write.values()) / n:.2f}),"
        f" RRU {sum(capacity.read.values()) / n:.2f};"
        f" filtered queries sized by ScannedCount: {capacity.approximated_queries},"
        f" Select=COUNT queries sized by the index's mean entry: {capacity.counted_queries}"
    )
    say(f"  stored: {measured['stored_bytes'] / n:.0f} bytes per ticket (items + index entries + 100 B overhead each)")


def _lambda(say: Say, measured: dict[str, Any], memory: Mapping[str, int], n: int) -> None:
    say("\n-- Lambda per ticket (durations measured here, wall clock, moto in-process; memory from config)")
    say(f"  {'function':<24} {'invocations':>11} {'median ms':>10} {'p95 ms':>8} {'MB':>5} {'GB-s':>9}")
    from bench.cost_prices import lambda_gb_seconds

    for name, values in sorted(measured["durations"].items()):
        if not values:
            continue
        mb = memory.get(name, memory["__default__"])
        gbs = sum(lambda_gb_seconds(ms, mb) for ms in values)
        say(
            f"  {name:<24} {len(values) / n:11.2f} {statistics.median(values):10.1f} {_p95(values):8.1f} {mb:5d}"
            f" {gbs / n:9.4f}"
        )
    say("  agent_authorizer: one call per agent request (API Gateway caches its answer 30 s: an upper bound)")


def _logs_and_translation(say: Say, measured: dict[str, Any], usage: Usage, prices: Mapping[str, Any], n: int) -> None:
    logs = measured["logs"]
    say("\n-- CloudWatch per ticket")
    say(
        f"  app log lines {logs.lines / n:.1f}, {logs.bytes / n:.0f} bytes"
        f" (of which EMF {logs.emf_lines / n:.1f} lines, {logs.emf_bytes / n:.0f} bytes)"
    )
    platform = usage.log_bytes - logs.bytes
    say(f"  Lambda START/END/REPORT lines, computed: {platform / n:.0f} bytes")
    metric_month = unit_price(prices, "cloudwatch_custom_metric_month")
    say(
        f"  distinct EMF metrics (name x dimensions) seen: {len(logs.metrics)}:"
        f" a fixed ${len(logs.metrics) * metric_month:.2f} a month, not per ticket"
    )
    translator = measured["translator"]
    say("\n-- translation per ticket (characters sent to the provider, after masking and the cache)")
    say(f"  {translator.chars / n:.0f} chars in {translator.calls / n:.2f} calls")
    top = ", ".join(f"{pair} {chars / n:.0f}" for pair, chars in translator.by_pair.most_common(6))
    say(f"  by pair: {top}")


def _dollars(
    say: Say, args: Any, usage: Usage, prices: Mapping[str, Any], rows: list[Row], translations: list[Row]
) -> None:
    version = f"prices.json v{prices['version']}, compiled {prices['compiled']}"
    say(f"\n-- dollars per million tickets ({args.region}; {version}: check the prices before quoting)")
    say(f"  {'component':<20} {'per ticket':>11} {'unit':<12} {'$ / M tickets':>14}  how")
    for row in rows:
        say(f"  {row.component:<20} {row.per_ticket:11.4g} {row.unit:<12} {row.usd_per_million:14.2f}  {row.basis}")
    infra = sum(row.usd_per_million for row in rows)
    say(f"  {'infrastructure':<45} {infra:14.2f}")
    say("  translation, by provider:")
    for row in translations:
        marker = " <- in the total" if row.component == args.provider else ""
        say(f"    {row.component:<18} {row.per_ticket:11.0f} {row.unit:<12} {row.usd_per_million:14.2f}{marker}")
    chosen = next((row.usd_per_million for row in translations if row.component == args.provider), 0.0)
    say(f"  {'total with ' + args.provider:<45} {infra + chosen:14.2f}")
    say(f"  storage: ${storage_usd_per_month(usage, prices, args.region):.2f} a month per million tickets kept")
    say(
        "  not per ticket (fixed): idle SQS polls by Lambda's pollers, the sweeper and escalation schedules,"
        " custom metrics, free tiers"
    )


# --- what the desks' languages save -------------------------------------------------------------


def desk_languages_comparison(
    measured: Mapping[str, Any], baseline: Mapping[str, Any], prices: Mapping[str, Any], provider: str
) -> dict[str, Any]:
    """Characters sent to the provider per ticket with the desks' languages on (`measured`) and
    off (`baseline`: the same plan replayed with DESK_LANGUAGES=off), by cause, and what they cost.

    `off_native` is derived, not replayed: off, with the on run's agent-reply characters in place
    of its own (a reply's translation does not depend on DESK_LANGUAGES, only on the language the
    agent writes in), so that the saving can be read with agents writing the same either way."""
    n = len(measured["tickets"])

    def usd(chars_per_ticket: float) -> float:
        rows = translation_rows(Usage(tickets=1, translated_chars=chars_per_ticket), prices)
        return next((row.usd_per_million for row in rows if row.component == provider), 0.0)

    def side(by_cause: Mapping[str, float]) -> dict[str, Any]:
        chars = sum(by_cause.values())
        return {"chars_per_ticket": chars, "by_cause": dict(by_cause), "usd_per_million": usd(chars)}

    on = side({cause: count / n for cause, count in measured["driver"].chars.items()})
    off = side({cause: count / n for cause, count in baseline["driver"].chars.items()})
    off_native = side({**off["by_cause"], REPLIES: on["by_cause"].get(REPLIES, 0.0)})

    def fewer(now: float, before: float) -> float:
        return 1 - now / before if before else 0.0

    def tickets(by_cause: Mapping[str, float]) -> float:
        return by_cause.get("ticket at intake", 0.0) + by_cause.get("ticket on demand", 0.0)

    def messages(by_cause: Mapping[str, float]) -> float:
        return by_cause.get("requester messages", 0.0) + by_cause.get("messages on demand", 0.0)

    return {
        "tickets": n,
        "provider": provider,
        "on": on,
        "off": off,
        "off_native": off_native,
        "fewer_chars": fewer(on["chars_per_ticket"], off["chars_per_ticket"]),
        "fewer_chars_same_replies": fewer(on["chars_per_ticket"], off_native["chars_per_ticket"]),
        "fewer_ticket_chars": fewer(tickets(on["by_cause"]), tickets(off["by_cause"])),
        "fewer_message_chars": fewer(messages(on["by_cause"]), messages(off["by_cause"])),
    }


REPLIES = "agent replies"


def print_desk_languages(say: Say, mix: MixConfig, comparison: Mapping[str, Any]) -> None:
    on, off, same = comparison["on"], comparison["off"], comparison["off_native"]
    say(
        "\n-- translation with the desks' languages on (default) vs DESK_LANGUAGES=off, the same"
        f" {comparison['tickets']} tickets and messages"
    )
    say(
        f"  on:  a ticket or requester message its desk reads is translated only when an agent who does not"
        f" read it opens it ({mix.unread_share:.0%} of tickets get one such open, --unread-share);"
        f" {mix.native_replies:.0%} of replies to those tickets are written in their language by agents who"
        " read it (--native-replies, an assumption), the other replies in English"
    )
    say("  off: today: everything not in English translated as it arrives, agents read English, every reply in English")
    say("  off*: derived, not replayed: off with the on run's replies (agents writing the same in both)")
    say(f"  {'characters per ticket':<24} {'on':>8} {'off':>8} {'off*':>8}")
    for cause in off["by_cause"]:
        say(
            f"  {cause:<24} {on['by_cause'].get(cause, 0):8.0f} {off['by_cause'][cause]:8.0f}"
            f" {same['by_cause'][cause]:8.0f}"
        )
    say(f"  {'total':<24} {on['chars_per_ticket']:8.0f} {off['chars_per_ticket']:8.0f} {same['chars_per_ticket']:8.0f}")
    say(
        f"  {comparison['fewer_chars']:.0%} fewer characters sent to providers than today"
        f" ({comparison['fewer_chars_same_replies']:.0%} fewer than off*;"
        f" {comparison['fewer_ticket_chars']:.0%} fewer for tickets' subject and description,"
        f" {comparison['fewer_message_chars']:.0%} fewer for requester messages);"
        f" {comparison['provider']}: ${on['usd_per_million']:,.0f} vs ${off['usd_per_million']:,.0f}"
        f" (off* ${same['usd_per_million']:,.0f}) per million tickets"
    )
