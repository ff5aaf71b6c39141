"""domain/ports.EvidenceStorage on S3: the evidence bucket, reached through presigned requests.

The API never carries a file. It signs a POST the browser sends straight to the bucket (its
conditions make S3 refuse another key, another Content-Type or a size out of range), reads the
object's head to confirm an upload, and signs short GETs for agents. Signing is local (no AWS
call); a presigned request carries the signer's permissions, so the API's role may write and
read `tickets/*` of this one bucket and nothing else.

Addressing: in AWS virtual-hosted and regional (`https://<bucket>.s3.<region>.amazonaws.com/`,
also in us-east-1), so the upload origin is one fixed host a page's CSP can name; against an
emulator (AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_S3: moto, ministack) path-style, since
`<bucket>.127.0.0.1` resolves nowhere.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from chalicelib.domain.evidence import StoredObject
from chalicelib.domain.ports import UploadForm

_MISSING = {"404", "NoSuchKey", "NotFound"}


def custom_endpoint() -> str | None:
    """The emulator S3 is reached at, if any (boto3 reads the same variables)."""
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None


class S3EvidenceStorage:
    def __init__(self, bucket: str) -> None:
        self.bucket = bucket
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def _s3(self) -> Any:
        # Built on first use (moto must be running first); its own client, because presigned
        # URLs depend on the addressing style and signature version set here.
        if self._client is None:
            with self._lock:
                if self._client is None:
                    style = "path" if custom_endpoint() else "virtual"
                    config = Config(
                        signature_version="s3v4",
                        s3={"addressing_style": style, "us_east_1_regional_endpoint": "regional"},
                        connect_timeout=3,
                        read_timeout=10,
                        retries={"mode": "standard", "max_attempts": 4},
                    )
                    self._client = boto3.session.Session().client("s3", config=config)
        return self._client

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> UploadForm:
        # boto3 adds the bucket and the exact key to the policy's conditions itself.
        post = self._s3.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_in,
        )
        return UploadForm(url=post["url"], fields={name: str(value) for name, value in post["fields"].items()})

    def head(self, key: str) -> StoredObject | None:
        try:
            answer = self._s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            # A missing key is 404 only with s3:ListBucket on the bucket (403 otherwise): the
            # API's policy grants it, so a 403 here is a real refusal and is raised.
            if str(error.response.get("Error", {}).get("Code", "")) in _MISSING:
                return None
            raise
        return StoredObject(content_type=str(answer.get("ContentType") or ""), size=int(answer["ContentLength"]))

    def presign_download(self, key: str, disposition: str, expires_in: int) -> str:
        return str(
            self._s3.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": key, "ResponseContentDisposition": disposition},
                ExpiresIn=expires_in,
            )
        )
