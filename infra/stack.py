"""Every AWS resource polyglot-desk owns, as a CloudFormation template built in Python.

Deploy merges `merge_template(stage)` into Chalice's output (`make package`); the local stack
and the tests create the same resources from `resources_template(stage)` against moto. Names
come from chalicelib.aws_resource_names, Lambda timeouts from .chalice/config.json, so a queue's
visibility timeout always covers its consumer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalicelib import aws_resource_names
from chalicelib.settings import secret_name_prefix, ssm_parameter_prefix
from infra import evidence_bucket, observability, protection
from infra.dashboard import dashboard_resource
from infra.table import table_resource

ROOT = Path(__file__).resolve().parent.parent
CHALICE_CONFIG = ROOT / ".chalice" / "config.json"

MAX_RECEIVE_COUNT = 5
DLQ_RETENTION_SECONDS = 14 * 24 * 3600
QUEUE_RETENTION_SECONDS = 4 * 24 * 3600
# The consumer of each pipeline queue (a Chalice function name).
CONSUMERS = {
    aws_resource_names.DETECT: "detect_language",
    aws_resource_names.TRANSLATE: "translate_ticket",
    aws_resource_names.ROUTE: "route_ticket",
    aws_resource_names.NOTIFY: "deliver_notifications",
    aws_resource_names.INCIDENTS: "fan_out_incident_updates",
}
# Desk and escalation queues are read by agents' tools, not Lambda: give a reader 5 minutes per message.
DESK_VISIBILITY_SECONDS = 300
FUNCTIONS = (
    "api_handler",
    "agent_authorizer",
    "detect_language",
    "translate_ticket",
    "route_ticket",
    "sweep_stuck_tickets",
    "escalate_overdue_tickets",
    "deliver_notifications",
    "fan_out_incident_updates",
)


# Actions IAM cannot scope to a resource, so the only ones a policy may grant on "*".
XRAY_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
TRANSLATE_ACTIONS = ("translate:TranslateText", "comprehend:DetectDominantLanguage")
UNSCOPABLE_ACTIONS = frozenset({*XRAY_ACTIONS, *TRANSLATE_ACTIONS})


def _logical(role: str) -> str:
    """CloudFormation logical id for a queue role: desk-latam -> DeskLatamQueue."""
    return "".join(part.capitalize() for part in role.split("-")) + "Queue"


def lambda_setting(stage: str, function: str, key: str) -> Any:
    config = json.loads(CHALICE_CONFIG.read_text())
    stage_config = config["stages"].get(stage, {})
    for scope in (stage_config.get("lambda_functions", {}).get(function, {}), stage_config, config):
        if key in scope:
            return scope[key]
    return {"lambda_timeout": 60, "lambda_memory_size": 128, "reserved_concurrency": None}[key]


def visibility_timeout(stage: str, role: str) -> int:
    consumer = CONSUMERS.get(role)
    if consumer is None:
        return DESK_VISIBILITY_SECONDS
    return 6 * int(lambda_setting(stage, consumer, "lambda_timeout"))


def queue_resources(stage: str, role: str) -> dict[str, Any]:
    logical = _logical(role)
    dead_letter = logical.replace("Queue", "DeadLetterQueue")
    return {
        dead_letter: {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": aws_resource_names.dead_letter_queue_name(stage, role),
                "MessageRetentionPeriod": DLQ_RETENTION_SECONDS,
                "SqsManagedSseEnabled": True,
            },
        },
        logical: {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": aws_resource_names.queue_name(stage, role),
                "VisibilityTimeout": visibility_timeout(stage, role),
                "MessageRetentionPeriod": QUEUE_RETENTION_SECONDS,
                "SqsManagedSseEnabled": True,
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": [dead_letter, "Arn"]},
                    "maxReceiveCount": MAX_RECEIVE_COUNT,
                },
            },
        },
    }


def resources_template(stage: str) -> dict[str, Any]:
    """The resources alone: deployable by itself, and what moto is given locally."""
    owned: dict[str, Any] = {"TicketsTable": table_resource(stage)}
    owned[evidence_bucket.LOGICAL_ID] = evidence_bucket.local_bucket(stage)
    for role in aws_resource_names.all_queue_roles():
        owned.update(queue_resources(stage, role))
    outputs: dict[str, Any] = {"TicketsTableName": {"Value": {"Ref": "TicketsTable"}}}
    outputs["EvidenceBucketName"] = {"Value": {"Ref": evidence_bucket.LOGICAL_ID}}
    for role in aws_resource_names.all_queue_roles():
        outputs[_logical(role) + "Url"] = {"Value": {"Ref": _logical(role)}}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"polyglot-desk {stage}: ticket table; queues with their DLQs; evidence bucket",
        "Resources": owned,
        "Outputs": outputs,
    }


def merge_template(stage: str) -> dict[str, Any]:
    """What `chalice package --merge-template` adds to Chalice's SAM output.

    Besides the resources: partial batch responses on every SQS event source (Chalice cannot
    set FunctionResponseTypes itself), a dependency of each worker on its queue, the support
    dashboard, the log groups and alarms (infra/observability.py), and the API's throttling,
    usage plan and the optional customer-managed key (infra/protection.py).
    """
    template = resources_template(stage)
    template["Parameters"] = {
        **observability.parameters(stage),
        **protection.parameters(),
        # Fuller batches, fewer requests per ticket (one read, send and delete per batch), for up
        # to this much latency per hop (docs/ARCHITECTURE.md, "Batching").
        "PipelineBatchWindowSeconds": {
            "Type": "Number",
            "Default": 1,
            "MinValue": 0,
            "MaxValue": 20,
            "Description": "MaximumBatchingWindowInSeconds of the pipeline workers' SQS event sources",
        },
    }
    template["Conditions"] = {**observability.conditions(), **protection.conditions()}
    template["Resources"]["SupportDashboard"] = dashboard_resource(stage)
    # The evidence bucket with the account in its name, and its name in the API's environment.
    template["Resources"][evidence_bucket.LOGICAL_ID] = evidence_bucket.deployed_bucket(stage)
    template["Resources"]["APIHandler"] = {
        "Properties": {"Environment": {"Variables": {"EVIDENCE_BUCKET": {"Ref": evidence_bucket.LOGICAL_ID}}}}
    }
    # API Gateway's own throttling, in front of the app's per-requester budgets: a flood is
    # turned away (429) before it reaches Lambda or the table.
    template["Resources"]["RestAPI"] = {"Properties": protection.rest_api_properties(stage)}
    template["Resources"]["ApiUsagePlan"] = protection.usage_plan(stage)
    for role, function in CONSUMERS.items():
        logical_function = _chalice_logical_id(function)
        source: dict[str, Any] = {
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "MaximumBatchingWindowInSeconds": {"Ref": "PipelineBatchWindowSeconds"},
        }
        reserved = lambda_setting(stage, function, "reserved_concurrency")
        if reserved is not None:
            # The pollers never invoke more than the function may run: a throttled invocation
            # would put the batch back with its receive count raised, and healthy messages would
            # reach the dead-letter queue under a burst (docs/SCALING.md).
            source["ScalingConfig"] = {"MaximumConcurrency": max(2, min(1000, int(reserved)))}
        template["Resources"][logical_function] = {
            "DependsOn": [_logical(role)],
            "Properties": {"Events": {f"{logical_function}SqsEventSource": {"Properties": source}}},
        }
    timeouts = {function: int(lambda_setting(stage, function, "lambda_timeout")) for function in FUNCTIONS}
    sweep_after = int(stage_environment(stage).get("SWEEP_AFTER_SECONDS", "300"))
    api_stage = str(stage_config(stage).get("api_gateway_stage", "api"))
    template["Resources"].update(observability.resources(stage, timeouts, CONSUMERS, sweep_after, api_stage))
    for function in FUNCTIONS:
        logical = _chalice_logical_id(function)
        override = template["Resources"].setdefault(logical, {})
        override.setdefault("Properties", {}).update(observability.logging_config(function))
    # Every function but the authorizer sends or reads messages.
    roles = [_role_logical_id(function) for function in FUNCTIONS if function != "agent_authorizer"]
    protection.encrypt_with_customer_key(template, roles)
    return template


def stage_config(stage: str) -> dict[str, Any]:
    return json.loads(CHALICE_CONFIG.read_text())["stages"].get(stage, {})


def stage_environment(stage: str) -> dict[str, str]:
    """The environment variables a stage's functions get from .chalice/config.json."""
    config = json.loads(CHALICE_CONFIG.read_text())
    return {**config.get("environment_variables", {}), **stage_config(stage).get("environment_variables", {})}


def _role_logical_id(function: str) -> str:
    """Chalice's logical id for a function's role: api_handler -> ApiHandlerRole."""
    return "".join(part.capitalize() for part in function.split("_")) + "Role"


def _chalice_logical_id(function: str) -> str:
    """Chalice's logical id for a function: detect_language -> DetectLanguage."""
    return observability.function_logical_id(function)


def iam_policy(stage: str, function: str) -> dict[str, Any]:
    """Least privilege per function, written to .chalice/policy-<stage>-<function>.json."""
    table = f"arn:aws:dynamodb:*:*:table/{aws_resource_names.table_name(stage)}"

    def queue(role: str) -> str:
        return f"arn:aws:sqs:*:*:{aws_resource_names.queue_name(stage, role)}"

    logs = {
        "Effect": "Allow",
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": "arn:aws:logs:*:*:*",
    }
    read_ticket = ["dynamodb:GetItem", "dynamodb:BatchGetItem"]
    send = ["sqs:SendMessage", "sqs:GetQueueUrl"]
    consume = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
    # X-Ray's write actions have no resource-level permissions: "*" is the narrowest there is.
    tracing = {"Effect": "Allow", "Action": list(XRAY_ACTIONS), "Resource": "*"}
    statements: list[dict[str, Any]] = [logs, tracing]
    if function == "api_handler":
        statements += [
            # Query: a ticket's conversation (its MSG# items) is read with the ticket.
            # BatchGetItem: the desk's work lists and claim candidates.
            {
                "Effect": "Allow",
                # UpdateItem: the support metrics' counters, in the transaction of a desk change.
                # DeleteItem, BatchWriteItem: linking and unlinking tickets to incidents.
                "Action": [
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:Query",
                    "dynamodb:DeleteItem",
                    "dynamodb:BatchWriteItem",
                ],
                "Resource": table,
            },
            # The desk's work lists and the ETA's count of open tickets ahead.
            {"Effect": "Allow", "Action": ["dynamodb:Query"], "Resource": f"{table}/index/by_region"},
            # detect: new tickets; translate: new messages and replies; notify: waiting, resolved
            {
                "Effect": "Allow",
                "Action": send,
                "Resource": [
                    queue(aws_resource_names.DETECT),
                    queue(aws_resource_names.TRANSLATE),
                    queue(aws_resource_names.NOTIFY),
                    queue(aws_resource_names.INCIDENTS),  # an incident update's fan-out
                ],
            },
            *secret_statements(stage),  # the agent token key
            *evidence_bucket.api_statements(stage),  # evidence uploads (presigned) and downloads
        ]
    elif function == "agent_authorizer":
        # BatchGetItem: the revocations of the agent and of the token (REVOKED# items).
        statements += [
            *secret_statements(stage),
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:BatchGetItem"], "Resource": table},
        ]
    elif function in ("detect_language", "translate_ticket", "route_ticket"):
        role = next(role for role, consumer in CONSUMERS.items() if consumer == function)
        # Each of the three routes the tickets it can (domain/stages.through_desk): detect those
        # that owe no translation, translate the ones it translated, route what the sweeper re-sends.
        desks = [aws_resource_names.desk_role(region) for region in aws_resource_names.REGIONS]
        next_roles = {
            aws_resource_names.DETECT: [aws_resource_names.TRANSLATE, aws_resource_names.ROUTE, *desks],
            aws_resource_names.TRANSLATE: [aws_resource_names.ROUTE, *desks],
            aws_resource_names.ROUTE: desks,
        }[role]
        # UpdateItem: the support metrics' counters, in the transaction of a ticket write that
        # moves them (the projection decides which do, not the worker), and the outbox.
        write = ["dynamodb:PutItem", "dynamodb:UpdateItem"]
        # The acknowledgement goes out from whichever routes; translate also announces replies.
        next_roles = [*next_roles, aws_resource_names.NOTIFY]
        statements += [
            {"Effect": "Allow", "Action": read_ticket + write, "Resource": table},
            {"Effect": "Allow", "Action": consume, "Resource": queue(role)},
            {"Effect": "Allow", "Action": send, "Resource": [queue(next_role) for next_role in next_roles]},
            *acknowledgement_statements(table),
        ]
        if role == aws_resource_names.TRANSLATE:
            statements += translation_statements(stage)
        else:
            statements += secret_statements(stage)  # the acknowledgement's page link is signed
    elif function == "sweep_stuck_tickets":
        statements += [
            {"Effect": "Allow", "Action": ["dynamodb:Query"], "Resource": f"{table}/index/by_pipeline_stage"},
            # PutItem: a notification's next attempt, the acknowledgement of a routed ticket, a
            # survey asked; BatchGetItem: the notifications and surveys the index says are due.
            {
                "Effect": "Allow",
                "Action": ["dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchGetItem"],
                "Resource": table,
            },
            {
                "Effect": "Allow",
                "Action": send,
                "Resource": [
                    queue(role)
                    for role in (
                        *aws_resource_names.PIPELINE_QUEUES,
                        aws_resource_names.NOTIFY,
                        *aws_resource_names.desk_roles(),
                    )
                ],
            },
            *acknowledgement_statements(table),
        ]
    elif function == "deliver_notifications":
        statements += [
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Resource": table},
            {"Effect": "Allow", "Action": consume, "Resource": queue(aws_resource_names.NOTIFY)},
            # The sender is configuration: any verified identity of the account (SES checks the
            # identity, and the configuration set when one is used).
            {
                "Effect": "Allow",
                "Action": ["ses:SendEmail"],
                "Resource": ["arn:aws:ses:*:*:identity/*", "arn:aws:ses:*:*:configuration-set/*"],
            },
            *secret_statements(stage),  # the webhook signing key
        ]
    elif function == "fan_out_incident_updates":
        statements += [
            # The incident, a page of its links (Query) and the tickets; PutItem: the messages, the
            # translation cache, notifications and resolutions; UpdateItem: the support metrics.
            {
                "Effect": "Allow",
                "Action": [*read_ticket, "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                "Resource": table,
            },
            {"Effect": "Allow", "Action": consume, "Resource": queue(aws_resource_names.INCIDENTS)},
            # incidents: the next page and retries; notify: what the requesters are told
            {
                "Effect": "Allow",
                "Action": send,
                "Resource": [queue(aws_resource_names.INCIDENTS), queue(aws_resource_names.NOTIFY)],
            },
            *translation_statements(stage),
        ]
    elif function == "escalate_overdue_tickets":
        statements += [
            {"Effect": "Allow", "Action": ["dynamodb:Query"], "Resource": f"{table}/index/by_escalation"},
            # BatchGetItem: the due tickets; PutItem: the escalation, conditional on the version;
            # UpdateItem: the backlog's breached counter, in the same transaction.
            {"Effect": "Allow", "Action": [*read_ticket, "dynamodb:PutItem", "dynamodb:UpdateItem"], "Resource": table},
            {
                "Effect": "Allow",
                "Action": send,
                "Resource": [queue(role) for role in aws_resource_names.escalation_roles()],
            },
        ]
    else:
        raise ValueError(f"no policy for {function}")
    return {"Version": "2012-10-17", "Statement": statements}


def acknowledgement_statements(table: str) -> list[dict[str, Any]]:
    """The acknowledgement's ETA: the queue ahead (by_region) and recent first responses."""
    return [
        {"Effect": "Allow", "Action": ["dynamodb:Query"], "Resource": [table, f"{table}/index/by_region"]},
    ]


def translation_statements(stage: str) -> list[dict[str, Any]]:
    """What a function that translates needs: Amazon Translate, and the provider keys."""
    return [
        # Neither has resource-level permissions: "*" is the narrowest there is. Comprehend is
        # what Amazon Translate calls to detect the source when it is "auto".
        {
            "Effect": "Allow",
            "Action": list(TRANSLATE_ACTIONS),
            "Resource": "*",
        },
        *secret_statements(stage),
    ]


def secret_statements(stage: str) -> list[dict[str, Any]]:
    """Reading secrets that live under the stage's prefix in SSM Parameter Store or Secrets
    Manager (only there): provider keys, the agent token key."""
    return [
        {
            "Effect": "Allow",
            "Action": ["ssm:GetParameter"],
            # The prefix already starts with "/": parameter ARNs join it without another one.
            "Resource": f"arn:aws:ssm:*:*:parameter{ssm_parameter_prefix(stage)}*",
        },
        {
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": f"arn:aws:secretsmanager:*:*:secret:{secret_name_prefix(stage)}*",
        },
    ]


def policy_path(stage: str, function: str) -> Path:
    return ROOT / ".chalice" / f"policy-{stage}-{function}.json"


def render_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"
