"""The fault harness of `make bench-faults` (bench/fault_harness.py), on a few hundred tickets.

Duplicate deliveries (k = 2, 3, 5, also concurrent), reordering, a crash at every boundary,
throttling and 500s from DynamoDB and SQS (before and after the request applied), a translation
provider outage; then the ledger of accepted POSTs against the table and the desk queues.
FAULT_TICKETS changes the number of tickets (the bench runs 10,000).
"""

from __future__ import annotations

import os

from bench.fault_harness import FaultConfig, Harness
from bench.faults_injection import BEFORE_DELETE, CRASH_POINTS

TICKETS = int(os.environ.get("FAULT_TICKETS", "100"))
# Higher than the bench's: a hundred tickets must still hit every boundary.
# (A crash before the delete is drawn once per Lambda invocation, not per ticket: higher still.)
CRASH_RATES = {**{point: 0.04 for point in CRASH_POINTS}, BEFORE_DELETE: 0.15}


def test_every_accepted_ticket_reaches_one_desk_once_whatever_fails(api):
    # Given a client submitting tickets (each with its own Idempotency-Key, retried after a 5xx
    # or no answer) while deliveries repeat and reorder, processes crash at every boundary,
    # DynamoDB and SQS throttle and fail, and the translation provider has outages
    harness = Harness(FaultConfig(tickets=TICKETS, seed=11, per_round=34, crash_rates=CRASH_RATES), api)

    # When every ticket is submitted and the pipeline settles
    result = harness.run()

    # Then the ledger balances: nothing lost, nothing nobody asked for, and nothing twice but a
    # desk message whose confirmation a crash or an error prevented (architecture rule 4)
    assert (result.lost, result.unexplained_duplicates, result.unexpected) == ([], [], []), result.summary()
    assert result.accepted == result.stored == result.routed == TICKETS
    # and every fault was in fact injected
    details = result.details
    assert set(details["crashes"]) == set(CRASH_POINTS), details["crashes"]
    assert any("(refused)" in kind for kind in details["aws_errors"]), details["aws_errors"]
    assert any("(after it applied)" in kind for kind in details["aws_errors"]), details["aws_errors"]
    assert {"delivered x2", "delivered x3", "delivered x5", "held back", "concurrent batches"} <= set(
        details["deliveries"]
    ), details["deliveries"]
    assert details["provider_refusals"] > 0
    # and no e-mail address or phone number written into a ticket reached the provider
    assert details["pii_leaks"] == []
    assert details["provider_calls"] > 0
