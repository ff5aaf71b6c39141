"""`make test-emulator` (devstack/emulator.py, tests/emulator.py): the tests it leaves out under
an emulator still exist, and without the switch the suite runs on moto as before."""

from __future__ import annotations

import ast
from pathlib import Path

from devstack.emulator import KNOWN_DIFFERENCES
from tests import emulator

ROOT = Path(__file__).resolve().parents[2]


def test_every_known_difference_names_a_test_that_exists_and_says_why():
    for test_id, reason in KNOWN_DIFFERENCES.items():
        path, name = test_id.split("::")
        functions = {
            node.name for node in ast.walk(ast.parse((ROOT / path).read_text())) if isinstance(node, ast.FunctionDef)
        }
        assert name in functions, test_id
        assert len(reason) > 20, test_id


def test_without_the_switch_the_account_is_moto():
    # The normal suite: no endpoint, so aws_account() is moto's mock and reaches no server
    assert emulator.ENDPOINT == ""
    import boto3

    with emulator.aws_account():
        sqs = boto3.client("sqs", region_name="us-east-1")
        assert sqs.list_queues().get("QueueUrls", []) == []
        sqs.create_queue(QueueName="only-in-moto")
    with emulator.aws_account():
        assert boto3.client("sqs", region_name="us-east-1").list_queues().get("QueueUrls", []) == []
