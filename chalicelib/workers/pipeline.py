"""The three pipeline workers, each an SQS consumer on its own queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalice import Blueprint

from chalicelib import resources
from chalicelib.adapters.metrics import count_translation
from chalicelib.domain import stages
from chalicelib.domain.messages import MESSAGE_ADDED, RETRANSLATE
from chalicelib.domain.ticket import Status, Ticket
from chalicelib.services import get_services
from chalicelib.settings import get_settings
from chalicelib.workers import followups
from chalicelib.workers.stage_runner import Stage, handle_sqs_event

pipeline_workers = Blueprint(__name__)

# Lambda polls up to 10 messages; the runner batches its DynamoDB and SQS calls over them.
BATCH_SIZE = 10


def _detect(ticket: Ticket, now: datetime) -> Ticket:
    services = get_services()
    return stages.detect(ticket, services.detector, services.settings.pivot_language, now)


def _translate(ticket: Ticket, now: datetime) -> Ticket:
    services = get_services()
    after = stages.translate(ticket, services.text_translator, services.settings.pivot_language, now)
    if after.translation is not None:
        count_translation(after.translation.provider, after.translation.characters, "ticket")
    return after


def _route(ticket: Ticket, now: datetime) -> Ticket:
    return stages.route(ticket, now, get_services().settings.desk_queue_name)


DETECT = Stage("detect_language", Status.RECEIVED, _detect)
TRANSLATE = Stage(
    "translate_ticket",
    Status.DETECTED,
    _translate,
    followups={RETRANSLATE: followups.retranslate_ticket, MESSAGE_ADDED: followups.translate_message},
)
ROUTE = Stage("route_ticket", Status.TRANSLATED, _route)


@pipeline_workers.on_sqs_message(queue=get_settings().queue_name(resources.DETECT), batch_size=BATCH_SIZE)
def detect_language(event: Any) -> dict[str, Any]:
    return handle_sqs_event(DETECT, event, get_services())


@pipeline_workers.on_sqs_message(queue=get_settings().queue_name(resources.TRANSLATE), batch_size=BATCH_SIZE)
def translate_ticket(event: Any) -> dict[str, Any]:
    return handle_sqs_event(TRANSLATE, event, get_services())


@pipeline_workers.on_sqs_message(queue=get_settings().queue_name(resources.ROUTE), batch_size=BATCH_SIZE)
def route_ticket(event: Any) -> dict[str, Any]:
    return handle_sqs_event(ROUTE, event, get_services())
