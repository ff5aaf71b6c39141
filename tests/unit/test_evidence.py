"""domain/evidence.py: what a requester may attach, how its name is kept, the per-ticket limit,
and what a confirmation accepts from the bucket."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.evidence import (
    CONTENT_TYPES,
    MAX_BYTES,
    MAX_FILENAME,
    MAX_FILES,
    UPLOAD_WINDOW,
    Evidence,
    EvidenceStatus,
    InvalidEvidence,
    NotUploadedYet,
    StoredObject,
    TooManyFiles,
    UploadMismatch,
    check_declared,
    confirmed,
    download_disposition,
    new_evidence,
    object_key,
    sanitize_filename,
    slots_taken,
)
from chalicelib.domain.ids import new_ticket_id

T0 = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
TICKET = "01JABCDEFGHJKMNPQRSTVWXYZ0"


def pending(at: datetime = T0, content_type: str = "image/png", size: int = 1000) -> Evidence:
    return new_evidence(TICKET, new_ticket_id(), "screenshot.png", content_type, size, at)


def uploaded(at: datetime = T0) -> Evidence:
    entry = pending(at)
    return confirmed(entry, StoredObject("image/png", 999), at)


# --- what may be declared -----------------------------------------------------------------------


def test_the_allowed_types_are_images_short_videos_and_pdf():
    assert set(CONTENT_TYPES) == {
        "image/png",
        "image/jpeg",
        "image/webp",
        "image/gif",
        "video/mp4",
        "video/webm",
        "video/quicktime",
        "application/pdf",
    }
    assert MAX_BYTES == 20 * 1024 * 1024


@pytest.mark.parametrize(
    ("content_type", "size", "code", "field"),
    [
        pytest.param("text/html", 10, "unsupported_type", "content_type", id="html"),
        pytest.param("image/svg+xml", 10, "unsupported_type", "content_type", id="svg"),
        pytest.param("application/octet-stream", 10, "unsupported_type", "content_type", id="binary"),
        pytest.param("image/png", 0, "empty_file", "size", id="empty"),
        pytest.param("image/png", MAX_BYTES + 1, "too_large", "size", id="one-byte-over"),
    ],
)
def test_a_declared_file_outside_the_rules_is_refused_naming_the_field(content_type, size, code, field):
    with pytest.raises(InvalidEvidence) as refused:
        check_declared(content_type, size)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_the_limit_itself_is_allowed():
    check_declared("video/mp4", MAX_BYTES)
    check_declared("application/pdf", 1)


# --- names -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        pytest.param("screenshot.png", "screenshot.png", id="plain"),
        pytest.param("../../etc/passwd", "passwd", id="unix-path"),
        pytest.param("C:\\Users\\ana\\Desktop\\error.jpg", "error.jpg", id="windows-path"),
        pytest.param("a\x00b\x07c\nd.png", "abcd.png", id="controls"),
        pytest.param("invoice\u202egnp.exe", "invoicegnp.exe", id="bidi-override"),
        pytest.param('say "hi".pdf', "say _hi_.pdf", id="quotes"),
        pytest.param("  many   spaces .png ", "many spaces .png", id="spaces"),
        pytest.param("..", "evidence", id="dots-only"),
        pytest.param("/", "evidence", id="separator-only"),
        pytest.param(".hidden.png", "hidden.png", id="leading-dot"),
        pytest.param("スクリーンショット.png", "スクリーンショット.png", id="japanese"),
    ],
)
def test_a_filename_is_kept_printable_without_a_path(raw, kept):
    assert sanitize_filename(raw) == kept


def test_a_long_filename_is_cut_to_200_characters_keeping_its_extension():
    name = sanitize_filename("x" * 500 + ".webm")
    assert len(name) == MAX_FILENAME
    assert name.endswith(".webm")
    assert len(sanitize_filename("y" * 300)) == MAX_FILENAME


def test_a_download_is_an_attachment_with_the_name_in_ascii_and_utf8():
    disposition = download_disposition("スクショ 1.png")
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''%E3%82%B9%E3%82%AF%E3%82%B7%E3%83%A7%201.png" in disposition
    assert '"' not in disposition.split('filename="', 1)[1].split('"', 1)[0]


# --- a new entry and the limit -------------------------------------------------------------------


def test_a_granted_upload_is_a_pending_entry_under_the_tickets_own_key():
    entry = pending()
    assert entry.status is EvidenceStatus.PENDING
    assert entry.key == object_key(TICKET, entry.evidence_id) == f"tickets/{TICKET}/{entry.evidence_id}"
    assert entry.upload_expires_at == "2030-01-02T03:19:05.000Z"  # 15 minutes
    assert Evidence.from_record(entry.to_record()) == entry


def test_uploaded_files_and_open_grants_count_towards_the_limit_lapsed_grants_do_not():
    lapsed = pending(T0 - UPLOAD_WINDOW - timedelta(seconds=1))
    entries = [uploaded(), pending(), lapsed]
    assert slots_taken(entries, T0) == 2


def test_the_21st_file_is_refused():
    entries = [uploaded() for _ in range(MAX_FILES - 1)] + [pending()]
    with pytest.raises(TooManyFiles):
        new_evidence(TICKET, new_ticket_id(), "one-more.png", "image/png", 10, T0, entries)
    # a grant that lapsed frees its slot
    lapsed = [*entries[:-1], pending(T0 - 2 * UPLOAD_WINDOW)]
    assert new_evidence(TICKET, new_ticket_id(), "one-more.png", "image/png", 10, T0, lapsed).status == "pending"


# --- confirmation --------------------------------------------------------------------------------


def test_a_confirmation_takes_the_size_the_bucket_holds():
    entry = pending(size=5000)
    after = confirmed(entry, StoredObject("image/png", 4321), T0 + timedelta(minutes=1))
    assert (after.status, after.size, after.uploaded_at, after.version) == (
        EvidenceStatus.UPLOADED,
        4321,
        "2030-01-02T03:05:05.000Z",
        entry.version + 1,
    )
    assert confirmed(after, None, T0) is after  # confirming again changes nothing


def test_nothing_in_the_bucket_yet_is_not_a_confirmation():
    with pytest.raises(NotUploadedYet):
        confirmed(pending(), None, T0)


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param(StoredObject("text/html", 10), id="another-type"),
        pytest.param(StoredObject("", 10), id="untyped"),
        pytest.param(StoredObject("image/png", MAX_BYTES + 1), id="too-large"),
        pytest.param(StoredObject("image/png", 0), id="empty"),
    ],
)
def test_an_object_that_is_not_what_was_declared_is_refused(stored):
    with pytest.raises(UploadMismatch):
        confirmed(pending(), stored, T0)


def test_a_type_with_parameters_is_still_its_type():
    assert confirmed(pending(), StoredObject("Image/PNG; charset=binary", 10), T0).uploaded


def test_a_lapsed_grant_cannot_be_confirmed_into_a_full_ticket():
    with pytest.raises(TooManyFiles):
        confirmed(pending(), StoredObject("image/png", 10), T0, uploaded_before=MAX_FILES)


def test_a_record_round_trips_once_uploaded():
    entry = uploaded()
    assert Evidence.from_record(entry.to_record()) == entry
    assert Evidence.from_record({**entry.to_record(), "size": "999", "version": "2"}) == replace(entry)


# --- the bucket's name -------------------------------------------------------------------------


def test_the_bucket_is_named_after_the_stage_unless_evidence_bucket_says_otherwise():
    from chalicelib.settings import Settings, SettingsError

    assert Settings.from_env({"APP_STAGE": "dev"}).evidence_bucket == "polyglot-desk-dev-evidence"
    given = Settings.from_env({"APP_STAGE": "dev", "EVIDENCE_BUCKET": "acme-desk-evidence.eu"})
    assert given.evidence_bucket == "acme-desk-evidence.eu"
    for bad in ("Upper-Case", "ab", "a..b", "-leading", "x" * 64):
        with pytest.raises(SettingsError, match="EVIDENCE_BUCKET"):
            Settings.from_env({"APP_STAGE": "dev", "EVIDENCE_BUCKET": bad})
