"""The notify worker: delivers queued notifications (`usecases/notify.py`) from its own queue,
with its own dead-letter queue, so a channel that is down never holds up the pipeline."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import aws_resource_names
from chalicelib.composition_root import dependencies
from chalicelib.settings import get_settings

notify_worker = Blueprint(__name__)
BATCH_SIZE = 10


@notify_worker.on_sqs_message(queue=get_settings().queue_name(aws_resource_names.NOTIFY), batch_size=BATCH_SIZE)
def deliver_notifications(event: Any) -> dict[str, Any]:
    from chalicelib.workers import sqs_batch  # on the first call: not part of the API's cold start

    sqs_records, records = sqs_batch.queued_records(event)
    deps = dependencies()
    failed = deps.deliver_notifications.run(records)
    sqs_batch.record_failures("deliver_notifications", sqs_records, failed, deps)
    if failed and not deps.settings.report_batch_item_failures:
        raise sqs_batch.BatchFailed(f"{len(failed)} of {len(records)} notifications failed")
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
