"""The cost model's arithmetic: billing units from sizes and durations, dollars from the price table.

Pure: no AWS, no clock. `bench/cost.py` measures the usage (bench/cost_meter.py), this module
turns it into billed units and dollars per million tickets from `bench/data/prices.json`.

DynamoDB's rules (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html):
a write is one unit per 1 KB of the item (the larger of before and after), at least one; a read
one unit per 4 KB, half of it when eventually consistent; a transaction doubles both. SQS bills
each 64 KiB chunk of a request's payload as a request. Lambda bills each millisecond of the
configured memory.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PRICES_PATH = Path(__file__).parent / "data" / "prices.json"
KB = 1024
SQS_CHUNK = 64 * KB
TRANSLATE_PREFIX = "translate_chars_"
PER_MILLION = 1_000_000


def write_units(size_bytes: int, transactional: bool = False) -> int:
    units = max(1, math.ceil(size_bytes / KB))
    return units * 2 if transactional else units


def read_units(size_bytes: int, consistent: bool, transactional: bool = False) -> float:
    units = float(max(1, math.ceil(size_bytes / (4 * KB))))
    if transactional:
        return units * 2
    return units if consistent else units / 2


def sqs_billed_requests(payload_bytes: int) -> int:
    """One request per started 64 KiB of payload (an empty answer is still one request)."""
    return max(1, math.ceil(payload_bytes / SQS_CHUNK))


def lambda_gb_seconds(duration_ms: float, memory_mb: int) -> float:
    """Billed duration is rounded up to the millisecond, times the configured memory."""
    return math.ceil(duration_ms) / 1000 * memory_mb / 1024


def load_prices(path: Path = PRICES_PATH) -> dict[str, Any]:
    table = json.loads(path.read_text(encoding="utf-8"))
    for name, line in table["lines"].items():
        missing = {"usd", "per", "as_of", "source"} - set(line)
        if missing:
            raise ValueError(f"price line {name} lacks {sorted(missing)}")
    return table


def unit_price(prices: Mapping[str, Any], name: str, region: str = "us-east-1") -> float:
    """Dollars for one unit of a line in `region` (AWS lines scaled by the region's factor)."""
    line = prices["lines"][name]
    factor = 1.0 if name.startswith(TRANSLATE_PREFIX) else float(prices["region_factors"][region])
    return float(line["usd"]) / float(line["per"]) * factor


@dataclass
class Usage:
    """What `tickets` tickets used, in billing units (totals, not per ticket)."""

    tickets: int
    dynamodb_write_units: float = 0.0
    dynamodb_read_units: float = 0.0
    sqs_requests: float = 0.0
    lambda_invocations: dict[str, int] = field(default_factory=dict)
    lambda_gb_seconds: dict[str, float] = field(default_factory=dict)
    api_requests: int = 0
    log_bytes: int = 0
    emails: int = 0
    translated_chars: int = 0
    stored_bytes: int = 0


@dataclass(frozen=True)
class Row:
    component: str
    per_ticket: float
    unit: str
    usd_per_million: float
    basis: str = ""  # how the quantity was obtained: measured, or computed from what


def price_usage(usage: Usage, prices: Mapping[str, Any], region: str = "us-east-1") -> list[Row]:
    """One row per infrastructure component; translation is priced apart (`translation_rows`)."""
    per = 1 / usage.tickets

    def row(component: str, quantity: float, unit: str, line: str, basis: str) -> Row:
        usd = quantity * per * PER_MILLION * unit_price(prices, line, region)
        return Row(component, quantity * per, unit, usd, basis)

    return [
        row("DynamoDB writes", usage.dynamodb_write_units, "WRU", "dynamodb_write_request_unit", "computed: sizes"),
        row("DynamoDB reads", usage.dynamodb_read_units, "RRU", "dynamodb_read_request_unit", "computed: sizes"),
        row("SQS", usage.sqs_requests, "requests", "sqs_standard_request", "measured, 64 KiB chunks"),
        row("Lambda requests", sum(usage.lambda_invocations.values()), "invocations", "lambda_request", "measured"),
        row("Lambda duration", sum(usage.lambda_gb_seconds.values()), "GB-s", "lambda_gb_second_x86", "local ms x MB"),
        row("API Gateway", usage.api_requests, "requests", "api_gateway_rest_request", "measured"),
        row("CloudWatch Logs", usage.log_bytes / KB**3, "GB", "cloudwatch_logs_ingest_gb", "measured + platform"),
        row("SES", usage.emails, "e-mails", "ses_email", "measured"),
    ]


def translation_rows(usage: Usage, prices: Mapping[str, Any]) -> list[Row]:
    """What the measured characters cost at each provider's list price."""
    per_ticket = usage.translated_chars / usage.tickets
    return [
        Row(
            name.removeprefix(TRANSLATE_PREFIX),
            per_ticket,
            "chars",
            per_ticket * PER_MILLION * unit_price(prices, name),
        )
        for name in prices["lines"]
        if name.startswith(TRANSLATE_PREFIX)
    ]


def storage_usd_per_month(usage: Usage, prices: Mapping[str, Any], region: str = "us-east-1") -> float:
    """A million tickets kept in the table for a month (items and index entries as measured)."""
    gb = usage.stored_bytes / usage.tickets * PER_MILLION / KB**3
    return gb * unit_price(prices, "dynamodb_storage_gb_month", region)
