"""The composition root's part for evidence uploads: the entries' store, the bucket, and the use
cases. A mixin of `Dependencies` (composition_root.py), which gives it the settings.

Evidence runs on real time, not the desk's clock: presigned requests expire on S3's clock, so
the local stage's movable clock must not open or close upload windows.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from chalicelib.domain.ticket import utc_now

if TYPE_CHECKING:
    from chalicelib.composition_root import Dependencies
    from chalicelib.domain.ports import Clock, EvidenceStorage
    from chalicelib.domain.repositories import EvidenceRepository
    from chalicelib.usecases.evidence import ConfirmUpload, ListEvidence, RequestUpload


class EvidenceUploads:
    @cached_property
    def evidence(self: Dependencies) -> EvidenceRepository:
        from chalicelib.adapters.dynamodb.evidence import DynamoDBEvidence

        return self._built("evidence", lambda: DynamoDBEvidence(self.settings.table_name))

    @cached_property
    def evidence_storage(self: Dependencies) -> EvidenceStorage:
        from chalicelib.adapters.evidence_storage import S3EvidenceStorage

        return self._built("evidence_storage", lambda: S3EvidenceStorage(self.settings.evidence_bucket))

    @cached_property
    def evidence_upload_origin(self: Dependencies) -> str:
        """Where browsers send evidence (for the requester page's CSP): the bucket's own host in
        AWS (`https://<bucket>.s3.<region>.amazonaws.com`), the emulator's origin locally. Read
        off a presigned form, which is signed locally: no AWS call."""
        from chalicelib.domain.evidence import object_key

        url = self.evidence_storage.presign_upload(object_key("origin", "probe"), "image/png", 1, 60).url
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    @cached_property
    def evidence_clock(self: Dependencies) -> Clock:
        """Real time (tests may override it as `evidence_clock`)."""
        return self._built("evidence_clock", lambda: utc_now)

    @cached_property
    def request_evidence_upload(self: Dependencies) -> RequestUpload:
        from chalicelib.usecases.evidence import RequestUpload

        return RequestUpload(self.evidence, self.evidence_storage, self.evidence_clock)

    @cached_property
    def confirm_evidence_upload(self: Dependencies) -> ConfirmUpload:
        from chalicelib.usecases.evidence import ConfirmUpload

        return ConfirmUpload(self.evidence, self.evidence_storage, self.evidence_clock)

    @cached_property
    def list_evidence(self: Dependencies) -> ListEvidence:
        from chalicelib.usecases.evidence import ListEvidence

        return ListEvidence(self.evidence, self.evidence_storage, self.evidence_clock)
