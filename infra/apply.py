"""Create the template's resources through the plain AWS APIs (moto, an emulator, or AWS).

The local stack and the tests use this instead of CloudFormation: it takes milliseconds under
moto where a stack takes seconds, and it refuses any resource type it does not know, so a new
resource in stack.py cannot silently go missing locally.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

TABLE_KEYS = ("TableName", "BillingMode", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes")
QUEUE_ATTRIBUTES = ("VisibilityTimeout", "MessageRetentionPeriod", "SqsManagedSseEnabled", "DelaySeconds")


def create_resources(template: dict[str, Any], dynamodb: Any, sqs: Any, s3: Any = None) -> dict[str, str]:
    """Create every resource (existing ones are kept, buckets' settings applied again); return
    logical id -> physical name. Without `s3`, a client in the DynamoDB client's region."""
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
        elif kind == "AWS::S3::Bucket":
            s3 = s3 or boto3.client("s3", region_name=dynamodb.meta.region_name)
            created[logical] = _create_bucket(s3, properties)
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


def _create_bucket(s3: Any, properties: dict[str, Any]) -> str:
    """The bucket with its encryption, public access block, ownership, CORS and lifecycle (the
    template's CloudFormation spelling turned into the S3 API's)."""
    name = properties["BucketName"]
    region = s3.meta.region_name
    request: dict[str, Any] = {"Bucket": name}
    if region and region != "us-east-1":
        request["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(**request)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code == "BucketAlreadyExists":
            raise ValueError(f"the bucket name {name} belongs to another account: set EVIDENCE_BUCKET") from error
        if code != "BucketAlreadyOwnedByYou":
            raise
    if "BucketEncryption" in properties:
        rules = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
                        **({"BucketKeyEnabled": rule["BucketKeyEnabled"]} if "BucketKeyEnabled" in rule else {}),
                    }
                    for rule in rules
                ]
            },
        )
    if "PublicAccessBlockConfiguration" in properties:
        s3.put_public_access_block(
            Bucket=name, PublicAccessBlockConfiguration=properties["PublicAccessBlockConfiguration"]
        )
    if "OwnershipControls" in properties:
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=properties["OwnershipControls"])
    if "CorsConfiguration" in properties:
        s3.put_bucket_cors(
            Bucket=name,
            CORSConfiguration={
                "CORSRules": [_cors_rule(rule) for rule in properties["CorsConfiguration"]["CorsRules"]]
            },
        )
    if "LifecycleConfiguration" in properties:
        rules = [_lifecycle_rule(rule) for rule in properties["LifecycleConfiguration"]["Rules"]]
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": rules})
    return name


def _cors_rule(rule: dict[str, Any]) -> dict[str, Any]:
    spelled = {
        "AllowedMethods": "AllowedMethods",
        "AllowedOrigins": "AllowedOrigins",
        "AllowedHeaders": "AllowedHeaders",
        "ExposedHeaders": "ExposeHeaders",
        "MaxAge": "MaxAgeSeconds",
        "Id": "ID",
    }
    return {api: rule[cfn] for cfn, api in spelled.items() if cfn in rule}


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    converted: dict[str, Any] = {
        "ID": rule["Id"],
        "Status": rule["Status"],
        "Filter": {"Prefix": rule.get("Prefix", "")},
    }
    if "AbortIncompleteMultipartUpload" in rule:
        converted["AbortIncompleteMultipartUpload"] = rule["AbortIncompleteMultipartUpload"]
    if "ExpirationInDays" in rule:
        converted["Expiration"] = {"Days": rule["ExpirationInDays"]}
    return converted
