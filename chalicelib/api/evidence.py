"""Evidence uploads: the requester asks for a presigned upload, sends the file straight to storage,
then confirms it. Agents read the files in the ticket's view (GET /tickets/{id}).

Both routes take the requester's access token only; an agent's token, another ticket's token or
none answer the same 404 as an unknown ticket. The rules are in domain/evidence.py, the use
cases in usecases/evidence.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api import contract
from chalicelib.api.access import NotFound, open_ticket
from chalicelib.api.http import HttpError, answers_errors, json_response, read_json_body
from chalicelib.composition_root import Dependencies, dependencies
from chalicelib.domain.evidence import (
    EvidenceListing,
    EvidenceNotFound,
    InvalidEvidence,
    NotUploadedYet,
    TooManyFiles,
    UploadMismatch,
)
from chalicelib.domain.ids import is_ticket_id
from chalicelib.domain.ticket import Ticket

evidence_api = Blueprint(__name__)
# The confirmation has no body: a browser's fetch sends none, or text/plain.
_BODY_TYPES = ["application/json", "text/plain"]
_NO_STORE = {"Cache-Control": "no-store"}


def answers_evidence_errors(route: Callable[..., Response]) -> Callable[..., Response]:
    """The evidence rules' errors as the contract's error body (then the common ones)."""

    @functools.wraps(route)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return route(*args, **kwargs)
        except InvalidEvidence as error:
            raise HttpError(400, error.code, error.message, error.field) from None
        except TooManyFiles as error:
            raise HttpError(409, "too_many_files", str(error)) from None
        except EvidenceNotFound:
            raise HttpError(404, "not_found", "no such evidence") from None
        except NotUploadedYet:
            raise HttpError(
                409, "not_uploaded", "the file has not reached storage yet: upload it, then confirm"
            ) from None
        except UploadMismatch as error:
            raise HttpError(422, "upload_mismatch", str(error)) from None

    return answers_errors(wrapper)


def _requester_ticket(request: Request, ticket_id: str, deps: Dependencies) -> Ticket:
    """The ticket its requester's token opens; agents read evidence, they do not add it."""
    reader = open_ticket(request, ticket_id, deps)
    if not reader.is_requester:
        raise NotFound()
    return reader.ticket


@evidence_api.route("/tickets/{ticket_id}/evidence", methods=["POST"], content_types=_BODY_TYPES)
@answers_evidence_errors
def request_evidence_upload(ticket_id: str) -> Response:
    request, deps = evidence_api.current_request, dependencies()
    ticket = _requester_ticket(request, ticket_id, deps)
    declared = contract.parse_new_evidence(read_json_body(request))
    grant = deps.request_evidence_upload(ticket, declared.filename, declared.content_type, declared.size)
    return json_response(201, contract.EvidenceUploadGranted.of(grant).dump(), _NO_STORE)


@evidence_api.route("/tickets/{ticket_id}/evidence/{evidence_id}/confirm", methods=["POST"], content_types=_BODY_TYPES)
@answers_evidence_errors
def confirm_evidence_upload(ticket_id: str, evidence_id: str) -> Response:
    request, deps = evidence_api.current_request, dependencies()
    ticket = _requester_ticket(request, ticket_id, deps)
    if not is_ticket_id(evidence_id):  # a malformed id is as unknown as any other, and costs no read
        raise EvidenceNotFound(evidence_id)
    entry = deps.confirm_evidence_upload(ticket, evidence_id)
    return json_response(200, contract.EvidenceFile.of(EvidenceListing(entry)).dump(), _NO_STORE)
