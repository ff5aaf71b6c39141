"""Evidence uploads' rows of /openapi.json's route table (api/openapi.py adds them to its own)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.contract.evidence import EvidenceFile, EvidenceUploadGranted, NewEvidence
from chalicelib.domain.evidence import CONTENT_TYPES, MAX_BYTES, MAX_FILES

if TYPE_CHECKING:
    from chalicelib.api.openapi import Operation

UPLOAD_HOWTO = (
    "The answer's `upload` is an HTML form POST straight to storage: send every entry of `fields` "
    "as a form field, unchanged, then the file as the field `file` (last), to `url` before "
    "`expires_at`; storage refuses another size range, type or key. Then confirm. "
    f"Types: {', '.join(CONTENT_TYPES)}; at most {MAX_BYTES} bytes and {MAX_FILES} files a ticket."
)


def evidence_operations() -> tuple[Operation, ...]:
    from chalicelib.api.openapi import TICKET_ID, Answer, Operation, Parameter, refused

    unknown = refused("Unknown ticket, or a missing, wrong or agent's token (the same answer)")
    return (
        Operation(
            "post",
            "/tickets/{ticket_id}/evidence",
            "requestEvidenceUpload",
            "The requester asks to attach a file (screenshot, screen recording, PDF): a presigned upload",
            {
                "201": Answer("A pending entry and its upload form (valid 15 minutes)", EvidenceUploadGranted),
                "400": refused("Invalid body, unsupported_type, too_large or empty_file; nothing stored"),
                "404": unknown,
                "409": refused(f"too_many_files: the ticket holds {MAX_FILES} files (or uploads still open)"),
            },
            request=NewEvidence,
            security=("accessToken",),
            parameters=(TICKET_ID,),
            extra={"description": UPLOAD_HOWTO},
        ),
        Operation(
            "post",
            "/tickets/{ticket_id}/evidence/{evidence_id}/confirm",
            "confirmEvidenceUpload",
            "The requester confirms an upload: storage must hold the file with the declared type and a "
            "size within the limit. Confirming again answers the same entry",
            {
                "200": Answer("The entry, uploaded, with the size storage holds", EvidenceFile),
                "404": refused("Unknown ticket or evidence, or a missing, wrong or agent's token"),
                "409": refused("not_uploaded: storage has no file yet; or too_many_files"),
                "422": refused("upload_mismatch: the stored file has another type, or a size out of bounds"),
            },
            security=("accessToken",),
            parameters=(TICKET_ID, Parameter("evidence_id", "path", str, required=True)),
        ),
    )
