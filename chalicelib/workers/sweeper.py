"""The scheduled sweeper: re-sends the claim check of every ticket that rests too long.

Covers each way a message can go missing: the API died between storing a ticket and sending
it on, a worker's send failed, a message was dead-lettered, a desk notification was never
confirmed. Re-sending is safe because every worker treats a duplicate as a no-op.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger
from chalice import Blueprint, Rate

from chalicelib.domain.ports import StaleTicket, StuckTicket
from chalicelib.domain.stages import next_hop
from chalicelib.domain.ticket import PIPELINE_STATUSES, Status
from chalicelib.services import Services, get_services
from chalicelib.workers.stage_runner import outgoing_message

logger = Logger(service="polyglot-desk")
sweeper = Blueprint(__name__)

SWEEP_LIMIT = 200  # per status and run; a larger backlog drains over the next runs


@sweeper.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_stuck_tickets(event: Any) -> dict[str, int]:
    return sweep(get_services())


def sweep(services: Services) -> dict[str, int]:
    now = services.clock()
    cutoff = now - timedelta(seconds=services.settings.sweep_after_seconds)
    counts = {"resent": 0, "given_up": 0, "skipped": 0}
    resend: list[StuckTicket] = []
    for status in (*PIPELINE_STATUSES, Status.ROUTED):
        for stuck in services.store.stuck(status, cutoff, SWEEP_LIMIT):
            give_up = stuck.sweep_attempts >= services.settings.sweep_max_attempts
            try:
                services.store.record_sweep(stuck, now, give_up)
            except StaleTicket:
                counts["skipped"] += 1  # a worker moved it on meanwhile
                continue
            if give_up:
                counts["given_up"] += 1
                logger.error(
                    "ticket stuck; left for an operator",
                    extra={"ticket_id": stuck.ticket_id, "status": stuck.status.value},
                )
            else:
                resend.append(stuck)
    messages = [
        outgoing_message(item.status, item.ticket_id, item.correlation_id, item.routed_region, services)
        for item in resend
    ]
    unsent = services.publisher.send(messages) if messages else set()
    for item in resend:
        if item.ticket_id in unsent:
            continue
        counts["resent"] += 1
        logger.warning("re-sent stuck ticket", extra={"ticket_id": item.ticket_id, "status": item.status.value})
        if next_hop(item.status, item.routed_region).final:
            with contextlib.suppress(StaleTicket):
                services.store.mark_notified(item.ticket_id, item.version)
    return counts
