"""The exact commands that deploy, smoke-test and tear down a stage, as a shell script.

`make deploy STAGE=dev ARTIFACT_BUCKET=...` packages the stage, writes this script to
build/deploy-<stage>.sh and runs it when the aws CLI is on PATH (else prints it, so the commands
can be run wherever the CLI and the credentials are). The script is the documentation: no step
of a deploy lives only in someone's head. `make destroy` does the same with the teardown.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

from chalicelib import aws_resource_names

# SAM's transform (AWS::Serverless::*) needs AUTO_EXPAND; Chalice's roles, CAPABILITY_IAM.
CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND")
_PARAMETER = re.compile(r"[A-Za-z][A-Za-z0-9]*=.*")


def stack_name(stage: str) -> str:
    return f"{aws_resource_names.APP_NAME}-{stage}"


def deploy_script(
    stage: str, bucket: str, stack: str | None = None, alarm_topic: str = "", parameters: Sequence[str] = ()
) -> str:
    """Upload the packaged template's code, create or update the stack, print its URL, smoke-test it."""
    if not bucket:
        raise ValueError("ARTIFACT_BUCKET is required: an S3 bucket of yours for the deployment package")
    for parameter in parameters:
        if not _PARAMETER.fullmatch(parameter):
            raise ValueError(f"a parameter is Name=value, got {parameter!r}")
    stack = stack or stack_name(stage)
    build = f"build/package-{stage}"
    overrides = [*([f"AlarmTopicArn={alarm_topic}"] if alarm_topic else []), *parameters]
    quoted = " ".join(shlex.quote(value) for value in overrides)
    url_query = "Stacks[0].Outputs[?OutputKey=='EndpointURL'].OutputValue"
    lines = [
        f"# Deploy polyglot-desk stage {stage} as stack {stack}",
        "set -euo pipefail",
        f"aws cloudformation package --template-file {build}/sam.json --s3-bucket {shlex.quote(bucket)} \\",
        f"    --output-template-file {build}/packaged.yaml",
        f"aws cloudformation deploy --template-file {build}/packaged.yaml --stack-name {stack} \\",
        f"    --capabilities {' '.join(CAPABILITIES)} --no-fail-on-empty-changeset \\",
        f"    --tags app={aws_resource_names.APP_NAME} stage={stage}"
        + (f" \\\n    --parameter-overrides {quoted}" if overrides else ""),
        f'URL="$(aws cloudformation describe-stacks --stack-name {stack} --query "{url_query}" --output text)"',
        'echo "API: $URL"',
        '.venv/bin/python -m devstack.smoke --base-url "$URL"',
    ]
    return "\n".join(lines) + "\n"


def destroy_script(stage: str, stack: str | None = None) -> str:
    """Delete the stack; what it retains (the table, the evidence bucket) is listed, not deleted."""
    stack = stack or stack_name(stage)
    table = aws_resource_names.table_name(stage)
    lines = [
        f"# Tear down polyglot-desk stage {stage} (stack {stack})",
        "set -euo pipefail",
        f"aws cloudformation delete-stack --stack-name {stack}",
        f"aws cloudformation wait stack-delete-complete --stack-name {stack}",
        f'echo "Deleted {stack}. Kept (DeletionPolicy: Retain), with the data in them:"',
        f'echo "  DynamoDB table {table}"',
        f'echo "  S3 bucket {aws_resource_names.evidence_bucket_name(stage)}-<account id>"',
        'echo "To delete the data too (irreversible):"',
    ]
    if stage == "prod":
        lines.append(f'echo "  aws dynamodb update-table --table-name {table} --no-deletion-protection-enabled"')
    lines += [
        f'echo "  aws dynamodb delete-table --table-name {table}"',
        f'echo "  aws s3 rb s3://{aws_resource_names.evidence_bucket_name(stage)}-<account id> --force"',
    ]
    return "\n".join(lines) + "\n"
