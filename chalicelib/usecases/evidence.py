"""Evidence uploads: grant a presigned upload, confirm it from what the bucket holds, list a
ticket's files for its readers (agents with short-lived download links).

The rules (types, sizes, names, the per-ticket limit, what a confirmation accepts) are in
domain/evidence.py; the bucket is behind domain/ports.EvidenceStorage.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.evidence import (
    DOWNLOAD_WINDOW,
    MAX_BYTES,
    UPLOAD_WINDOW,
    Evidence,
    EvidenceListing,
    EvidenceNotFound,
    confirmed,
    download_disposition,
    new_evidence,
)
from chalicelib.domain.ids import new_ticket_id
from chalicelib.domain.ports import Clock, EvidenceStorage, UploadForm
from chalicelib.domain.repositories import EvidenceRepository, StaleTicket
from chalicelib.domain.ticket import Ticket


@dataclass(frozen=True)
class UploadGrant:
    entry: Evidence
    form: UploadForm
    max_bytes: int
    expires_at: str


@dataclass(frozen=True)
class RequestUpload:
    """A presigned POST for one file on the ticket, and its pending entry."""

    evidence: EvidenceRepository
    storage: EvidenceStorage
    clock: Clock

    def __call__(self, ticket: Ticket, filename: str, content_type: str, size: int) -> UploadGrant:
        now = self.clock()
        existing = self.evidence.for_ticket(ticket.ticket_id)
        evidence_id = new_ticket_id(int(now.timestamp() * 1000))  # a ULID: the ticket's files sort by age
        entry = new_evidence(ticket.ticket_id, evidence_id, filename, content_type, size, now, existing)
        form = self.storage.presign_upload(entry.key, entry.content_type, MAX_BYTES, int(UPLOAD_WINDOW.total_seconds()))
        self.evidence.add(entry)
        return UploadGrant(entry, form, MAX_BYTES, entry.upload_expires_at)


@dataclass(frozen=True)
class ConfirmUpload:
    """The entry once its object is in the bucket, of the declared type and within the size;
    confirming twice answers the same entry."""

    evidence: EvidenceRepository
    storage: EvidenceStorage
    clock: Clock

    def __call__(self, ticket: Ticket, evidence_id: str) -> Evidence:
        entry = self.evidence.get(ticket.ticket_id, evidence_id)
        if entry is None:
            raise EvidenceNotFound(evidence_id)
        if entry.uploaded:
            return entry
        stored = self.storage.head(entry.key)
        uploaded_before = 0
        if stored is not None:
            others = self.evidence.for_ticket(ticket.ticket_id)
            uploaded_before = sum(1 for other in others if other.uploaded and other.evidence_id != evidence_id)
        after = confirmed(entry, stored, self.clock(), uploaded_before)
        try:
            self.evidence.save(entry, after)
        except StaleTicket:
            # Another confirmation of the same object won the write: answer what it stored.
            latest = self.evidence.get(ticket.ticket_id, evidence_id)
            if latest is None or not latest.uploaded:
                raise
            return latest
        return after


@dataclass(frozen=True)
class ListEvidence:
    """The ticket's files worth showing: uploaded ones, and pending ones whose upload is still
    open. `links`: presigned downloads (attachment, a few minutes) for the uploaded ones."""

    evidence: EvidenceRepository
    storage: EvidenceStorage
    clock: Clock

    def __call__(self, ticket_id: str, links: bool = False) -> list[EvidenceListing]:
        now = self.clock()
        shown = [entry for entry in self.evidence.for_ticket(ticket_id) if entry.uploaded or entry.open_for_upload(now)]
        return [EvidenceListing(entry, self._link(entry) if links and entry.uploaded else None) for entry in shown]

    def _link(self, entry: Evidence) -> str:
        return self.storage.presign_download(
            entry.key, download_disposition(entry.filename), int(DOWNLOAD_WINDOW.total_seconds())
        )
