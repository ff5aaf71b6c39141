"""Evidence uploads on the in-memory store and bucket: grant, confirm, list; and the ticket's
reading, where agents alone get download links."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.adapters.in_memory import InMemoryEvidenceStorage
from chalicelib.composition_root import Dependencies
from chalicelib.domain.evidence import (
    MAX_BYTES,
    MAX_FILES,
    UPLOAD_WINDOW,
    EvidenceNotFound,
    EvidenceStatus,
    InvalidEvidence,
    NotUploadedYet,
    TooManyFiles,
    UploadMismatch,
)
from chalicelib.domain.ticket import Ticket
from tests.unit.usecases.fakes import StepClock, on_the_desk, with_parts

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


@pytest.fixture
def bucket() -> InMemoryEvidenceStorage:
    return InMemoryEvidenceStorage()


@pytest.fixture
def desk(deps: Dependencies, clock: StepClock, bucket: InMemoryEvidenceStorage) -> Dependencies:
    """The in-memory desk with an in-memory bucket, evidence on the test's clock."""
    return with_parts(deps, evidence_storage=bucket, evidence_clock=clock)


@pytest.fixture
def ticket(desk: Dependencies) -> Ticket:
    return on_the_desk(desk)


def test_a_grant_is_a_presigned_upload_of_the_exact_key_type_and_size_range(desk, ticket, bucket):
    # When the requester asks to attach a screenshot
    grant = desk.request_evidence_upload(ticket, "../Screen Shot.png", "image/png", 4096)

    # Then the bucket was asked for a form for this ticket's own key, the declared type and the limit
    assert bucket.granted == [
        {"key": grant.entry.key, "content_type": "image/png", "max_bytes": MAX_BYTES, "expires_in": 900}
    ]
    assert grant.entry.key == f"tickets/{ticket.ticket_id}/{grant.entry.evidence_id}"
    assert (grant.max_bytes, grant.expires_at) == (MAX_BYTES, "2030-01-02T03:19:05.000Z")
    # And a pending entry is stored, its name kept without the path
    stored = desk.evidence.get(ticket.ticket_id, grant.entry.evidence_id)
    assert stored == grant.entry
    assert (stored.status, stored.filename) == (EvidenceStatus.PENDING, "Screen Shot.png")


def test_a_refused_declaration_stores_nothing(desk, ticket, bucket):
    with pytest.raises(InvalidEvidence):
        desk.request_evidence_upload(ticket, "page.html", "text/html", 10)
    with pytest.raises(InvalidEvidence):
        desk.request_evidence_upload(ticket, "film.mp4", "video/mp4", MAX_BYTES + 1)
    assert desk.evidence.for_ticket(ticket.ticket_id) == []
    assert bucket.granted == []


def test_a_confirmation_reads_the_bucket_and_is_idempotent(desk, ticket, bucket, clock):
    grant = desk.request_evidence_upload(ticket, "shot.png", "image/png", 4096)

    # Before the upload: not there yet
    with pytest.raises(NotUploadedYet):
        desk.confirm_evidence_upload(ticket, grant.entry.evidence_id)

    # After it: uploaded, with the bucket's size
    bucket.put(grant.entry.key, "image/png", PNG)
    clock.advance(timedelta(minutes=2))
    entry = desk.confirm_evidence_upload(ticket, grant.entry.evidence_id)
    assert (entry.status, entry.size, entry.uploaded_at) == (
        EvidenceStatus.UPLOADED,
        len(PNG),
        "2030-01-02T03:06:05.000Z",
    )

    # And confirming again answers the same entry, writing nothing
    assert desk.confirm_evidence_upload(ticket, grant.entry.evidence_id) == entry
    assert desk.evidence.get(ticket.ticket_id, grant.entry.evidence_id) == entry


def test_an_object_of_another_type_is_refused_and_the_entry_stays_pending(desk, ticket, bucket):
    grant = desk.request_evidence_upload(ticket, "shot.png", "image/png", 4096)
    bucket.put(grant.entry.key, "text/html", b"<script>alert(1)</script>")

    with pytest.raises(UploadMismatch):
        desk.confirm_evidence_upload(ticket, grant.entry.evidence_id)
    assert desk.evidence.get(ticket.ticket_id, grant.entry.evidence_id).status is EvidenceStatus.PENDING


def test_evidence_of_another_ticket_is_not_found(desk, ticket, bucket):
    other = on_the_desk(desk)
    grant = desk.request_evidence_upload(other, "shot.png", "image/png", 10)
    bucket.put(grant.entry.key, "image/png", PNG)

    with pytest.raises(EvidenceNotFound):
        desk.confirm_evidence_upload(ticket, grant.entry.evidence_id)


def test_twenty_files_fill_a_ticket_until_an_open_grant_lapses(desk, ticket, clock):
    for number in range(MAX_FILES):
        desk.request_evidence_upload(ticket, f"shot-{number}.png", "image/png", 10)

    with pytest.raises(TooManyFiles):
        desk.request_evidence_upload(ticket, "one-more.png", "image/png", 10)

    # None was uploaded: once their forms expire, the slots are free again
    clock.advance(UPLOAD_WINDOW + timedelta(seconds=1))
    assert desk.request_evidence_upload(ticket, "one-more.png", "image/png", 10).entry.status == "pending"


def test_the_listing_hides_lapsed_grants_and_links_uploaded_files_for_agents_only(desk, ticket, bucket, clock):
    # Given an uploaded file, an open grant and a lapsed one
    lapsed = desk.request_evidence_upload(ticket, "lapsed.png", "image/png", 10)
    clock.advance(UPLOAD_WINDOW + timedelta(seconds=1))
    done = desk.request_evidence_upload(ticket, "done.pdf", "application/pdf", 10)
    bucket.put(done.entry.key, "application/pdf", b"%PDF-1.7")
    desk.confirm_evidence_upload(ticket, done.entry.evidence_id)
    clock.advance(timedelta(seconds=1))
    open_grant = desk.request_evidence_upload(ticket, "open.webm", "video/webm", 10)

    # When the requester reads the ticket, then an agent
    for_requester = desk.read_ticket(ticket).evidence
    for_agent = desk.read_ticket(ticket, "en", agent=True).evidence

    # Then both see the uploaded file and the open grant, oldest first; not the lapsed one
    ids = [done.entry.evidence_id, open_grant.entry.evidence_id]
    assert [listing.entry.evidence_id for listing in for_requester] == ids
    assert [listing.entry.evidence_id for listing in for_agent] == ids
    assert lapsed.entry.evidence_id not in ids
    # And only the agent has a link, to the uploaded file, as an attachment for 5 minutes
    assert [listing.download_url for listing in for_requester] == [None, None]
    link = for_agent[0].download_url
    assert link is not None and done.entry.key in link
    assert "attachment" in link and "expires=300" in link
    assert for_agent[1].download_url is None
