"""The requester's token rotation answer (POST /tickets/{id}/access-token)."""

from __future__ import annotations

from pydantic import Field

from chalicelib.api.contract.answers import TicketId
from chalicelib.api.contract.base import ViewModel


class AccessTokenRotated(ViewModel):
    """The new token; the one sent with the request no longer opens the ticket."""

    ticket_id: str = TicketId
    access_token: str = Field(description="Shown once; send as 'Authorization: Bearer <token>' from now on")
