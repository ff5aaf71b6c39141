"""A new ticket as the domain receives it, once the HTTP contract has validated the request
(chalicelib/api/contract/requests.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.domain.ticket import Evidence, Requester

# The longest texts a ticket carries: the contract refuses longer ones, and translation (chunked
# under each provider's limit) and storage are sized for these.
MAX_SUBJECT = 200
MAX_DESCRIPTION = 10_000


@dataclass(frozen=True)
class NewTicket:
    description: str
    subject: str | None
    category: str
    requester: Requester
    evidence: tuple[Evidence, ...]

    def fingerprint_fields(self) -> dict[str, Any]:
        """What an idempotent replay must repeat exactly."""
        return {
            "subject": self.subject,
            "description": self.description,
            "category": self.category,
            "requester": vars(self.requester),
            "evidence": [vars(item) for item in self.evidence],
        }
