"""From a Lambda SQS event to the stage use case and back, with the fail-closed batch response."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import SQSEvent

from chalicelib.composition_root import Dependencies
from chalicelib.usecases.pipeline_stage import QueuedRecord


class BatchFailed(RuntimeError):
    """Raised when records failed and partial batch responses are off (fail closed)."""


def handle_sqs_event(function_name: str, event: Any, dependencies: Dependencies) -> dict[str, Any]:
    """Run the stage named `function_name` over a Chalice SQSEvent (or a raw Lambda event)."""
    raw = event.to_dict() if hasattr(event, "to_dict") else event
    records = [QueuedRecord(record.message_id, record.body or "") for record in SQSEvent(raw).records]
    stage = dependencies.stages[function_name]
    failed = dependencies.run_stage(stage, records)
    if failed and not dependencies.settings.report_batch_item_failures:
        # Without FunctionResponseTypes=ReportBatchItemFailures on the event source mapping,
        # AWS would treat a returned failure list as success and delete those messages.
        raise BatchFailed(f"{len(failed)} of {len(records)} records failed in {stage.name}")
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
