"""The environment the in-process benches (make cost, make bench-faults) give the app: fake AWS
credentials for moto, one region, and the stage settings they all share."""

from __future__ import annotations

IN_PROCESS_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "MOVABLE_CLOCK": "false",
    "TRANSLATORS": "none",
    "REPORT_BATCH_ITEM_FAILURES": "true",
    "RATE_LIMITS": "off",  # one bench client posts everything: the budgets would cut it
}
