"""The one loop every pipeline worker runs over an SQS batch.

Per batch: one consistent BatchGetItem, one conditional write per ticket, one SendMessageBatch
per next queue. Per record: a ticket already past this stage is a duplicate delivery and a
no-op; a lost conditional write means another delivery won, also a no-op; anything else that
goes wrong fails that record only, so SQS retries it and, after maxReceiveCount, dead-letters it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger

from chalicelib.domain.messages import ClaimCheck, MalformedMessage, claim_check, parse_claim_check
from chalicelib.domain.ports import OutgoingMessage, StaleTicket
from chalicelib.domain.stages import next_hop, region_of
from chalicelib.domain.ticket import Status, Ticket
from chalicelib.services import Services

logger = Logger(service="polyglot-desk")


class BatchFailed(RuntimeError):
    """Raised when records failed and partial batch responses are off (fail closed)."""


@dataclass(frozen=True)
class Stage:
    name: str
    consumes: Status
    # Given the ticket as read and the time, returns it advanced (pure domain work).
    work: Callable[[Ticket, datetime], Ticket]
    # Other claim-check types this worker handles one by one, outside the status machine
    # (the translate worker's later translations); a handler raises to have the record retried.
    followups: Mapping[str, Callable[[ClaimCheck, Services], None]] = field(default_factory=dict)


@dataclass(frozen=True)
class SqsRecord:
    message_id: str
    body: str


@dataclass
class _Advanced:
    record: SqsRecord
    ticket: Ticket
    final: bool


def run_stage(stage: Stage, records: list[SqsRecord], services: Services) -> list[str]:
    """Process a batch; return the message ids that failed and must be retried."""
    failed: list[str] = []
    checks = {}
    for record in records:
        try:
            checks[record.message_id] = parse_claim_check(record.body)
        except MalformedMessage as error:
            logger.error(
                "malformed message", extra={"stage": stage.name, "message_id": record.message_id, "error": str(error)}
            )
            failed.append(record.message_id)
    for record in records:
        check = checks.get(record.message_id)
        if check is not None and check.type in stage.followups:
            del checks[record.message_id]
            if not _follow_up(stage, check, services):
                failed.append(record.message_id)
    store = services.store
    current = store.get_many([check.ticket_id for check in checks.values()]) if checks else {}
    advanced: list[_Advanced] = []
    for record in records:
        check = checks.get(record.message_id)
        if check is None:
            continue
        # Thread-safe keys: the local stack runs several workers in threads of one process.
        logger.thread_safe_append_keys(correlation_id=check.correlation_id, ticket_id=check.ticket_id)
        try:
            outcome = _advance_one(stage, check.ticket_id, current, services)
        except Exception:
            logger.exception("stage failed", extra={"stage": stage.name})
            failed.append(record.message_id)
            continue
        finally:
            logger.thread_safe_remove_keys(["correlation_id", "ticket_id"])
        if outcome == "retry":
            failed.append(record.message_id)
        elif isinstance(outcome, Ticket):
            advanced.append(_Advanced(record, outcome, next_hop(outcome.status, region_of(outcome)).final))
    _forward(stage, advanced, services)
    return failed


def _follow_up(stage: Stage, check: ClaimCheck, services: Services) -> bool:
    logger.thread_safe_append_keys(correlation_id=check.correlation_id, ticket_id=check.ticket_id)
    try:
        stage.followups[check.type](check, services)
        return True
    except Exception:
        logger.exception("follow-up failed", extra={"stage": stage.name, "type": check.type})
        return False
    finally:
        logger.thread_safe_remove_keys(["correlation_id", "ticket_id"])


def _advance_one(stage: Stage, ticket_id: str, current: dict[str, Ticket], services: Services) -> Ticket | str:
    ticket = current.get(ticket_id)
    if ticket is None:
        logger.warning("ticket not found; will retry", extra={"stage": stage.name})
        return "retry"
    if ticket.status.rank > stage.consumes.rank:
        logger.info("duplicate delivery ignored", extra={"stage": stage.name, "status": ticket.status.value})
        return "duplicate"
    if ticket.status.rank < stage.consumes.rank:
        logger.warning(
            "ticket not ready for this stage; will retry", extra={"stage": stage.name, "status": ticket.status.value}
        )
        return "retry"
    after = stage.work(ticket, services.clock())
    try:
        services.store.save_transition(
            ticket, after, awaiting_notification=next_hop(after.status, region_of(after)).final
        )
    except StaleTicket:
        fresh = services.store.get(ticket_id)
        if fresh is not None and fresh.status.rank > stage.consumes.rank:
            logger.info("another delivery advanced the ticket first", extra={"stage": stage.name})
            return "duplicate"
        return "retry"
    current[ticket_id] = after  # a second record for the same ticket in this batch is a duplicate
    logger.info(describe(after), extra={"stage": stage.name, "ticket_id": ticket_id, "status": after.status.value})
    return after


def _forward(stage: Stage, advanced: Iterable[_Advanced], services: Services) -> None:
    """Send each advanced ticket's claim check; confirm the final (desk) ones in the store.

    A send that fails is not retried here: the ticket is saved and sits in the sweeper's index,
    which re-sends it once it is older than SWEEP_AFTER_SECONDS.
    """
    items = list(advanced)
    if not items:
        return
    messages = [
        outgoing_message(
            item.ticket.status, item.ticket.ticket_id, item.ticket.correlation_id, region_of(item.ticket), services
        )
        for item in items
    ]
    unsent = services.publisher.send(messages)
    for item in items:
        if item.ticket.ticket_id in unsent:
            logger.error(
                "claim check not sent; the sweeper will re-send it",
                extra={"stage": stage.name, "ticket_id": item.ticket.ticket_id},
            )
        elif item.final:
            with contextlib.suppress(StaleTicket):  # moved on already: nothing left to confirm
                services.store.mark_notified(
                    item.ticket.ticket_id, item.ticket.version, then_retranslate=item.ticket.awaiting_translation
                )


def outgoing_message(
    status: Status, ticket_id: str, correlation_id: str, region: str | None, services: Services
) -> OutgoingMessage:
    """The claim check announcing that a ticket reached `status`, addressed to its next queue."""
    hop = next_hop(status, region)
    return OutgoingMessage(
        queue=services.settings.queue_name(hop.queue_role),
        body=claim_check(status, ticket_id, correlation_id).to_body(),
        message_id=ticket_id,
    )


def describe(ticket: Ticket) -> str:
    """One readable line on what a stage decided."""
    parts = [ticket.status.value]
    if ticket.language is not None and ticket.status in (Status.DETECTED, Status.TRANSLATED):
        language = ticket.language
        parts.append(f"language={language.code} confidence={language.confidence:.2f} source={language.source}")
    if ticket.translation is not None and ticket.status is Status.TRANSLATED:
        parts.append(f"translation={ticket.translation.status.value}")
        if ticket.translation.provider:
            parts.append(f"provider={ticket.translation.provider}")
    if ticket.routing is not None:
        routing = ticket.routing
        parts.append(f"region={routing.region} ({routing.reason}) priority={routing.priority} queue={routing.queue}")
    return " ".join(parts)


def handle_sqs_event(stage: Stage, event: Any, services: Services) -> dict[str, Any]:
    """Adapter from a Chalice SQSEvent to run_stage, with the fail-closed batch response."""
    records = [SqsRecord(record.to_dict()["messageId"], record.body) for record in event]
    failed = run_stage(stage, records, services)
    if failed and not services.settings.report_batch_item_failures:
        # Without FunctionResponseTypes=ReportBatchItemFailures on the event source mapping,
        # AWS would treat a returned failure list as success and delete those messages.
        raise BatchFailed(f"{len(failed)} of {len(records)} records failed in {stage.name}")
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
