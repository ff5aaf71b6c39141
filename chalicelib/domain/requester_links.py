"""The link in every notification: `<base>/t/<ticket id>#token=<link token>`.

The access token is shown once at intake and stored only as a hash, so notifications cannot
carry it; they carry a link token instead: an HMAC of the ticket id under the stage's key,
derived (never stored), opening that ticket's requester view and nothing else. It sits in the
URL fragment, which browsers never send to a server, so it is not in any access log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

PREFIX = "lt_"  # tells a link token from an access token or an agent token at a glance


def link_token(secret: str, ticket_id: str) -> str:
    digest = hmac.new(secret.encode(), f"requester-link:{ticket_id}".encode(), hashlib.sha256).digest()
    return PREFIX + base64.urlsafe_b64encode(digest[:24]).decode()


def link_token_matches(secret: str, ticket_id: str, candidate: str) -> bool:
    # isascii first: compare_digest raises on other text, and no link token has any.
    return candidate.isascii() and hmac.compare_digest(link_token(secret, ticket_id), candidate)


def ticket_page_link(base_url: str, ticket_id: str, secret: str | None) -> str:
    """The requester's page; without a key (no agent-token secret configured) the bare page."""
    page = f"{base_url}/t/{ticket_id}"
    return f"{page}#token={link_token(secret, ticket_id)}" if secret else page
