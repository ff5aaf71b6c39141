"""The HTTP contract, written once: pydantic models of every request body and every answer.

The same models validate what clients send (`requests.py`, errors in `errors.py`), shape what
the API answers (`views.py`, `messages.py`, `answers.py`) and give /openapi.json its schemas
(api/openapi.py). The domain keeps its dataclasses; the models convert to and from them.
"""

from chalicelib.api.contract.answers import (
    ClockState,
    DeskList,
    DeskTicket,
    Health,
    ListableState,
    MessageAccepted,
    TicketCreated,
)
from chalicelib.api.contract.base import REF_TEMPLATE, SchemaGenerator, component_schemas
from chalicelib.api.contract.errors import Error, ValidationError, printable
from chalicelib.api.contract.help import (
    HelpAnswerView,
    HelpArticleView,
    HelpQuestion,
    HelpTopicList,
    SelfServiceAnswer,
    SelfServiceRecorded,
    SelfServiceView,
)
from chalicelib.api.contract.incidents import (
    CandidateList,
    IncidentCreated,
    IncidentList,
    IncidentView,
    NewIncident,
    NewIncidentUpdate,
    TicketIds,
    TicketsLinked,
    TicketsUnlinked,
    UpdateAccepted,
)
from chalicelib.api.contract.messages import AgentMessage, RequesterMessage
from chalicelib.api.contract.metrics import (
    DateParameter,
    LanguageParameter,
    MetricsQuery,
    SupportMetricsReport,
    parse_metrics_query,
)
from chalicelib.api.contract.requests import (
    MAX_BODY_BYTES,
    DeskNote,
    IdempotencyKey,
    NewMessage,
    NewTicket,
    check_idempotency_key,
    parse_desk_note,
    parse_message_text,
    parse_new_ticket,
)
from chalicelib.api.contract.views import AgentTicket, Region, RequesterTicket, Ticket, ticket_view

__all__ = [
    "MAX_BODY_BYTES",
    "REF_TEMPLATE",
    "AgentMessage",
    "AgentTicket",
    "CandidateList",
    "ClockState",
    "DateParameter",
    "DeskList",
    "DeskNote",
    "DeskTicket",
    "Error",
    "Health",
    "HelpAnswerView",
    "HelpArticleView",
    "HelpQuestion",
    "HelpTopicList",
    "IdempotencyKey",
    "IncidentCreated",
    "IncidentList",
    "IncidentView",
    "LanguageParameter",
    "ListableState",
    "MessageAccepted",
    "MetricsQuery",
    "NewIncident",
    "NewIncidentUpdate",
    "NewMessage",
    "NewTicket",
    "Region",
    "RequesterMessage",
    "RequesterTicket",
    "SchemaGenerator",
    "SelfServiceAnswer",
    "SelfServiceRecorded",
    "SelfServiceView",
    "SupportMetricsReport",
    "Ticket",
    "TicketCreated",
    "TicketIds",
    "TicketsLinked",
    "TicketsUnlinked",
    "UpdateAccepted",
    "ValidationError",
    "check_idempotency_key",
    "component_schemas",
    "parse_desk_note",
    "parse_message_text",
    "parse_metrics_query",
    "parse_new_ticket",
    "printable",
    "ticket_view",
]
