"""Who may open a ticket, as pure rules over a few facts read small (`TicketAccess`).

- The requester holds the access token shown once at intake (stored as a hash), or a newer one
  they rotated to; it stops opening the ticket `after_resolution` (30 days by default) once the
  desk resolved it, and works again if the ticket is reopened.
- An agent opens a ticket only once it sits on a desk they work (`Agent.works`).

The facts are read the same way whether the ticket exists or not, so that an unknown id and
somebody else's ticket cost the same (an outside probe told them apart by time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.ticket import DeskState, Ticket, parse_iso

REQUESTER_TOKEN_AFTER_RESOLUTION = timedelta(days=30)


@dataclass(frozen=True)
class TicketAccess:
    ticket_id: str
    token_hash: str  # the requester's current token: the latest rotation's, else intake's
    region: str | None  # None until the ticket is routed
    resolved_at: str | None  # when the desk resolved it; None unless it is resolved now
    rotations: int = 0  # how many times the requester rotated their token

    @classmethod
    def of(cls, ticket: Ticket, token_hash: str | None = None, rotations: int = 0) -> TicketAccess:
        return cls(
            ticket.ticket_id,
            token_hash or ticket.token_hash,
            ticket.routing.region if ticket.routing else None,
            resolved_since(ticket),
            rotations,
        )


def resolved_since(ticket: Ticket) -> str | None:
    """When the ticket was resolved, if it is resolved now (tickets resolved before the desk
    kept the moment: their last update)."""
    desk = ticket.desk
    if desk is None or desk.state is not DeskState.RESOLVED:
        return None
    return desk.resolved_at or ticket.updated_at


def requester_token_live(access: TicketAccess, now: datetime, after_resolution: timedelta) -> bool:
    if access.resolved_at is None:
        return True
    return now < parse_iso(access.resolved_at) + after_resolution
