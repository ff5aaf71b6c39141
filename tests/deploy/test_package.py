"""The deploy path: `chalice package` merged with infra/ gives a template AWS will accept.

Builds the real deployment package once (pip fetches Lambda wheels from PyPI), then checks
what a broken deploy would get wrong: cfn-lint, partial batch responses, queue timeouts
against function timeouts, least-privilege roles, and handlers that import on their own.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from chalicelib import aws_resource_names
from infra.stack import CONSUMERS, FUNCTIONS, UNSCOPABLE_ACTIONS, iam_policy
from tests.deploy.conftest import BIN, STAGE

pytestmark = pytest.mark.slow


def _functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def test_cfn_lint_accepts_the_packaged_template(package: Path) -> None:
    # Then cfn-lint (with the SAM transform) reports nothing
    result = subprocess.run(
        [str(BIN / "cfn-lint"), str(package / "sam.json")], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_sqs_event_source_reports_partial_batch_failures(template: dict[str, Any]) -> None:
    sources = [
        event["Properties"]
        for function in _functions(template).values()
        for event in function["Properties"].get("Events", {}).values()
        if event["Type"] == "SQS"
    ]
    # Then all three pipeline consumers are there, each with ReportBatchItemFailures on;
    # otherwise AWS would delete the records a handler reports as failed.
    assert len(sources) == len(CONSUMERS)
    assert all(source["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for source in sources)
    for function in _functions(template).values():
        env = function["Properties"]["Environment"]["Variables"]
        assert env["REPORT_BATCH_ITEM_FAILURES"] == "true"


def test_queue_visibility_covers_six_times_the_consumer_timeout(template: dict[str, Any]) -> None:
    functions = _functions(template)
    for role, function_name in CONSUMERS.items():
        logical = "".join(part.capitalize() for part in function_name.split("_"))
        timeout = functions[logical]["Properties"]["Timeout"]
        queue = template["Resources"][role.capitalize() + "Queue"]["Properties"]
        assert queue["QueueName"] == aws_resource_names.queue_name(STAGE, role)
        assert queue["VisibilityTimeout"] >= 6 * timeout
        assert queue["RedrivePolicy"]["maxReceiveCount"] == 5
        assert functions[logical].get("DependsOn") == [role.capitalize() + "Queue"]


def test_every_function_runs_with_its_own_least_privilege_policy(template: dict[str, Any]) -> None:
    roles = {name: resource for name, resource in template["Resources"].items() if resource["Type"] == "AWS::IAM::Role"}
    assert len(roles) == len(FUNCTIONS)
    documents = [role["Properties"]["Policies"][0]["PolicyDocument"] for role in roles.values()]
    expected = [iam_policy(STAGE, name) for name in FUNCTIONS]
    assert sorted(map(json.dumps, documents)) == sorted(map(json.dumps, expected))
    for document in documents:
        for statement in document["Statement"]:
            assert statement["Resource"] != "*" or set(statement["Action"]) <= UNSCOPABLE_ACTIONS


def test_the_table_and_every_queue_have_one_definition(template: dict[str, Any]) -> None:
    table = template["Resources"]["TicketsTable"]["Properties"]
    assert table["TableName"] == aws_resource_names.table_name(STAGE)
    indexes = {index["IndexName"] for index in table["GlobalSecondaryIndexes"]}
    assert indexes == {"by_region", "by_pipeline_stage", "by_escalation"}
    names = {
        resource["Properties"]["QueueName"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::SQS::Queue"
    }
    for role in aws_resource_names.all_queue_roles():
        assert aws_resource_names.queue_name(STAGE, role) in names
        assert aws_resource_names.dead_letter_queue_name(STAGE, role) in names


def test_each_lambda_handler_imports_from_the_bundle_alone(
    package: Path, tmp_path: Path, template: dict[str, Any]
) -> None:
    # Given the deployment zip unpacked where Lambda would put it, without app.py's neighbours
    task = tmp_path / "task"
    with zipfile.ZipFile(package / "deployment.zip") as bundle:
        bundle.extractall(task)
    # and only what the Lambda runtime adds: boto3 and its dependencies, borrowed from the venv
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    for name in ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six"):
        source = Path(importlib.import_module(name).__file__ or "")
        source = source.parent if source.name == "__init__.py" else source
        (runtime / source.name).symlink_to(source)
    handlers = [function["Properties"]["Handler"] for function in _functions(template).values()]
    script = (
        "import importlib, sys\n"
        "for handler in sys.argv[1:]:\n"
        "    module, name = handler.rsplit('.', 1)\n"
        "    assert callable(getattr(importlib.import_module(module), name)), handler\n"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "APP_STAGE": STAGE,
        "AWS_DEFAULT_REGION": "us-east-1",
        "PYTHONPATH": os.pathsep.join([str(task), str(runtime)]),
    }
    # When each handler string is imported in a clean interpreter (-S: no site-packages)
    result = subprocess.run(
        [sys.executable, "-S", "-c", script, *handlers], cwd=task, env=env, capture_output=True, text=True
    )
    # Then every one resolves to a callable
    assert result.returncode == 0, result.stderr


def test_the_language_model_ships_in_the_bundle_and_runs_on_the_standard_library(package: Path, tmp_path: Path) -> None:
    # Given the deployment zip: the built model and its licences are in it, numpy is not
    with zipfile.ZipFile(package / "deployment.zip") as bundle:
        names = set(bundle.namelist())
        bundle.extractall(tmp_path / "task")
    model = "chalicelib/langid/model/"
    assert {model + "model.json", model + "NOTICE", model + "LICENSE-lingua.txt", model + "keys.u32"} <= names
    assert not any(name.startswith("numpy/") for name in names)
    # When the detector runs in a clean interpreter with the bundle alone on its path
    script = (
        "from chalicelib.adapters.ngram_detector import NgramDetector\n"
        "from chalicelib.domain.ticket import Requester\n"
        "print(NgramDetector().detect('me cobraron dos veces y no llega el pedido', Requester()).code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", script],
        cwd=tmp_path / "task",
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(tmp_path / "task")},
        capture_output=True,
        text=True,
    )
    # Then it answers
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "es"


def test_deployed_stages_have_no_clock_to_move(template: dict[str, Any]) -> None:
    # The local stage's /dev/clock is registered only with MOVABLE_CLOCK, which dev never sets
    paths = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    assert "/tickets" in paths and "/dev/clock" not in paths


def test_api_gateway_caches_the_agent_authorizers_answer_30_seconds_not_its_default_300(
    template: dict[str, Any],
) -> None:
    # A revoked agent token must be refused within a minute: API Gateway's cache of the
    # authorizer's answer (30 s) plus the API's own revocation cache (30 s by default).
    body = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    (scheme,) = [value for value in body["securityDefinitions"].values() if "x-amazon-apigateway-authorizer" in value]
    assert scheme["x-amazon-apigateway-authorizer"]["authorizerResultTtlInSeconds"] == 30
