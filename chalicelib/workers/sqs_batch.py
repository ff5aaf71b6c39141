"""From a Lambda SQS event to the stage use case and back, with the fail-closed batch response.

Every record that fails leaves its reason behind (`FailureLog`: an item with a TTL keyed by the
SQS message id, which SQS keeps when it moves the message to the dead-letter queue), so
`python -m chalicelib.cli dlq list` can say why a message is there. Recording is best effort: it
never changes what the batch answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.data_classes import SQSEvent
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.composition_root import Dependencies
from chalicelib.domain.dead_letters import (
    FAILURE_RECORD_TTL_SECONDS,
    FailureRecord,
    failure_reason,
    ticket_id_of,
)
from chalicelib.domain.ticket import iso
from chalicelib.observability import logger
from chalicelib.usecases.pipeline_stage import QueuedRecord


class BatchFailed(RuntimeError):
    """Raised when records failed and partial batch responses are off (fail closed)."""


def queued_records(event: Any) -> tuple[list[SQSRecord], list[QueuedRecord]]:
    """A Chalice SQSEvent (or a raw Lambda event): its SQS records, and each as a QueuedRecord."""
    raw = event.to_dict() if hasattr(event, "to_dict") else event
    sqs_records = list(SQSEvent(raw).records)
    return sqs_records, [QueuedRecord(record.message_id, record.body or "") for record in sqs_records]


def handle_sqs_event(function_name: str, event: Any, dependencies: Dependencies) -> dict[str, Any]:
    """Run the stage named `function_name` over a Chalice SQSEvent (or a raw Lambda event)."""
    sqs_records, records = queued_records(event)
    stage = dependencies.stages[function_name]
    try:
        failed = dependencies.run_stage.run(stage, records)
    except Exception as error:
        # The whole batch returns: each of its messages failed for this reason.
        reason = failure_reason(error)
        record_failures(function_name, sqs_records, {record.message_id: reason for record in records}, dependencies)
        raise
    record_failures(function_name, sqs_records, failed, dependencies)
    if failed and not dependencies.settings.report_batch_item_failures:
        # Without FunctionResponseTypes=ReportBatchItemFailures on the event source mapping,
        # AWS would treat a returned failure list as success and delete those messages.
        raise BatchFailed(f"{len(failed)} of {len(records)} records failed in {stage.name}")
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def record_failures(
    function_name: str, sqs_records: list[SQSRecord], reasons: Mapping[str, str], dependencies: Dependencies
) -> None:
    """Keep the last failure of each failed record (best effort: logged, never raised)."""
    if not reasons:
        return
    try:
        now = dependencies.clock()
        failures = [
            FailureRecord(
                message_id=record.message_id,
                queue=str(record.raw_event.get("eventSourceARN") or "").rsplit(":", 1)[-1],
                function=function_name,
                reason=reasons[record.message_id],
                receive_count=_receive_count(record),
                failed_at=iso(now),
                ticket_id=ticket_id_of(record.body or ""),
            )
            for record in sqs_records
            if record.message_id in reasons
        ]
        expires_at = int((now + timedelta(seconds=FAILURE_RECORD_TTL_SECONDS)).timestamp())
        dependencies.failure_log.record(failures, expires_at)
    except Exception:
        logger.exception("failure reasons not recorded", extra={"function": function_name, "count": len(reasons)})


def _receive_count(record: SQSRecord) -> int:
    attributes = record.raw_event.get("attributes") or {}
    try:
        return int(attributes.get("ApproximateReceiveCount") or 0)
    except (TypeError, ValueError):
        return 0
