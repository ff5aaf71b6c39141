"""The notify worker: delivers queued notifications (`usecases/notify.py`) from its own queue,
with its own dead-letter queue, so a channel that is down never holds up the pipeline."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import SQSEvent
from chalice import Blueprint

from chalicelib import aws_resource_names
from chalicelib.composition_root import dependencies
from chalicelib.settings import get_settings
from chalicelib.usecases.pipeline_stage import QueuedRecord
from chalicelib.workers.sqs_batch import BatchFailed, record_failures

notify_worker = Blueprint(__name__)
BATCH_SIZE = 10


@notify_worker.on_sqs_message(queue=get_settings().queue_name(aws_resource_names.NOTIFY), batch_size=BATCH_SIZE)
def deliver_notifications(event: Any) -> dict[str, Any]:
    raw = event.to_dict() if hasattr(event, "to_dict") else event
    sqs_records = list(SQSEvent(raw).records)
    records = [QueuedRecord(record.message_id, record.body or "") for record in sqs_records]
    deps = dependencies()
    failed = deps.deliver_notifications.run(records)
    record_failures("deliver_notifications", sqs_records, failed, deps)
    if failed and not deps.settings.report_batch_item_failures:
        raise BatchFailed(f"{len(failed)} of {len(records)} notifications failed")
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
