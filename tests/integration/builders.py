"""Tickets and queue helpers for the integration tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib import aws_resource_names
from chalicelib.domain.desk import deadlines
from chalicelib.domain.ids import hash_token, new_ticket_id
from chalicelib.domain.sla_policy import policy_for
from chalicelib.domain.ticket import (
    Desk,
    Evidence,
    Language,
    Requester,
    Routing,
    Status,
    Ticket,
    Translation,
    TranslationStatus,
    iso,
)
from tests.queues import take_messages

STAGE = "test"  # tests/conftest.py's TEST_STAGE
T0 = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def received_ticket(at: datetime = T0, **changes: Any) -> Ticket:
    """A ticket as intake stores it, created (and last moved) at `at`."""
    ticket_id = changes.pop("ticket_id", None) or new_ticket_id(int(at.timestamp() * 1000))
    fields: dict[str, Any] = {
        "ticket_id": ticket_id,
        "status": Status.RECEIVED,
        "version": 1,
        "created_at": iso(at),
        "updated_at": iso(at),
        "description": "Me cobraron dos veces la suscripción.",
        "subject": "Cobro doble",
        "token_hash": hash_token("token-" + ticket_id),
        "correlation_id": "corr-" + ticket_id[-6:],
        "category": "payment.charged_twice",
        "requester": Requester(id="u-1", locale="es-MX", country="MX"),
        "evidence": (Evidence("transaction_id", "TXN-1"),),
        "history": ({"at": iso(at), "from": "", "to": "received", "by": "intake"},),
    }
    fields.update(changes)
    return Ticket(**fields)


def detected(ticket: Ticket, at: datetime) -> Ticket:
    return ticket.advance(Status.DETECTED, at, "detect_language", language=Language("es", 0.97, "text"))


def translated(ticket: Ticket, at: datetime) -> Ticket:
    translation = Translation(TranslationStatus.DONE, "en", "google", "Double charge", "I was charged twice.")
    return ticket.advance(Status.TRANSLATED, at, "translate_ticket", translation=translation)


def routed(
    ticket: Ticket, at: datetime, region: str = "latam", priority: str = "high", due: datetime | None = None
) -> Ticket:
    sla = deadlines(
        policy_for(region).clock(priority, datetime.fromisoformat(ticket.created_at.replace("Z", "+00:00")))
    )
    if due is not None:
        sla = type(sla)(iso(due), sla.resolution_due, iso(due), sla.eta_to)
    routing = Routing(region, aws_resource_names.desk_queue_name(STAGE, region), priority, sla, "country")
    return ticket.advance(Status.ROUTED, at, "route_ticket", routing=routing, desk=Desk())


def seconds(count: float) -> timedelta:
    return timedelta(seconds=count)


def drain(name: str) -> list[dict[str, Any]]:
    """Every message body waiting on queue `name` (received and hidden for the test's length)."""
    return take_messages(name)
