"""`make deploy` / `make destroy` run the scripts infra/deploy.py writes: run here against a stub
`aws` (and a stub smoke test) that record what they were asked, so the order, the flags and the
quoting are checked without an AWS account."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from infra.deploy import deploy_script, destroy_script

STUB = """#!/bin/sh
printf '%s\\n' "$0 $*" >> "$CALLS"
case "$*" in *describe-stacks*) echo "https://abc123.execute-api.eu-west-1.amazonaws.com/api/";; esac
"""


def run(script: str, tmp_path: Path) -> list[str]:
    bin_dir, venv = tmp_path / "bin", tmp_path / ".venv" / "bin"
    for folder, name in ((bin_dir, "aws"), (venv, "python")):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(STUB)
        (folder / name).chmod(0o755)
    calls = tmp_path / "calls"
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "CALLS": str(calls)}
    subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, check=True, capture_output=True, text=True)
    return [line.split(" ", 1)[1] for line in calls.read_text().splitlines()]


def test_deploy_packages_deploys_with_the_parameters_then_smoke_tests_the_stack_url(tmp_path: Path):
    # Given a prod deploy with an alarm topic and a parameter whose value needs quoting
    script = deploy_script(
        "prod", "my-artifacts", alarm_topic="arn:aws:sns:eu-west-1:123456789012:oncall", parameters=["Note=a b"]
    )
    # When it runs
    calls = run(script, tmp_path)
    # Then the code is uploaded, the stack deployed with both capabilities and every parameter,
    # its URL read, and the smoke test run against it, in that order
    assert calls[0].startswith(
        "cloudformation package --template-file build/package-prod/sam.json --s3-bucket my-artifacts"
    )
    assert calls[1].startswith("cloudformation deploy --template-file build/package-prod/packaged.yaml")
    assert "--stack-name polyglot-desk-prod" in calls[1]
    assert "--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND" in calls[1]
    assert calls[1].endswith("--parameter-overrides AlarmTopicArn=arn:aws:sns:eu-west-1:123456789012:oncall Note=a b")
    assert calls[2].startswith("cloudformation describe-stacks --stack-name polyglot-desk-prod")
    assert calls[3] == "-m devstack.smoke --base-url https://abc123.execute-api.eu-west-1.amazonaws.com/api/"


def test_deploy_needs_an_artifact_bucket_and_well_formed_parameters():
    with pytest.raises(ValueError, match="ARTIFACT_BUCKET"):
        deploy_script("dev", "")
    with pytest.raises(ValueError, match="Name=value"):
        deploy_script("dev", "bucket", parameters=["; rm -rf /"])


def test_destroy_deletes_the_stack_and_only_says_how_to_delete_the_data(tmp_path: Path):
    calls = run(destroy_script("prod"), tmp_path)
    assert calls == [
        "cloudformation delete-stack --stack-name polyglot-desk-prod",
        "cloudformation wait stack-delete-complete --stack-name polyglot-desk-prod",
    ]
    # prod's table has deletion protection: the printed steps turn it off first
    assert "--no-deletion-protection-enabled" in destroy_script("prod")
    assert "--no-deletion-protection-enabled" not in destroy_script("dev")
