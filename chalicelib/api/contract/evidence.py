"""Evidence uploads' contract: the file a requester declares, the presigned upload they get back,
and each file as the ticket lists it.

The declared type and size are checked by the domain's rules (domain/evidence.check_declared)
so that the 400 names the rule (`unsupported_type`, `too_large`); the model checks the shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints

from chalicelib.api.contract.base import RequestModel, Timestamp, ViewModel
from chalicelib.api.contract.errors import validated
from chalicelib.api.contract.requests import _characters
from chalicelib.domain.evidence import (
    CONTENT_TYPES,
    MAX_BYTES,
    MAX_FILENAME,
    EvidenceListing,
    EvidenceStatus,
    check_declared,
)

if TYPE_CHECKING:  # the contract depends on the domain alone; the grant is only read
    from chalicelib.usecases.evidence import UploadGrant

# A name longer than this is refused rather than cut (the stored one is cut to MAX_FILENAME).
MAX_DECLARED_FILENAME = 1000
EvidenceId = Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$", description="A ULID")


def _media_type(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


class NewEvidence(RequestModel):
    """A file the requester is about to upload (straight to storage, with the answer's form)."""

    filename: Annotated[
        str,
        StringConstraints(min_length=1, max_length=MAX_DECLARED_FILENAME),
        BeforeValidator(_characters),
        Field(description=f"Shown to agents; kept printable, without a path, at most {MAX_FILENAME} characters"),
    ]
    content_type: Annotated[
        str,
        StringConstraints(max_length=100),
        BeforeValidator(_media_type),
        Field(json_schema_extra={"enum": list(CONTENT_TYPES)}, description="The file's exact media type"),
    ]
    size: int = Field(
        json_schema_extra={"minimum": 1, "maximum": MAX_BYTES},
        description="In bytes, as the browser reports it; storage enforces the real size",
    )


def parse_new_evidence(body: Any) -> NewEvidence:
    declared = validated(NewEvidence, body)
    check_declared(declared.content_type, declared.size)
    return declared


class UploadFormView(ViewModel):
    """An HTML form POST to storage: every field of `fields`, then the file as `file`, last."""

    url: str
    fields: dict[str, str] = Field(description="Send each as a form field, unchanged, before the file")


class EvidenceUploadGranted(ViewModel):
    """Upload the file with `upload` before `expires_at`, then confirm it."""

    evidence_id: str = EvidenceId
    upload: UploadFormView
    max_bytes: int = Field(description="Storage refuses a larger file")
    expires_at: Timestamp = Field(description="The form is refused after this")

    @classmethod
    def of(cls, grant: UploadGrant) -> EvidenceUploadGranted:
        return cls(
            evidence_id=grant.entry.evidence_id,
            upload=UploadFormView(url=grant.form.url, fields=dict(grant.form.fields)),
            max_bytes=grant.max_bytes,
            expires_at=grant.expires_at,
        )


class EvidenceFile(ViewModel):
    """A file attached to the ticket: pending until its upload is confirmed."""

    evidence_id: str = EvidenceId
    filename: str
    content_type: str
    size: int = Field(description="In bytes: as stored once uploaded, as declared while pending")
    status: EvidenceStatus
    uploaded_at: Timestamp | None
    download_url: str | None = Field(
        description="Agents only, for uploaded files: a link valid for 5 minutes that downloads the "
        "file as an attachment; null for the requester"
    )

    @classmethod
    def of(cls, listing: EvidenceListing, with_link: bool = False) -> EvidenceFile:
        """`with_link`: the reader is an agent (a requester never gets a link, whatever is given)."""
        entry = listing.entry
        return cls(
            evidence_id=entry.evidence_id,
            filename=entry.filename,
            content_type=entry.content_type,
            size=entry.size if entry.size is not None else entry.declared_size,
            status=entry.status,
            uploaded_at=entry.uploaded_at,
            download_url=listing.download_url if with_link else None,
        )
