"""The incident fan-out worker: each message on the incidents queue is one page of linked
tickets to tell about an update (`usecases/incident_fanout.py`).

One message per invocation: a page is the unit of work sized to finish well inside the Lambda
timeout, and a failed page is retried alone.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import aws_resource_names
from chalicelib.composition_root import dependencies
from chalicelib.settings import get_settings

incident_workers = Blueprint(__name__)
BATCH_SIZE = 1


@incident_workers.on_sqs_message(queue=get_settings().queue_name(aws_resource_names.INCIDENTS), batch_size=BATCH_SIZE)
def fan_out_incident_updates(event: Any) -> dict[str, Any]:
    from chalicelib.workers import sqs_batch  # on the first call: not part of the API's cold start

    deps = dependencies()
    sqs_records, records = sqs_batch.queued_records(event)
    failed = deps.fan_out_incident_update.run(records)
    sqs_batch.record_failures("fan_out_incident_updates", sqs_records, failed, deps)
    if failed and not deps.settings.report_batch_item_failures:
        # Fail closed: without ReportBatchItemFailures AWS would delete a "failed" message.
        raise sqs_batch.BatchFailed(f"{len(failed)} of {len(records)} incident fan-out pages failed")
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
