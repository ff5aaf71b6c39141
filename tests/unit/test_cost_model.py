"""The cost model's arithmetic (bench/cost_prices.py): billing units and dollars per million tickets.

Only the pure part: `make cost` measures usage on moto and is a benchmark, never a test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.cost_prices import (
    PRICES_PATH,
    Usage,
    lambda_gb_seconds,
    load_prices,
    price_usage,
    read_units,
    sqs_billed_requests,
    storage_usd_per_month,
    translation_rows,
    unit_price,
    write_units,
)


def test_dynamodb_units_follow_the_published_rounding_rules():
    # Given items of various sizes, When they are written or read, Then the units are DynamoDB's
    assert write_units(0) == 1  # even a tiny (or failed conditional) write costs one unit
    assert write_units(1024) == 1 and write_units(1025) == 2
    assert write_units(1500, transactional=True) == 4  # transactions cost double
    assert read_units(4096, consistent=True) == 1 and read_units(4097, consistent=True) == 2
    assert read_units(100, consistent=False) == 0.5  # eventually consistent: half
    assert read_units(5000, consistent=False, transactional=True) == 4


def test_sqs_bills_every_started_64_kib_chunk_and_lambda_every_millisecond():
    assert sqs_billed_requests(0) == 1 and sqs_billed_requests(65536) == 1 and sqs_billed_requests(65537) == 2
    # 100.2 ms at 512 MB is billed as 101 ms of half a gigabyte
    assert lambda_gb_seconds(100.2, 512) == pytest.approx(0.101 * 0.5)


def test_every_price_line_names_its_date_and_source_and_a_line_without_them_is_refused(tmp_path: Path):
    # Given the shipped table, Then every line is dated and sourced
    prices = load_prices()
    assert all(line["source"].startswith("https://") and line["as_of"] for line in prices["lines"].values())
    # Given a line that does not say where its price comes from, When loaded, Then it is refused
    broken = json.loads(PRICES_PATH.read_text(encoding="utf-8"))
    del broken["lines"]["sqs_standard_request"]["source"]
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ValueError, match="sqs_standard_request"):
        load_prices(path)


def test_a_million_tickets_are_priced_per_component_and_other_regions_by_their_factor():
    # Given two tickets that used 10 write units, 4 API requests and 2 GB-s between them
    prices = load_prices()
    usage = Usage(tickets=2, dynamodb_write_units=10, api_requests=4, lambda_gb_seconds={"api_handler": 2.0})
    rows = {row.component: row for row in price_usage(usage, prices)}
    # Then a million such tickets cost 5 million units, 2 million requests, a million GB-s
    assert rows["DynamoDB writes"].per_ticket == 5
    assert rows["DynamoDB writes"].usd_per_million == pytest.approx(
        5 * prices["lines"]["dynamodb_write_request_unit"]["usd"]
    )
    assert rows["API Gateway"].usd_per_million == pytest.approx(2 * prices["lines"]["api_gateway_rest_request"]["usd"])
    assert rows["Lambda duration"].usd_per_million == pytest.approx(
        1e6 * prices["lines"]["lambda_gb_second_x86"]["usd"]
    )
    # And in another region the AWS lines scale by its factor
    factor = prices["region_factors"]["eu-west-1"]
    abroad = {row.component: row for row in price_usage(usage, prices, "eu-west-1")}
    assert abroad["DynamoDB writes"].usd_per_million == pytest.approx(rows["DynamoDB writes"].usd_per_million * factor)


def test_translation_is_priced_per_provider_the_same_in_every_region():
    # Given 400 characters sent per ticket
    prices = load_prices()
    rows = {row.component: row for row in translation_rows(Usage(tickets=1, translated_chars=400), prices)}
    # Then a million tickets are 400 million characters at each provider's price per million
    assert rows["aws"].usd_per_million == pytest.approx(400 * prices["lines"]["translate_chars_aws"]["usd"])
    assert rows["microsoft"].usd_per_million < rows["aws"].usd_per_million < rows["google"].usd_per_million
    assert unit_price(prices, "translate_chars_aws", "sa-east-1") == unit_price(prices, "translate_chars_aws")


def test_storage_is_priced_per_gigabyte_month():
    # Given a million tickets that take one GiB between them (1,073.74 bytes each)
    prices = load_prices()
    usage = Usage(tickets=1_000_000, stored_bytes=1024**3)
    # Then keeping a million of them costs one GB-month
    assert storage_usd_per_month(usage, prices) == pytest.approx(prices["lines"]["dynamodb_storage_gb_month"]["usd"])


def test_an_index_entry_costs_a_write_when_added_or_changed_and_two_when_its_key_moves():
    from bench.cost_meter import Snapshot, index_writes

    # Given a ticket in a region's work list (a 300-byte entry) and in no other index
    listed = Snapshot(2000, {"by_region": ("open#emea|p1", "status=open", 300)})
    # When it is created, its projection changes, its key moves, or it leaves the list
    assert index_writes(None, listed) == {"by_region": 1}
    assert index_writes(listed, Snapshot(2100, {"by_region": ("open#emea|p1", "status=claimed", 300)})) == {
        "by_region": 1
    }
    assert index_writes(listed, Snapshot(2100, {"by_region": ("open#emea|p0", "status=open", 300)})) == {"by_region": 2}
    assert index_writes(listed, Snapshot(2100, {})) == {"by_region": 1}
    # Then a write that touches neither its key nor what the index projects costs the index nothing
    assert index_writes(listed, Snapshot(2500, dict(listed.entries))) == {}


def test_the_desks_languages_are_compared_on_characters_and_dollars_by_cause():
    from types import SimpleNamespace

    from bench.cost_report import desk_languages_comparison

    # Given two tickets replayed twice. On: 100 characters of ticket text at intake, 40 on demand,
    # 20 of messages on demand, 30 of messages as they came, 200 of replies (most written natively).
    # Off: 700 at intake, 240 of messages, 600 of replies (all in English)
    def replay(*chars: int) -> dict:
        causes = ("ticket at intake", "ticket on demand", "messages on demand", "requester messages", "agent replies")
        by_cause = dict(zip(causes, chars, strict=True))
        return {
            "tickets": [object(), object()],
            "translator": SimpleNamespace(chars=sum(chars)),
            "driver": SimpleNamespace(chars=by_cause),
        }

    prices = load_prices()
    comparison = desk_languages_comparison(replay(100, 40, 20, 30, 200), replay(700, 0, 0, 240, 600), prices, "aws")

    # Then it reports per ticket, what was saved in all, on the tickets' text and on the messages
    assert comparison["on"]["chars_per_ticket"] == 195 and comparison["off"]["chars_per_ticket"] == 770
    assert comparison["fewer_chars"] == pytest.approx(1 - 195 / 770)
    assert comparison["fewer_ticket_chars"] == pytest.approx(1 - 140 / 700)
    assert comparison["fewer_message_chars"] == pytest.approx(1 - 50 / 240)
    assert comparison["on"]["by_cause"]["messages on demand"] == 10
    assert comparison["off"]["usd_per_million"] == pytest.approx(770 * prices["lines"]["translate_chars_aws"]["usd"])
    # And, derived, today's figure with agents replying as they do with the desks' languages on
    assert comparison["off_native"]["by_cause"]["agent replies"] == 100
    assert comparison["off_native"]["chars_per_ticket"] == pytest.approx(350 + 120 + 100)
    assert comparison["fewer_chars_same_replies"] == pytest.approx(1 - 195 / 570)


def test_the_mix_keeps_its_tickets_whatever_share_of_agents_reads_them_or_replies_in_their_language():
    from bench.cost_mix import MixConfig, plan

    # Given the default mix and one where more agents do not read the tickets and fewer reply natively
    usual = plan(MixConfig(tickets=60))
    other = plan(MixConfig(tickets=60, unread_share=0.5, native_replies=0.3))

    # Then the tickets, messages, reads and replies (as written today) are the same: only who
    # reads and the replies' language with the desks' languages on differ: like compares with like
    assert [(t.body, t.messages, t.agent_reads, t.replies) for t in usual] == [
        (t.body, t.messages, t.agent_reads, t.replies) for t in other
    ]
    assert sum(t.opened_by_non_reader for t in other) > sum(t.opened_by_non_reader for t in usual)
    native = [sum(n is not None for n in t.native) for t in usual]
    assert sum(native) > sum(sum(n is not None for n in t.native) for t in other) > 0
    # And with DESK_LANGUAGES off every reply is in English, as agents reading the English pivot write
    assert all(t.replies_for(False) == t.replies for t in usual)
    # And with it on, only a ticket its desk reads gets native replies: never an English one, nor a
    # Bengali one from Bangladesh (apac does not read Bengali)
    assert all(t.replies_for(True) == t.replies for t in usual if not t.desk_reads)
    assert not any(t.desk_reads for t in usual if t.language in ("en", "bn"))
    assert any(t.replies_for(True) != t.replies for t in usual if t.desk_reads)
