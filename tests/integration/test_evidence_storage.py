"""The evidence bucket as infra/ defines it, and the S3 adapter against it.

Two ways to reach moto: the in-process account of the `aws` fixture (what the pipeline tests
use), and a moto server on a local port, as the local stack runs it (AWS_ENDPOINT_URL, path-style
URLs), where a browser's upload is a real HTTP POST to another origin.
"""

from __future__ import annotations

import contextlib
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests

from chalicelib import aws_resource_names
from chalicelib.adapters.aws import client
from chalicelib.adapters.evidence_storage import S3EvidenceStorage
from chalicelib.domain.evidence import download_disposition
from infra.apply import create_resources
from infra.evidence_bucket import EXPIRE_AFTER_DAYS, LOGICAL_ID
from infra.stack import iam_policy, merge_template, resources_template

STAGE = "test"
BUCKET = aws_resource_names.evidence_bucket_name(STAGE)
PDF = b"%PDF-1.7\n" + b"x" * 2048


def test_the_bucket_is_encrypted_private_owner_enforced_with_cors_for_posts_and_a_lifecycle(aws: None):
    # Given the template applied (tests/conftest.py's `aws` did it)
    s3 = client("s3")

    # Then SSE-S3 is on by default, every public access is blocked and ACLs are disabled
    rules = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    block = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    ownership = s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    # And browsers may POST (only) from the local pages' origins
    cors = s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"]
    assert [(rule["AllowedMethods"], rule["AllowedOrigins"]) for rule in cors] == [
        (["POST"], ["http://127.0.0.1:*", "http://localhost:*"])
    ]
    # And incomplete multipart uploads go after a day, evidence after EXPIRE_AFTER_DAYS
    lifecycle = {rule["ID"]: rule for rule in s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]}
    assert lifecycle["abort-incomplete-uploads"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert lifecycle["expire-evidence"]["Expiration"] == {"Days": EXPIRE_AFTER_DAYS}
    assert lifecycle["expire-evidence"]["Filter"] == {"Prefix": "tickets/"}


def test_applying_the_template_again_keeps_the_objects(aws: None):
    s3 = client("s3")
    s3.put_object(Bucket=BUCKET, Key="tickets/T/E", Body=b"kept")
    again = create_resources(resources_template(STAGE), client("dynamodb"), client("sqs"), s3)
    assert again[LOGICAL_ID] == BUCKET
    assert s3.get_object(Bucket=BUCKET, Key="tickets/T/E")["Body"].read() == b"kept"


def test_a_deployed_stage_names_its_bucket_with_the_account_and_tells_the_api():
    resources = merge_template("dev")["Resources"]
    bucket = resources[LOGICAL_ID]["Properties"]
    assert bucket["BucketName"] == {"Fn::Sub": "polyglot-desk-dev-evidence-${AWS::AccountId}"}
    assert bucket["CorsConfiguration"]["CorsRules"][0]["AllowedOrigins"] == [
        {"Fn::Sub": "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    ]
    assert resources[LOGICAL_ID]["DeletionPolicy"] == "Retain"
    variables = resources["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert variables == {"EVIDENCE_BUCKET": {"Ref": LOGICAL_ID}}


def test_the_api_may_write_and_read_the_tickets_keys_of_its_own_bucket_only():
    statements = [s for s in iam_policy("dev", "api_handler")["Statement"] if s["Action"][0].startswith("s3:")]
    assert statements == [
        {
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:GetObject"],
            "Resource": "arn:aws:s3:::polyglot-desk-dev-evidence-????????????/tickets/*",
        },
        {
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": "arn:aws:s3:::polyglot-desk-dev-evidence-????????????",
        },
    ]
    for function in ("detect_language", "translate_ticket", "route_ticket", "deliver_notifications"):
        assert not any(
            action.startswith("s3:") for s in iam_policy("dev", function)["Statement"] for action in s["Action"]
        )


# --- against a moto server, as the local stack runs it -------------------------------------------


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        yield endpoint
    finally:
        # moto's backends are process-wide: leave nothing behind for the next tests
        with contextlib.suppress(OSError):
            request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST", data=b"")
            urllib.request.urlopen(request, timeout=10).close()
        server.stop()


@pytest.fixture
def served_bucket(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> S3EvidenceStorage:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    session = boto3.session.Session()
    template = {"Resources": {LOGICAL_ID: resources_template(STAGE)["Resources"][LOGICAL_ID]}}
    create_resources(template, session.client("dynamodb"), session.client("sqs"), session.client("s3"))
    return S3EvidenceStorage(BUCKET)


def post_form(form: Any, body: bytes, content_type: str) -> requests.Response:
    return requests.post(form.url, data=form.fields, files={"file": ("x", body, content_type)}, timeout=10)


def test_against_a_moto_server_the_form_posts_path_style_and_the_link_downloads(moto_server, served_bucket):
    # Given a form for one key
    key = "tickets/01JABCDEFGHJKMNPQRSTVWXYZ0/01JABCDEFGHJKMNPQRSTVWXYZ1"
    form = served_bucket.presign_upload(key, "application/pdf", 20 * 1024 * 1024, 900)

    # Then it posts to the server's own origin, path-style (no <bucket>.127.0.0.1 host)
    assert form.url.rstrip("/") == f"{moto_server}/{BUCKET}"
    assert served_bucket.head(key) is None

    # When the browser posts the file (with its Origin), the object is there with its type and size
    answer = requests.post(
        form.url,
        data=form.fields,
        files={"file": ("report.pdf", PDF, "application/pdf")},
        headers={"Origin": "http://127.0.0.1:8000"},
        timeout=10,
    )
    assert answer.status_code in (200, 201, 204), answer.text
    stored = served_bucket.head(key)
    assert stored is not None and (stored.content_type, stored.size) == ("application/pdf", len(PDF))

    # And a download link fetches the bytes as an attachment
    link = served_bucket.presign_download(key, download_disposition("report.pdf"), 300)
    fetched = requests.get(link, timeout=10)
    assert fetched.content == PDF
    assert fetched.headers["Content-Disposition"].startswith('attachment; filename="report.pdf"')
