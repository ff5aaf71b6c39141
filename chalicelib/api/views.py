"""The JSON shapes of a ticket the API returns (the HTTP contract in docs and /openapi.json)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.conversation import Message, agent_view, requester_view
from chalicelib.domain.routing import is_low_confidence
from chalicelib.domain.ticket import Ticket


def ticket_view(ticket: Ticket, messages: Sequence[Message] = (), agent: Agent | None = None) -> dict[str, Any]:
    """The ticket for its requester, or (with `agent`) for an agent: messages differ in which
    language they are shown in."""
    routing = ticket.routing
    language = ticket.language
    translation = ticket.translation
    view: dict[str, Any] = {
        "ticket_id": ticket.ticket_id,
        "status": ticket.status.value,
        "subject": ticket.subject,
        "description": ticket.description,
        "category": ticket.category,
        "priority": routing.priority if routing else None,
        "language": (
            {
                "code": language.code,
                "confidence": language.confidence,
                "source": language.source,
                "low_confidence": is_low_confidence(language),
            }
            if language
            else None
        ),
        "region": routing.region if routing else None,
        "queue": routing.queue if routing else None,
        "translation": (
            {
                "status": translation.status.value,
                "target": translation.target,
                "provider": translation.provider,
                "subject": translation.subject,
                "description": translation.description,
                **({"reason": translation.reason} if translation.reason else {}),
            }
            if translation
            else None
        ),
        "sla": (
            {
                "first_response_due": routing.sla.first_response_due,
                "resolution_due": routing.sla.resolution_due,
                "eta": {"from": routing.sla.eta_from, "to": routing.sla.eta_to},
            }
            if routing
            else None
        ),
        "messages": [agent_view(message) if agent else requester_view(message) for message in messages],
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
    }
    return view
