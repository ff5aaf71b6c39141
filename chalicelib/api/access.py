"""Who may read or write a ticket: its requester (access token) or an agent (signed token)."""

from __future__ import annotations

from dataclasses import dataclass

from chalice.app import Request

from chalicelib.api.http import HttpError, bearer_token
from chalicelib.domain.agent_tokens import Agent, InvalidAgentToken, verify_agent_token
from chalicelib.domain.ids import is_ticket_id, token_matches
from chalicelib.domain.ticket import Ticket, utc_now
from chalicelib.services import Services


class NotFound(HttpError):
    # One answer for an unknown id, a missing token and somebody else's token alike.
    def __init__(self) -> None:
        super().__init__(404, "not_found", "no such ticket")


@dataclass(frozen=True)
class Reader:
    ticket: Ticket
    agent: Agent | None  # None: the requester

    @property
    def is_requester(self) -> bool:
        return self.agent is None


def agent_from_token(token: str | None, services: Services) -> Agent | None:
    """The agent a bearer token names, or None when it is not a valid agent token."""
    secret = services.agent_token_secret
    if not token or "." not in token or secret is None:
        return None
    try:
        # Real time, not the desk's clock: a token's expiry is security, and the local stage's
        # movable clock must not expire (or revive) tokens.
        return verify_agent_token(token, secret, utc_now())
    except InvalidAgentToken:
        return None


def open_ticket(request: Request, ticket_id: str, services: Services) -> Reader:
    """The ticket and who is reading it; NotFound unless the token opens this very ticket."""
    token = bearer_token(request)
    # Shape checks first: a malformed id or a missing token costs no database read.
    if token is None or not is_ticket_id(ticket_id):
        raise NotFound()
    ticket = services.store.get(ticket_id)
    if ticket is None:
        raise NotFound()
    if token_matches(token, ticket.token_hash):
        return Reader(ticket, None)
    agent = agent_from_token(token, services)
    region = ticket.routing.region if ticket.routing else None
    if agent is not None and (region is None or agent.works(region)):
        return Reader(ticket, agent)
    raise NotFound()
