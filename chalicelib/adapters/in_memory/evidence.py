"""domain/repositories.EvidenceRepository in a dictionary of the shared InMemoryDatabase, and
domain/ports.EvidenceStorage as a bucket in a dictionary (for the use cases' unit tests)."""

from __future__ import annotations

import copy
import threading
from typing import Any
from urllib.parse import quote, urlencode

from chalicelib.adapters.in_memory.tickets import InMemoryRepository
from chalicelib.domain.evidence import Evidence, StoredObject
from chalicelib.domain.ports import UploadForm
from chalicelib.domain.repositories import StaleTicket, TicketExists


class InMemoryEvidence(InMemoryRepository):
    @property
    def _stored(self) -> dict[tuple[str, str], dict[str, Any]]:
        return self.db.table("evidence")

    def add(self, evidence: Evidence) -> None:
        with self.db.lock:
            key = (evidence.ticket_id, evidence.evidence_id)
            if key in self._stored:
                raise TicketExists(evidence.evidence_id)
            self._stored[key] = copy.deepcopy(evidence.to_record())

    def get(self, ticket_id: str, evidence_id: str) -> Evidence | None:
        record = self._stored.get((ticket_id, evidence_id))
        return Evidence.from_record(copy.deepcopy(record)) if record else None

    def save(self, before: Evidence, after: Evidence) -> None:
        with self.db.lock:
            key = (before.ticket_id, before.evidence_id)
            stored = self._stored.get(key)
            if stored is None or stored["version"] != before.version:
                raise StaleTicket(before.evidence_id)
            self._stored[key] = copy.deepcopy(after.to_record())

    def for_ticket(self, ticket_id: str) -> list[Evidence]:
        # Ids are ULIDs: sorted by id is oldest first, as the table's sort key reads them.
        found = sorted((key, record) for key, record in list(self._stored.items()) if key[0] == ticket_id)
        return [Evidence.from_record(copy.deepcopy(record)) for _, record in found]


class InMemoryEvidenceStorage:
    """A bucket in a dictionary. `put` plays the browser's upload; the presigned requests are
    plain descriptions (nothing signs them), enough to check what a use case asked for."""

    url = "https://evidence.invalid/"

    def __init__(self) -> None:
        self.objects: dict[str, tuple[str, bytes]] = {}
        self.granted: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def put(self, key: str, content_type: str, body: bytes) -> None:
        with self._lock:
            self.objects[key] = (content_type, body)

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> UploadForm:
        self.granted.append(
            {"key": key, "content_type": content_type, "max_bytes": max_bytes, "expires_in": expires_in}
        )
        return UploadForm(self.url, {"key": key, "Content-Type": content_type, "policy": f"max={max_bytes}"})

    def head(self, key: str) -> StoredObject | None:
        found = self.objects.get(key)
        return StoredObject(found[0], len(found[1])) if found else None

    def presign_download(self, key: str, disposition: str, expires_in: int) -> str:
        query = urlencode({"response-content-disposition": disposition, "expires": expires_in})
        return f"{self.url}{quote(key)}?{query}"
