"""The HTTP contract, written once: pydantic models of every request body and every answer.

The same models validate what clients send (`requests.py`, errors in `errors.py`), shape what
the API answers (`views.py`, `messages.py`, `answers.py`...) and give /openapi.json its schemas
(api/openapi.py). The domain keeps its dataclasses; the models convert to and from them.

Every name below is loaded on first use (PEP 562): the routes write `contract.TicketCreated`,
so `import app` (every Lambda's cold start) loads no model, and a request loads only the
modules its route touches. `from chalicelib.api.contract import X` works as before.
"""

from __future__ import annotations

import importlib
from typing import Any

# Each submodule and the names it gives the package.
_NAMES: dict[str, tuple[str, ...]] = {
    "access": ("AccessTokenRotated",),
    "answers": ("ClockState", "DeskList", "DeskTicket", "ListableState", "MessageAccepted", "TicketCreated"),
    "base": ("REF_TEMPLATE", "SchemaGenerator", "component_schemas"),
    "errors": ("Error", "printable"),
    "evidence": ("EvidenceFile", "EvidenceUploadGranted", "NewEvidence", "parse_new_evidence"),
    "health": ("Health",),
    "help": (
        "HelpAnswerView",
        "HelpArticleView",
        "HelpQuestion",
        "HelpTopicList",
        "SelfServiceAnswer",
        "SelfServiceRecorded",
        "SelfServiceView",
        "parse_help_language",
        "parse_help_question",
        "parse_self_service_answer",
    ),
    "incidents": (
        "CandidateList",
        "CandidateTicket",
        "IncidentCreated",
        "IncidentList",
        "IncidentListing",
        "IncidentView",
        "NewIncident",
        "NewIncidentUpdate",
        "SkippedTicket",
        "TicketIds",
        "TicketsLinked",
        "TicketsUnlinked",
        "UpdateAccepted",
        "parse_incident_update",
        "parse_listing",
        "parse_new_incident",
        "parse_ticket_ids",
    ),
    "messages": ("AgentMessage", "RequesterMessage"),
    "metrics": ("DateParameter", "LanguageParameter", "MetricsQuery", "SupportMetricsReport", "parse_metrics_query"),
    "preview": ("ReplyPreview",),
    "refusal": ("MAX_BODY_BYTES", "ValidationError"),
    "requests": (
        "DeskNote",
        "IdempotencyKey",
        "NewMessage",
        "NewTicket",
        "check_idempotency_key",
        "parse_desk_note",
        "parse_message_text",
        "parse_new_ticket",
    ),
    "talking_back": ("SatisfactionAnswer", "SatisfactionRecorded", "parse_satisfaction"),
    "views": ("AgentTicket", "Region", "RequesterTicket", "Ticket", "TicketExtras", "ticket_view"),
}
_MODULE_OF = {name: module for module, names in _NAMES.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # the next lookup is an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULE_OF})
