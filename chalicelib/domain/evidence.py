"""Evidence a requester attaches to their ticket: screenshots, short screen recordings, PDFs.

The file never passes through the API. The requester asks for an upload (`new_evidence`: the
declared name, type and size are checked against `data/evidence.json`), gets a presigned POST
scoped to one object key (`object_key`: `tickets/<ticket id>/<evidence id>`) whose conditions
make S3 refuse any other size range, type or key, uploads straight to the bucket, then confirms.
The confirmation (`confirmed`) trusts only what the bucket says about the object (HeadObject):
its type must be the declared one and its size within the limit. Agents read an uploaded file
through a presigned GET of a few minutes that downloads it as an attachment, never inline.

A ticket holds at most `MAX_FILES` entries that count (`slots_taken`): the uploaded ones and the
pending ones whose upload window is still open.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from chalicelib.domain.catalog import load
from chalicelib.domain.ticket import iso, parse_iso

_DATA = load("evidence.json")
CONTENT_TYPES: tuple[str, ...] = tuple(_DATA["content_types"])
MAX_BYTES: int = int(_DATA["max_bytes"])
MAX_FILES: int = int(_DATA["max_files_per_ticket"])
UPLOAD_WINDOW = timedelta(seconds=int(_DATA["upload_window_seconds"]))
DOWNLOAD_WINDOW = timedelta(seconds=int(_DATA["download_window_seconds"]))
MAX_FILENAME = 200
FALLBACK_FILENAME = "evidence"
KEY_PREFIX = "tickets/"
# Path separators, and what would break a quoted Content-Disposition filename.
_UNSAFE = re.compile(r'[\\/"]')


class EvidenceStatus(StrEnum):
    PENDING = "pending"  # an upload was granted; the object may or may not be there yet
    UPLOADED = "uploaded"  # confirmed: the bucket holds the object, of the declared type


class InvalidEvidence(ValueError):
    """A declared file the desk does not take (type, size); `field` names what to fix."""

    def __init__(self, code: str, message: str, field: str) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


class TooManyFiles(RuntimeError):
    """The ticket holds MAX_FILES files (or grants still open) already."""


class EvidenceNotFound(LookupError):
    """No such evidence on this ticket."""


class NotUploadedYet(RuntimeError):
    """A confirmation came before the object reached the bucket."""


class UploadMismatch(RuntimeError):
    """The object in the bucket is not what was declared (type) or is out of bounds (size)."""


@dataclass(frozen=True)
class StoredObject:
    """What the bucket says about an uploaded object (HeadObject)."""

    content_type: str
    size: int


@dataclass(frozen=True)
class Evidence:
    ticket_id: str
    evidence_id: str
    filename: str  # sanitized: printable, no path, at most MAX_FILENAME characters
    content_type: str  # as declared, and (once uploaded) as the bucket holds it
    declared_size: int
    status: EvidenceStatus
    created_at: str
    upload_expires_at: str  # the presigned POST's expiry
    size: int | None = None  # from the bucket, once uploaded
    uploaded_at: str | None = None
    version: int = 1

    @property
    def key(self) -> str:
        return object_key(self.ticket_id, self.evidence_id)

    @property
    def uploaded(self) -> bool:
        return self.status is EvidenceStatus.UPLOADED

    def open_for_upload(self, now: datetime) -> bool:
        return self.status is EvidenceStatus.PENDING and parse_iso(self.upload_expires_at) > now

    def to_record(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status.value}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Evidence:
        size = record.get("size")
        return cls(
            **{
                **record,
                "status": EvidenceStatus(record["status"]),
                "declared_size": int(record["declared_size"]),
                "size": None if size is None else int(size),
                "version": int(record.get("version", 1)),
            }
        )


@dataclass(frozen=True)
class EvidenceListing:
    """An entry as a reader sees it: agents get a short-lived download link to uploaded files."""

    entry: Evidence
    download_url: str | None = None


def object_key(ticket_id: str, evidence_id: str) -> str:
    """The one key an upload may write: under the ticket's own prefix."""
    return f"{KEY_PREFIX}{ticket_id}/{evidence_id}"


def is_allowed_type(content_type: str) -> bool:
    return content_type in CONTENT_TYPES


def sanitize_filename(raw: str) -> str:
    """The name to show and to offer on download: the last path segment, printable characters
    only (no controls, no bidi overrides, no quotes), spaces collapsed, at most MAX_FILENAME
    characters with the extension kept; `evidence` when nothing is left."""
    name = re.split(r"[\\/]", raw)[-1]
    name = "".join(
        char
        for char in unicodedata.normalize("NFC", name)
        if char.isprintable() and unicodedata.category(char) not in {"Cf", "Cs", "Co"}
    )
    name = re.sub(r"\s+", " ", _UNSAFE.sub("_", name)).strip().lstrip(".")
    if not name:
        return FALLBACK_FILENAME
    if len(name) > MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and 0 < len(extension) <= 16:
            name = stem[: MAX_FILENAME - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:MAX_FILENAME].rstrip()
    return name


def check_declared(content_type: str, size: int) -> None:
    """InvalidEvidence unless the type is allowed and the size is 1..MAX_BYTES."""
    if not is_allowed_type(content_type):
        raise InvalidEvidence(
            "unsupported_type", f"content_type must be one of {', '.join(CONTENT_TYPES)}", "content_type"
        )
    if size < 1:
        raise InvalidEvidence("empty_file", "size must be at least 1 byte", "size")
    if size > MAX_BYTES:
        raise InvalidEvidence("too_large", f"size is {size} bytes; the limit is {MAX_BYTES}", "size")


def slots_taken(entries: Iterable[Evidence], now: datetime) -> int:
    """Entries that count towards MAX_FILES: uploaded, or pending with the upload still open."""
    return sum(1 for entry in entries if entry.uploaded or entry.open_for_upload(now))


def new_evidence(
    ticket_id: str,
    evidence_id: str,
    filename: str,
    content_type: str,
    size: int,
    now: datetime,
    existing: Iterable[Evidence] = (),
) -> Evidence:
    """A pending entry, for an upload granted now; InvalidEvidence or TooManyFiles otherwise."""
    check_declared(content_type, size)
    if slots_taken(existing, now) >= MAX_FILES:
        raise TooManyFiles(f"a ticket holds at most {MAX_FILES} files")
    return Evidence(
        ticket_id=ticket_id,
        evidence_id=evidence_id,
        filename=sanitize_filename(filename),
        content_type=content_type,
        declared_size=size,
        status=EvidenceStatus.PENDING,
        created_at=iso(now),
        upload_expires_at=iso(now + UPLOAD_WINDOW),
    )


def confirmed(entry: Evidence, stored: StoredObject | None, now: datetime, uploaded_before: int = 0) -> Evidence:
    """The entry once the bucket shows its object: uploaded, with the bucket's size.

    An entry confirmed already is returned unchanged (a repeated confirmation). Raises
    NotUploadedYet when the bucket has no object, UploadMismatch when it holds another type or
    a size out of bounds, TooManyFiles when `uploaded_before` (the ticket's other uploaded
    files) leaves no room (a grant that lapsed unconfirmed while newer ones filled the ticket).
    """
    if entry.uploaded:
        return entry
    if stored is None:
        raise NotUploadedYet(entry.evidence_id)
    if _media_type(stored.content_type) != entry.content_type:
        raise UploadMismatch(f"the uploaded file is {stored.content_type or 'untyped'}, not {entry.content_type}")
    if not 1 <= stored.size <= MAX_BYTES:
        raise UploadMismatch(f"the uploaded file is {stored.size} bytes; the limit is 1 to {MAX_BYTES}")
    if uploaded_before >= MAX_FILES:
        raise TooManyFiles(f"a ticket holds at most {MAX_FILES} files")
    return replace(
        entry,
        status=EvidenceStatus.UPLOADED,
        size=stored.size,
        uploaded_at=iso(now),
        version=entry.version + 1,
    )


def _media_type(content_type: str) -> str:
    """`image/png; charset=binary` -> `image/png` (parameters never make another type)."""
    return content_type.split(";", 1)[0].strip().lower()


def download_disposition(filename: str) -> str:
    """Content-Disposition of a download: `attachment`, never inline (an HTML or SVG file posing
    as evidence must not render in the agent's browser), the name as ASCII and as RFC 5987 UTF-8."""
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_") or FALLBACK_FILENAME
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
