"""infra/: the template's resources, created in moto the way the local stack creates them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib import aws_resource_names
from chalicelib.adapters.aws import client
from infra.apply import create_resources
from infra.stack import merge_template, resources_template

ROOT = Path(__file__).resolve().parents[2]
STAGE = "dev"
PIPELINE_CONSUMERS = {"detect": "detect_language", "translate": "translate_ticket", "route": "route_ticket"}
FOURTEEN_DAYS = 14 * 24 * 3600


def configured_timeout(stage: str, function: str) -> int:
    """The consumer's lambda_timeout as Chalice resolves it: function, then stage, then top level."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    stage_config = config["stages"][stage]
    for scope in (stage_config.get("lambda_functions", {}).get(function, {}), stage_config, config):
        if "lambda_timeout" in scope:
            return int(scope["lambda_timeout"])
    raise AssertionError(f"no lambda_timeout for {function}")


@pytest.fixture
def dev_stack(aws: None) -> dict[str, str]:
    return create_resources(resources_template(STAGE), client("dynamodb"), client("sqs"))


def queue_attributes(name: str) -> dict[str, str]:
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def test_the_table_has_its_three_indexes_and_ttl(dev_stack: dict[str, str]):
    # Given the dev template applied
    dynamodb = client("dynamodb")
    table = dynamodb.describe_table(TableName=aws_resource_names.table_name(STAGE))["Table"]

    # Then the table is keyed pk/sk with the region, pipeline-stage and escalation indexes
    assert {(key["AttributeName"], key["KeyType"]) for key in table["KeySchema"]} == {("pk", "HASH"), ("sk", "RANGE")}
    indexes = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"by_region", "by_pipeline_stage", "by_escalation"}
    assert [key["AttributeName"] for key in indexes["by_region"]["KeySchema"]] == ["gsi1pk", "gsi1sk"]
    assert [key["AttributeName"] for key in indexes["by_pipeline_stage"]["KeySchema"]] == ["gsi2pk", "gsi2sk"]
    assert [key["AttributeName"] for key in indexes["by_escalation"]["KeySchema"]] == ["gsi3pk", "gsi3sk"]
    # And idempotency records expire through TTL on expires_at
    ttl = dynamodb.describe_time_to_live(TableName=aws_resource_names.table_name(STAGE))["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")


def test_every_queue_has_its_own_dead_letter_queue(dev_stack: dict[str, str]):
    # Given the dev template applied
    names = [
        url.rsplit("/", 1)[1]
        for url in client("sqs").list_queues(QueueNamePrefix=f"polyglot-desk-{STAGE}-")["QueueUrls"]
    ]

    # Then three pipeline queues, the notify and incidents queues, five desk queues and five
    # escalation queues exist, each with a -dlq twin
    regions = ["na", "latam", "emea", "apac", "global"]
    roles = ["detect", "translate", "route", "notify", "incidents"] + [f"desk-{region}" for region in regions]
    roles += [f"escalations-{region}" for region in regions]
    expected = {f"polyglot-desk-{STAGE}-{role}" for role in roles}
    assert {name for name in names if not name.endswith("-dlq")} == expected
    assert {name for name in names if name.endswith("-dlq")} == {f"{name}-dlq" for name in expected}


def test_each_queue_dead_letters_after_five_receives_into_a_14_day_queue(dev_stack: dict[str, str]):
    for role in aws_resource_names.all_queue_roles():
        # Given a queue and its dead-letter queue
        main = queue_attributes(aws_resource_names.queue_name(STAGE, role))
        dead = queue_attributes(aws_resource_names.dead_letter_queue_name(STAGE, role))

        # Then the main queue redrives to its own DLQ after 5 receives
        redrive = json.loads(main["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"] == dead["QueueArn"], role
        assert int(redrive["maxReceiveCount"]) == 5, role
        # And the DLQ keeps messages for 14 days, longer than the main queue does
        assert int(dead["MessageRetentionPeriod"]) == FOURTEEN_DAYS, role
        assert int(main["MessageRetentionPeriod"]) < FOURTEEN_DAYS, role
        assert "RedrivePolicy" not in dead, role


def test_a_pipeline_queue_hides_a_message_for_six_times_its_consumers_timeout(dev_stack: dict[str, str]):
    for role, function in PIPELINE_CONSUMERS.items():
        # Given the consumer's timeout in .chalice/config.json for the dev stage
        timeout = configured_timeout(STAGE, function)

        # Then the queue's visibility timeout is six times that
        assert int(queue_attributes(aws_resource_names.queue_name(STAGE, role))["VisibilityTimeout"]) == 6 * timeout, (
            role
        )


def test_the_template_follows_the_chalice_config_for_visibility_timeouts():
    # Given the dev template itself (what CloudFormation deploys)
    template = resources_template(STAGE)["Resources"]

    # Then each pipeline queue's VisibilityTimeout is six times its consumer's configured timeout
    for role, function in PIPELINE_CONSUMERS.items():
        logical = role.capitalize() + "Queue"
        assert template[logical]["Properties"]["VisibilityTimeout"] == 6 * configured_timeout(STAGE, function)


def test_applying_the_template_twice_is_harmless_and_keeps_data(dev_stack: dict[str, str]):
    # Given the dev stack with an item in the table and a message in a queue
    dynamodb, sqs = client("dynamodb"), client("sqs")
    table = aws_resource_names.table_name(STAGE)
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "TICKET#keep"}, "sk": {"S": "TICKET"}})
    url = sqs.get_queue_url(QueueName=aws_resource_names.queue_name(STAGE, "detect"))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="still here")
    before = queue_attributes(aws_resource_names.queue_name(STAGE, "detect"))

    # When the template is applied again
    again = create_resources(resources_template(STAGE), dynamodb, sqs)

    # Then it names the same resources, and the item, the message and the settings are untouched
    assert again == dev_stack
    assert "Item" in dynamodb.get_item(TableName=table, Key={"pk": {"S": "TICKET#keep"}, "sk": {"S": "TICKET"}})
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    assert [message["Body"] for message in messages] == ["still here"]
    after = queue_attributes(aws_resource_names.queue_name(STAGE, "detect"))
    for name in ("VisibilityTimeout", "RedrivePolicy", "MessageRetentionPeriod", "QueueArn"):
        assert after[name] == before[name]


def test_an_unknown_resource_type_is_refused(aws: None):
    # Given a template with a resource apply.py does not know
    template: dict[str, Any] = {"Resources": {"Alerts": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "x"}}}}

    # Then it refuses, naming the type and the logical id, rather than silently skipping it
    with pytest.raises(ValueError, match=r"AWS::SNS::Topic.*Alerts"):
        create_resources(template, client("dynamodb"), client("sqs"))


def test_every_pipeline_consumer_reports_partial_batch_failures_once_deployed():
    # Given the template chalice package merges
    merged = merge_template(STAGE)["Resources"]

    # Then each SQS worker's event source has ReportBatchItemFailures on
    for function in PIPELINE_CONSUMERS.values():
        logical = "".join(part.capitalize() for part in function.split("_"))
        events = merged[logical]["Properties"]["Events"]
        assert [event["Properties"]["FunctionResponseTypes"] for event in events.values()] == [
            ["ReportBatchItemFailures"]
        ]
