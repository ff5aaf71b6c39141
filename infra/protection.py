"""What protects a deployed stage (`merge_template` only): API Gateway's throttling and usage
plan, X-Ray on the API stage, and the encryption choice for the queues and the table.

- Throttling: the stage as a whole (`ApiRateLimit`/`ApiBurstLimit`) and, lower, the routes
  anybody may call without a token (`WriteRouteRateLimit`/`WriteRouteBurstLimit`); parameters, so
  each stage's stack sets its own. A flood gets 429 before it reaches Lambda or the table. The
  usage plan caps any API key the platform issues later (partner integrations) at the stage's
  limits; no route requires a key, so it does not gate requesters.
- Encryption: SQS-managed keys (SSE-SQS) and DynamoDB's AWS-managed key by default, at no setup;
  `KmsKeyArn` (a customer-managed KMS key) switches both to that key and gives every function
  that sends or reads messages the right to use it (the key's policy must let the account's IAM
  decide, the default key policy does).
"""

from __future__ import annotations

from typing import Any

from chalicelib import aws_resource_names
from infra.observability import api_name

# Requests per second (steady, burst) for the whole stage and for the anonymous write routes.
STAGE_THROTTLE = (1000, 2000)
ROUTE_THROTTLES = {
    ("/tickets", "POST"): (200, 400),
    ("/tickets/{ticket_id}/messages", "POST"): (200, 400),
    ("/help/answers", "POST"): (200, 400),
}
KMS_PARAMETER = "KmsKeyArn"
USE_CUSTOMER_KEY = "UseCustomerKey"
NO_VALUE = {"Ref": "AWS::NoValue"}


def parameters() -> dict[str, Any]:
    rate, burst = STAGE_THROTTLE
    route_rate, route_burst = max(ROUTE_THROTTLES.values())

    def number(default: int, description: str) -> dict[str, Any]:
        return {"Type": "Number", "Default": default, "MinValue": 1, "Description": description}

    return {
        "ApiRateLimit": number(rate, "Requests per second the whole API stage accepts (steady)"),
        "ApiBurstLimit": number(burst, "Requests the whole API stage accepts in a burst"),
        "WriteRouteRateLimit": number(
            route_rate, "Requests per second on each anonymous write route (POST /tickets, messages, help)"
        ),
        "WriteRouteBurstLimit": number(route_burst, "Burst on each anonymous write route"),
        KMS_PARAMETER: {
            "Type": "String",
            "Default": "",
            "Description": "A customer-managed KMS key ARN for the queues and the table (empty: AWS-managed keys)",
        },
    }


def conditions() -> dict[str, Any]:
    return {USE_CUSTOMER_KEY: {"Fn::Not": [{"Fn::Equals": [{"Ref": KMS_PARAMETER}, ""]}]}}


def api_throttling() -> list[dict[str, Any]]:
    """The REST API stage's MethodSettings: a stage-wide limit, and lower ones on the routes
    anybody may call without a token. API Gateway wants the path with its leading `/`, then the
    path's own slashes as `~1`: /tickets -> /~1tickets."""
    settings = [
        {
            "ResourcePath": "/*",
            "HttpMethod": "*",
            "ThrottlingRateLimit": {"Ref": "ApiRateLimit"},
            "ThrottlingBurstLimit": {"Ref": "ApiBurstLimit"},
        }
    ]
    for path, method in ROUTE_THROTTLES:
        settings.append(
            {
                "ResourcePath": "/" + path.replace("/", "~1"),
                "HttpMethod": method,
                "ThrottlingRateLimit": {"Ref": "WriteRouteRateLimit"},
                "ThrottlingBurstLimit": {"Ref": "WriteRouteBurstLimit"},
            }
        )
    return settings


def rest_api_properties(stage: str) -> dict[str, Any]:
    """Merged into Chalice's RestAPI: its name per stage (the ApiName of its metrics, which the
    alarms name), X-Ray on the stage, and the throttling."""
    return {
        "Name": api_name(stage),
        "DefinitionBody": {"info": {"title": api_name(stage)}},
        "TracingEnabled": True,
        "MethodSettings": api_throttling(),
    }


def usage_plan(stage: str) -> dict[str, Any]:
    return {
        "Type": "AWS::ApiGateway::UsagePlan",
        "Properties": {
            "UsagePlanName": f"{aws_resource_names.APP_NAME}-{stage}",
            "Description": "Caps any API key issued for this stage at the stage's own limits",
            "ApiStages": [{"ApiId": {"Ref": "RestAPI"}, "Stage": {"Ref": "RestAPI.Stage"}}],
            "Throttle": {"RateLimit": {"Ref": "ApiRateLimit"}, "BurstLimit": {"Ref": "ApiBurstLimit"}},
        },
    }


def encrypt_with_customer_key(template: dict[str, Any], role_logical_ids: list[str]) -> None:
    """Point every queue and the table at `KmsKeyArn` when it is given (else they keep the
    AWS-managed keys), and let `role_logical_ids` use the key."""
    use_key = {"Fn::If": [USE_CUSTOMER_KEY, {"Ref": KMS_PARAMETER}, NO_VALUE]}
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::SQS::Queue":
            resource["Properties"]["SqsManagedSseEnabled"] = {"Fn::If": [USE_CUSTOMER_KEY, NO_VALUE, True]}
            resource["Properties"]["KmsMasterKeyId"] = use_key
        elif resource.get("Type") == "AWS::DynamoDB::Table":
            resource["Properties"]["SSESpecification"] = {
                "SSEEnabled": True,
                "SSEType": "KMS",
                "KMSMasterKeyId": use_key,
            }
    template["Resources"]["CustomerKeyPolicy"] = {
        "Type": "AWS::IAM::Policy",
        "Condition": USE_CUSTOMER_KEY,
        "Properties": {
            "PolicyName": "customer-managed-key",
            "Roles": [{"Ref": role} for role in role_logical_ids],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        # SQS: senders GenerateDataKey, readers Decrypt; DynamoDB the rest.
                        "Effect": "Allow",
                        "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                        "Resource": {"Ref": KMS_PARAMETER},
                    }
                ],
            },
        },
    }
