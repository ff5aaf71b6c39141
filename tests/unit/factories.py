"""Small builders for domain objects, shared by the unit tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.ticket import Evidence, Language, Requester, Status, Ticket, iso

T0 = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def make_ticket(**changes: Any) -> Ticket:
    fields: dict[str, Any] = {
        "ticket_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
        "status": Status.RECEIVED,
        "version": 1,
        "created_at": iso(T0),
        "updated_at": iso(T0),
        "description": "Me cobraron dos veces la suscripción.",
        "subject": "Cobro doble",
        "token_hash": "0" * 64,
        "correlation_id": "corr-1",
        "category": "payment.charged_twice",
        "requester": Requester(id="u-1", locale="es-MX", country="MX"),
        "evidence": (Evidence("transaction_id", "TXN-1"),),
        "history": ({"at": iso(T0), "from": "", "to": "received", "by": "intake"},),
    }
    fields.update(changes)
    return Ticket(**fields)


def spanish(confidence: float = 0.97) -> Language:
    return Language("es", confidence, "text")
