"""Evidence uploads through the real handlers against moto: presign, a real multipart POST of the
file to the presigned URL, confirm, and the ticket lists it; agents download it, requesters
cannot; what is refused stores nothing.

In-process `mock_aws` intercepts botocore and, through `responses`, the `requests` library too:
the POST to `https://<bucket>.s3.us-east-1.amazonaws.com/` lands in the same moto account as the
app's calls. moto does not check a presigned POST's policy (size range, Content-Type), so the
"another type than declared" case is exactly what the confirmation's HeadObject must catch; S3
itself refuses such a POST before it is stored. The local stack's path-style endpoint (a real
moto server) is covered by tests/integration/test_evidence_storage.py.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import requests

from chalicelib import aws_resource_names
from chalicelib.adapters.aws import client
from chalicelib.composition_root import dependencies
from chalicelib.domain.evidence import MAX_BYTES, MAX_FILES
from chalicelib.settings import get_settings
from tests.pipeline.conftest import create_ticket, openapi_validator, table_items, view
from tests.pipeline.test_desk import agent_token, routed_ticket

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
DECLARED = {"filename": "Screen Shot 2030-01-02.png", "content_type": "image/png", "size": len(PNG)}


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


def call(api: Any, path: str, token: str | None, payload: Any = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    answer = api.http.post(path, headers=headers, body=json.dumps(payload) if payload is not None else "")
    return answer.status_code, json.loads(answer.body) if answer.body else None


def ask(api: Any, ticket: dict[str, Any], declared: dict[str, Any] = DECLARED, token: str | None = None) -> Any:
    return call(api, f"/tickets/{ticket['ticket_id']}/evidence", token or ticket["access_token"], declared)


def confirm(api: Any, ticket: dict[str, Any], evidence_id: str, token: str | None = None) -> tuple[int, Any]:
    path = f"/tickets/{ticket['ticket_id']}/evidence/{evidence_id}/confirm"
    return call(api, path, token or ticket["access_token"])


def upload(granted: dict[str, Any], body: bytes, content_type: str = "image/png") -> requests.Response:
    """What the browser does: the form's fields, then the file, as multipart/form-data."""
    form = granted["upload"]
    return requests.post(form["url"], data=form["fields"], files={"file": ("x", body, content_type)}, timeout=10)


def evidence_items() -> list[dict[str, Any]]:
    return [item for item in table_items() if item["sk"].startswith("EVIDENCE#")]


def bucket_keys(ticket_id: str) -> list[str]:
    listed = client("s3").list_objects_v2(Bucket=get_settings().evidence_bucket, Prefix=f"tickets/{ticket_id}/")
    return [entry["Key"] for entry in listed.get("Contents", [])]


@pytest.fixture
def ticket(api: Any) -> dict[str, Any]:
    """A ticket just received: its requester may attach evidence at once."""
    return create_ticket(api, {"description": "My live stream freezes and the app shows an error every time."})


@pytest.fixture
def on_desk(api: Any, pipeline: Any) -> dict[str, Any]:
    """A ticket on the na desk, which an agent of na may read."""
    return routed_ticket(api, pipeline)


def test_an_upload_is_presigned_posted_confirmed_and_listed(api, ticket, chalice_app):
    # When the requester asks to attach a screenshot
    status, granted = ask(api, ticket)

    # Then the answer is a presigned POST for this ticket's own key, the exact type and the limit
    assert status == 201, granted
    fields = granted["upload"]["fields"]
    assert fields["key"] == f"tickets/{ticket['ticket_id']}/{granted['evidence_id']}"
    assert fields["Content-Type"] == "image/png"
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert ["content-length-range", 1, MAX_BYTES] in policy["conditions"]
    assert {"Content-Type": "image/png"} in policy["conditions"]
    assert {"key": fields["key"]} in policy["conditions"]
    assert granted["upload"]["url"].startswith(f"https://{aws_resource_names.evidence_bucket_name('test')}.s3.")
    assert granted["max_bytes"] == MAX_BYTES
    # And a pending entry is stored beside the ticket
    assert [item["status"] for item in evidence_items()] == ["pending"]
    assert view(api, ticket)["evidence_files"][0]["status"] == "pending"

    # When the browser posts the file to the URL, then the requester confirms
    assert upload(granted, PNG).status_code in (200, 201, 204)
    status, entry = confirm(api, ticket, granted["evidence_id"])

    # Then the entry is uploaded with the size storage holds; confirming again is the same answer
    assert status == 200, entry
    assert (entry["status"], entry["size"], entry["download_url"]) == ("uploaded", len(PNG), None)
    assert confirm(api, ticket, granted["evidence_id"]) == (200, entry)
    # And the requester's view lists it without a link
    listed = view(api, ticket)["evidence_files"]
    assert listed == [
        {
            "evidence_id": granted["evidence_id"],
            "filename": "Screen Shot 2030-01-02.png",
            "content_type": "image/png",
            "size": len(PNG),
            "status": "uploaded",
            "uploaded_at": entry["uploaded_at"],
            "download_url": None,
        }
    ]


def test_an_agent_gets_a_short_download_link_that_fetches_the_bytes_as_an_attachment(api, on_desk):
    ticket = on_desk
    _, granted = ask(api, ticket)
    upload(granted, PNG)
    confirm(api, ticket, granted["evidence_id"])

    # When an agent of the region reads the ticket
    answer = api.http.get(f"/tickets/{ticket['ticket_id']}", headers={"Authorization": f"Bearer {agent_token()}"})
    files = json.loads(answer.body)["evidence_files"]

    # Then the file has a presigned link, valid 5 minutes, forcing a download
    link = files[0]["download_url"]
    assert link is not None and "X-Amz-Expires=300" in link
    fetched = requests.get(link, timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == PNG
    assert fetched.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("declared", "code"),
    [
        pytest.param({**DECLARED, "content_type": "text/html"}, "unsupported_type", id="html"),
        pytest.param({**DECLARED, "content_type": "image/svg+xml"}, "unsupported_type", id="svg"),
        pytest.param({**DECLARED, "size": MAX_BYTES + 1}, "too_large", id="too-big"),
        pytest.param({**DECLARED, "size": 0}, "empty_file", id="empty"),
        pytest.param({**DECLARED, "size": "12"}, "invalid_value", id="size-as-text"),
        pytest.param({"filename": "a.png", "content_type": "image/png"}, "missing_field", id="no-size"),
        pytest.param({**DECLARED, "path": "/etc"}, "unknown_field", id="unknown-field"),
    ],
)
def test_a_refused_declaration_is_a_400_and_stores_nothing(api, ticket, declared, code):
    status, body = ask(api, ticket, declared)
    assert (status, body["error"]["code"]) == (400, code)
    assert evidence_items() == []


def test_a_confirmation_before_the_upload_is_a_409(api, ticket):
    _, granted = ask(api, ticket)
    status, body = confirm(api, ticket, granted["evidence_id"])
    assert (status, body["error"]["code"]) == (409, "not_uploaded")
    assert [item["status"] for item in evidence_items()] == ["pending"]


def test_an_object_of_another_type_than_declared_is_refused(api, on_desk):
    ticket = on_desk
    # Given a grant for a PNG, and an HTML page posted in its place (moto does not check the
    # policy's Content-Type condition; S3 would refuse the POST itself)
    _, granted = ask(api, ticket)
    form = granted["upload"]
    fields = {**form["fields"], "Content-Type": "text/html"}
    requests.post(form["url"], data=fields, files={"file": ("x.html", b"<script>alert(1)</script>")}, timeout=10)

    # When the requester confirms, then the upload is refused and the entry stays pending
    status, body = confirm(api, ticket, granted["evidence_id"])
    assert (status, body["error"]["code"]) == (422, "upload_mismatch")
    assert view(api, ticket)["evidence_files"][0]["status"] == "pending"
    answer = api.http.get(f"/tickets/{ticket['ticket_id']}", headers={"Authorization": f"Bearer {agent_token()}"})
    assert json.loads(answer.body)["evidence_files"][0]["download_url"] is None


def test_another_tickets_token_an_agents_token_or_none_answer_404(api, ticket):
    stranger = create_ticket(api, {"description": "Someone else's problem, described at length."})
    _, granted = ask(api, ticket)
    upload(granted, PNG)

    for token in (stranger["access_token"], agent_token(), "not-a-token"):
        status, body = ask(api, ticket, token=token)
        assert (status, body["error"]["code"]) == (404, "not_found"), token
        status, body = confirm(api, ticket, granted["evidence_id"], token=token)
        assert (status, body["error"]["code"]) == (404, "not_found"), token
    # the stranger's own ticket does not hold the other's evidence either
    assert confirm(api, stranger, granted["evidence_id"])[0] == 404
    assert confirm(api, ticket, "not-an-id")[0] == 404
    assert [item["status"] for item in evidence_items()] == ["pending"]


def test_the_21st_file_is_a_409(api, ticket):
    for number in range(MAX_FILES):
        status, _ = ask(api, ticket, {**DECLARED, "filename": f"shot-{number}.png"})
        assert status == 201
    status, body = ask(api, ticket)
    assert (status, body["error"]["code"]) == (409, "too_many_files")
    assert len(evidence_items()) == MAX_FILES


def test_the_answers_match_the_openapi_document(api, on_desk):
    ticket = on_desk
    document = api.http.get("/openapi.json").json_body
    _, granted = ask(api, ticket)
    upload(granted, PNG)
    _, entry = confirm(api, ticket, granted["evidence_id"])
    agent_view = json.loads(
        api.http.get(f"/tickets/{ticket['ticket_id']}", headers={"Authorization": f"Bearer {agent_token()}"}).body
    )
    for schema, instance in (("EvidenceUploadGranted", granted), ("EvidenceFile", entry), ("Ticket", agent_view)):
        errors = list(openapi_validator(document, schema).iter_errors(instance))
        assert not errors, [error.message for error in errors]


def test_uploads_go_to_the_buckets_own_host_under_the_tickets_prefix(api, ticket):
    # The origin the requester page's CSP names is where the forms post
    origin = dependencies().evidence_upload_origin
    assert origin == f"https://{get_settings().evidence_bucket}.s3.us-east-1.amazonaws.com"
    _, granted = ask(api, ticket)
    assert granted["upload"]["url"].rstrip("/") == origin
    upload(granted, PNG)
    assert bucket_keys(ticket["ticket_id"]) == [f"tickets/{ticket['ticket_id']}/{granted['evidence_id']}"]
