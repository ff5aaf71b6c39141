"""The ticket table: one DynamoDB table, its three sparse indexes, TTL, point-in-time recovery
and deletion protection in prod, encrypted at rest (an AWS-managed key unless the deployed
template is given a customer-managed one: infra/protection.py)."""

from __future__ import annotations

from typing import Any

from chalicelib import aws_resource_names


def table_resource(stage: str) -> dict[str, Any]:
    attributes = ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"]
    return {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "TableName": aws_resource_names.table_name(stage),
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": name, "AttributeType": "S"} for name in attributes],
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "GlobalSecondaryIndexes": [
                {
                    # A region's open work list: most urgent, then earliest deadline, first.
                    "IndexName": "by_region",
                    "KeySchema": [
                        {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                        {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["ticket_id", "status", "version"]},
                },
                {
                    # Tickets still owed a pipeline step, by when they last moved (sparse).
                    "IndexName": "by_pipeline_stage",
                    "KeySchema": [
                        {"AttributeName": "gsi2pk", "KeyType": "HASH"},
                        {"AttributeName": "gsi2sk", "KeyType": "RANGE"},
                    ],
                    "Projection": {
                        "ProjectionType": "INCLUDE",
                        "NonKeyAttributes": [
                            "ticket_id",
                            "message_id",
                            "status",
                            "version",
                            "correlation_id",
                            "sweep_attempts",
                            "region",
                        ],
                    },
                },
                {
                    # Open and claimed tickets by when their escalation level next rises (sparse);
                    # the worker reads the tickets themselves, so the ids are enough.
                    "IndexName": "by_escalation",
                    "KeySchema": [
                        {"AttributeName": "gsi3pk", "KeyType": "HASH"},
                        {"AttributeName": "gsi3sk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["ticket_id", "version", "region"]},
                },
            ],
            "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": stage == "prod"},
            # prod's table refuses DeleteTable until an operator turns this off (teardown: README).
            "DeletionProtectionEnabled": stage == "prod",
            "SSESpecification": {"SSEEnabled": True},
        },
    }
