"""The switch that runs the tests against another AWS endpoint (an emulator: ministack, LocalStack)
instead of moto in-process, so behaviour only moto has shows up: `make test-emulator`.

`POLYGLOT_TEST_AWS_ENDPOINT=http://127.0.0.1:4566` names the endpoint (tests/conftest.py clears
the developer's own AWS_ENDPOINT_URL, so it takes its own variable). Unset, `aws_account()` is
moto's `mock_aws()`, as always. Set, it is the emulator's one account, with the test stage's
queues, table and bucket deleted on entry, so that the fixtures that then create them get what a
fresh moto account gives: exactly the infra/ resources, empty, with the attributes of this test's
template (an emulator, like SQS, refuses to create a queue again with other attributes).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from moto import mock_aws

ENDPOINT = os.environ.get("POLYGLOT_TEST_AWS_ENDPOINT", "").strip()


@contextlib.contextmanager
def aws_account() -> Iterator[None]:
    """moto's mock, or the emulator with AWS_ENDPOINT_URL pointing at it and the stage cleared."""
    if not ENDPOINT:
        with mock_aws():
            yield
        return
    before = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = ENDPOINT
    try:
        delete_stage(os.environ.get("APP_STAGE", "test"))
        yield
    finally:
        if before is None:
            os.environ.pop("AWS_ENDPOINT_URL", None)
        else:
            os.environ["AWS_ENDPOINT_URL"] = before


def delete_stage(stage: str) -> None:
    """Every queue, the table and the evidence bucket of `stage`, gone from the emulator."""
    from chalicelib import aws_resource_names
    from chalicelib.adapters.aws import client, reset_clients

    reset_clients()
    sqs = client("sqs")
    prefix = aws_resource_names.queue_name(stage, "")
    for url in sqs.list_queues(QueueNamePrefix=prefix, MaxResults=1000).get("QueueUrls", []):
        sqs.delete_queue(QueueUrl=url)
    db = client("dynamodb")
    with contextlib.suppress(db.exceptions.ResourceNotFoundException):
        db.delete_table(TableName=aws_resource_names.table_name(stage))
        db.get_waiter("table_not_exists").wait(
            TableName=aws_resource_names.table_name(stage), WaiterConfig={"Delay": 1, "MaxAttempts": 30}
        )
    s3 = client("s3")
    bucket = aws_resource_names.evidence_bucket_name(stage)
    with contextlib.suppress(s3.exceptions.NoSuchBucket):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            objects = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if objects:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": objects})
        s3.delete_bucket(Bucket=bucket)
