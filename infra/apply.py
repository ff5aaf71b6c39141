"""Create the template's resources through the plain AWS APIs (moto, an emulator, or AWS).

The local stack and the tests use this instead of CloudFormation: it takes milliseconds under
moto where a stack takes seconds, and it refuses any resource type it does not know, so a new
resource in stack.py cannot silently go missing locally.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

TABLE_KEYS = ("TableName", "BillingMode", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes")
QUEUE_ATTRIBUTES = ("VisibilityTimeout", "MessageRetentionPeriod", "SqsManagedSseEnabled", "DelaySeconds")


def create_resources(template: dict[str, Any], dynamodb: Any, sqs: Any) -> dict[str, str]:
    """Create every resource (existing ones are kept); return logical id -> physical name."""
    created: dict[str, str] = {}
    arns: dict[str, str] = {}
    # Dead-letter queues first: the main queues' redrive policies point at them.
    ordered = sorted(template["Resources"].items(), key=lambda item: "RedrivePolicy" in item[1].get("Properties", {}))
    for logical, resource in ordered:
        kind, properties = resource["Type"], resource["Properties"]
        if kind == "AWS::DynamoDB::Table":
            created[logical] = _create_table(dynamodb, properties)
        elif kind == "AWS::SQS::Queue":
            created[logical], arns[logical] = _create_queue(sqs, properties, arns)
        else:
            raise ValueError(f"infra/apply.py cannot create {kind} ({logical}); teach it or use CloudFormation")
    return created


def _create_table(dynamodb: Any, properties: dict[str, Any]) -> str:
    request = {key: properties[key] for key in TABLE_KEYS if key in properties}
    name = request["TableName"]
    try:
        dynamodb.create_table(**request)
        dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceInUseException":
            raise
    ttl = properties.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        try:
            dynamodb.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True}
            )
        except ClientError as error:
            if "already enabled" not in str(error).lower():
                raise
    return name


def _create_queue(sqs: Any, properties: dict[str, Any], arns: dict[str, str]) -> tuple[str, str]:
    attributes = {key: _attribute(properties[key]) for key in QUEUE_ATTRIBUTES if key in properties}
    redrive = properties.get("RedrivePolicy")
    if redrive:
        target = redrive["deadLetterTargetArn"]
        if isinstance(target, dict):
            target = arns[target["Fn::GetAtt"][0]]
        attributes["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": target, "maxReceiveCount": str(redrive["maxReceiveCount"])}
        )
    url = sqs.create_queue(QueueName=properties["QueueName"], Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return properties["QueueName"], arn


def _attribute(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
