"""The three pipeline workers, each an SQS consumer on its own queue (the stage table is in
the composition root; the loop they share is `usecases/pipeline_stage.py`)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import aws_resource_names
from chalicelib.composition_root import dependencies
from chalicelib.settings import get_settings

pipeline_workers = Blueprint(__name__)

# Lambda polls up to 10 messages; the runner batches its DynamoDB and SQS calls over them.
BATCH_SIZE = 10


@pipeline_workers.on_sqs_message(queue=get_settings().queue_name(aws_resource_names.DETECT), batch_size=BATCH_SIZE)
def detect_language(event: Any) -> dict[str, Any]:
    return _handled("detect_language", event)


@pipeline_workers.on_sqs_message(queue=get_settings().queue_name(aws_resource_names.TRANSLATE), batch_size=BATCH_SIZE)
def translate_ticket(event: Any) -> dict[str, Any]:
    return _handled("translate_ticket", event)


@pipeline_workers.on_sqs_message(queue=get_settings().queue_name(aws_resource_names.ROUTE), batch_size=BATCH_SIZE)
def route_ticket(event: Any) -> dict[str, Any]:
    return _handled("route_ticket", event)


def _handled(function_name: str, event: Any) -> dict[str, Any]:
    from chalicelib.workers.sqs_batch import handle_sqs_event  # on the first call: not in the API's cold start

    return handle_sqs_event(function_name, event, dependencies())
