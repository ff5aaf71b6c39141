"""The evidence bucket: where requesters' screenshots, recordings and PDFs live.

Private and locked: encrypted at rest (SSE-S3), every public access blocked, ACLs disabled
(bucket owner enforced), objects expire `EXPIRE_AFTER_DAYS` after upload and incomplete
multipart uploads are aborted after a day. The only way in is a presigned request the API signs
(adapters/evidence_storage.py), so CORS allows one thing: a POST from the pages' origin, the
browser's upload.

Names: the local stage and the tests use `polyglot-desk-<stage>-evidence`; a deployed stage
appends the account id (bucket names are global), unless EVIDENCE_BUCKET names the bucket when
packaging (the API's function gets the name from the template either way).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from chalicelib import aws_resource_names
from chalicelib.domain.evidence import KEY_PREFIX

LOGICAL_ID = "EvidenceBucket"
ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS = 1
# Over a year: a ticket's evidence outlives its SLA, reopenings and a yearly review; then it goes
# (the ticket keeps the entry's name, type and size, its download link is gone).
EXPIRE_AFTER_DAYS = 400
CORS_MAX_AGE_SECONDS = 3000
# The local stack serves the pages on 127.0.0.1 or localhost, on whatever port it was given.
LOCAL_ORIGINS = ("http://127.0.0.1:*", "http://localhost:*")
# The API's own origin once deployed (Chalice's REST API is the logical id RestAPI).
API_ORIGIN = {"Fn::Sub": "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}


def bucket_override() -> str | None:
    return (os.environ.get("EVIDENCE_BUCKET") or "").strip() or None


def public_origin() -> str | None:
    """PUBLIC_BASE_URL's origin (scheme://host[:port]), when it is set while packaging."""
    raw = (os.environ.get("PUBLIC_BASE_URL") or "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def local_bucket(stage: str) -> dict[str, Any]:
    """The bucket as the tests and the local stack create it (infra/apply.py)."""
    name = bucket_override() or aws_resource_names.evidence_bucket_name(stage)
    origin = public_origin()
    return evidence_bucket_resource(name, [*LOCAL_ORIGINS, *([origin] if origin else [])])


def deployed_bucket(stage: str) -> dict[str, Any]:
    """The bucket as a deployed stage has it: the account in its name, CORS for the API's origin
    (and PUBLIC_BASE_URL's, when the pages are served from another host)."""
    name: Any = bucket_override() or {"Fn::Sub": aws_resource_names.evidence_bucket_name(stage, "${AWS::AccountId}")}
    origin = public_origin()
    return evidence_bucket_resource(name, [API_ORIGIN, *([origin] if origin else [])])


def evidence_bucket_resource(name: Any, origins: list[Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "BucketName": name,
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "Id": "abort-incomplete-uploads",
                        "Status": "Enabled",
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS},
                    },
                    {
                        "Id": "expire-evidence",
                        "Status": "Enabled",
                        "Prefix": KEY_PREFIX,
                        "ExpirationInDays": EXPIRE_AFTER_DAYS,
                    },
                ]
            },
            "CorsConfiguration": {
                "CorsRules": [
                    {
                        "Id": "browser-uploads",
                        "AllowedMethods": ["POST"],
                        "AllowedOrigins": origins,
                        "AllowedHeaders": ["*"],
                        "MaxAge": CORS_MAX_AGE_SECONDS,
                    }
                ]
            },
        },
    }


def policy_bucket_arn(stage: str) -> str:
    """The bucket in IAM policy files, which CloudFormation does not substitute into: the exact
    name under EVIDENCE_BUCKET, else the stage's name with a 12-character (account id) suffix."""
    name = bucket_override() or aws_resource_names.evidence_bucket_name(stage, "?" * 12)
    return f"arn:aws:s3:::{name}"


def api_statements(stage: str) -> list[dict[str, Any]]:
    """What the API's role needs: presigned POSTs (PutObject) and GETs and HeadObject (GetObject)
    on the tickets' keys; ListBucket so that a missing key answers 404, not 403."""
    bucket = policy_bucket_arn(stage)
    return [
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": f"{bucket}/{KEY_PREFIX}*"},
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": bucket},
    ]
