"""The JSON shapes of a ticket the API returns (the HTTP contract in docs and /openapi.json)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chalicelib.domain.agent_tokens import Agent
from chalicelib.domain.conversation import Message, agent_view, requester_view
from chalicelib.domain.desk import sla_clock
from chalicelib.domain.eta import eta_window
from chalicelib.domain.routing import is_low_confidence
from chalicelib.domain.ticket import DeskState, Ticket, iso, utc_now


def ticket_view(
    ticket: Ticket,
    messages: Sequence[Message] = (),
    agent: Agent | None = None,
    *,
    now: datetime | None = None,
    open_ahead: int = 0,
    recent_first_responses: Sequence[float] = (),
) -> dict[str, Any]:
    """The ticket for its requester, or (with `agent`) for an agent: messages differ in which
    language they are shown in. `open_ahead` is the region's open tickets ahead of this one
    (the store counts them) and `recent_first_responses` the region's latest first-response
    times in minutes: together they set the ETA window."""
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
        "sla": sla_view(ticket, now or utc_now(), open_ahead, recent_first_responses) if routing else None,
        "desk": desk_view(ticket, for_agent=agent is not None) if ticket.desk else None,
        "messages": [agent_view(message) if agent else requester_view(message) for message in messages],
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
    }
    return view


def sla_view(
    ticket: Ticket, now: datetime, open_ahead: int, recent_first_responses: Sequence[float] = ()
) -> dict[str, Any]:
    """Deadlines from the SLA clock as of now. While the ticket waits on the requester the clock
    is stopped: `paused` is true and the deadlines not yet reached are null (domain/sla.py).

    `eta` is when the requester can expect the first answer: `sla.eta_window` from now to the
    first-response deadline, from the region's recent first-response times scaled by the queue
    ahead; with few recent answers it stays wide (up to the deadline), never a precise promise.
    Null once answered, resolved, or while paused."""
    clock = sla_clock(ticket)
    first_response, resolution = clock.first_response_due, clock.resolution_due
    desk = ticket.desk
    owed_first_answer = desk is None or (desk.first_responded_at is None and desk.state is not DeskState.RESOLVED)
    eta = None
    if owed_first_answer and first_response is not None:
        window = eta_window(now, first_response, open_ahead, list(recent_first_responses), None)
        eta = {"from": iso(window.earliest), "to": iso(window.latest)}
    return {
        "first_response_due": iso(first_response) if first_response else None,
        "resolution_due": iso(resolution) if resolution else None,
        "paused": clock.is_paused,
        "eta": eta,
    }


def desk_view(ticket: Ticket, for_agent: bool) -> dict[str, Any]:
    """Where the ticket is on the regional desk; agents also see who has it, the pauses and the
    desk events (the audit trail). The requester sees the state alone: agent names stay inside."""
    assert ticket.desk is not None
    if not for_agent:
        return {"state": ticket.desk.state.value, "first_responded_at": ticket.desk.first_responded_at}
    return {
        "state": ticket.desk.state.value,
        "assignee": ticket.desk.assignee,
        "first_responded_at": ticket.desk.first_responded_at,
        "pauses": [{"from": start, "to": end} for start, end in ticket.desk.pauses],
        "events": [
            {key: event[key] for key in ("at", "by", "from", "to", "note") if key in event}
            for event in ticket.history
            if event.get("kind") == "desk"
        ],
    }
