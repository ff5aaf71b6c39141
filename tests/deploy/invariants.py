"""Configuration invariants of a deployed stage's template, as functions over a template dict, so
the same checks read infra/'s merge template for every stage (fast) and the chalice-packaged dev
template (slow, tests/deploy/conftest.py). Each returns what breaks the invariant: [] is good."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from infra.observability import TOPIC_PARAMETER
from infra.stack import UNSCOPABLE_ACTIONS

MIN_RECEIVE_COUNT = 5


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: resource for name, resource in template["Resources"].items() if resource.get("Type") == kind}


def queue_names(template: dict[str, Any]) -> dict[str, str]:
    """logical id -> QueueName, for every queue."""
    return {name: queue["Properties"]["QueueName"] for name, queue in of_type(template, "AWS::SQS::Queue").items()}


def dead_letter_queues(template: dict[str, Any]) -> set[str]:
    """The logical ids some queue's redrive policy points at."""
    return {
        queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for queue in of_type(template, "AWS::SQS::Queue").values()
        if "RedrivePolicy" in queue["Properties"]
    }


def queues_without_a_dead_letter_queue(template: dict[str, Any]) -> list[str]:
    dlqs = dead_letter_queues(template)
    problems = []
    for name, queue in of_type(template, "AWS::SQS::Queue").items():
        if name in dlqs:
            if "RedrivePolicy" in queue["Properties"]:
                problems.append(f"{name}: a dead-letter queue with a dead-letter queue of its own")
            continue
        redrive = queue["Properties"].get("RedrivePolicy")
        if redrive is None:
            problems.append(f"{name}: no dead-letter queue")
        elif int(redrive["maxReceiveCount"]) < MIN_RECEIVE_COUNT:
            problems.append(f"{name}: maxReceiveCount {redrive['maxReceiveCount']} < {MIN_RECEIVE_COUNT}")
    targets = [
        queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for queue in of_type(template, "AWS::SQS::Queue").values()
        if "RedrivePolicy" in queue["Properties"]
    ]
    problems += [f"{dlq}: shared by several queues" for dlq in dlqs if targets.count(dlq) > 1]
    return problems


def dead_letter_queues_without_an_alarm(template: dict[str, Any]) -> list[str]:
    names = queue_names(template)
    watched = {
        dimension["Value"]
        for alarm in of_type(template, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Namespace") == "AWS/SQS"
        and alarm["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"
        and alarm["Properties"].get("ComparisonOperator") == "GreaterThanThreshold"
        and alarm["Properties"].get("Threshold") == 0
        for dimension in alarm["Properties"]["Dimensions"]
        if dimension["Name"] == "QueueName"
    }
    return sorted(names[dlq] for dlq in dead_letter_queues(template) if names[dlq] not in watched)


def alarms_not_sent_to_the_topic(template: dict[str, Any]) -> list[str]:
    wanted = {"Fn::If": ["HasAlarmTopic", [{"Ref": TOPIC_PARAMETER}], {"Ref": "AWS::NoValue"}]}
    return sorted(
        name
        for name, alarm in of_type(template, "AWS::CloudWatch::Alarm").items()
        if alarm["Properties"].get("AlarmActions") != wanted or alarm["Properties"].get("OKActions") != wanted
    )


def log_groups_without_retention(template: dict[str, Any]) -> list[str]:
    return sorted(
        name
        for name, group in of_type(template, "AWS::Logs::LogGroup").items()
        if not group["Properties"].get("RetentionInDays")
    )


def functions_without_a_log_group(template: dict[str, Any], functions: list[str]) -> list[str]:
    """`functions`: logical ids; each must log, through its LoggingConfig, into a log group of
    the template (so the group, with its retention, exists before the function first runs)."""
    groups = of_type(template, "AWS::Logs::LogGroup")
    problems = []
    for function in functions:
        config = template["Resources"].get(function, {}).get("Properties", {}).get("LoggingConfig", {})
        if config.get("LogGroup", {}).get("Ref") not in groups:
            problems.append(function)
    names = [json.dumps(group["Properties"]["LogGroupName"]) for group in groups.values()]
    problems += [f"{name} twice" for name in set(names) if names.count(name) > 1]
    return sorted(problems)


def policy_documents(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, role in of_type(template, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            yield name, policy["PolicyDocument"]
    for name, policy in of_type(template, "AWS::IAM::Policy").items():
        yield name, policy["Properties"]["PolicyDocument"]


def too_broad_statements(documents: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """No Action "*" (or "<service>:*"); Resource "*" only for actions IAM cannot scope."""
    problems = []
    for name, document in documents:
        for statement in document["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            if any(action == "*" or action.endswith(":*") for action in actions):
                problems.append(f"{name}: Action {actions}")
            if "*" in resources and not set(actions) <= UNSCOPABLE_ACTIONS:
                problems.append(f"{name}: Resource * for {sorted(set(actions) - UNSCOPABLE_ACTIONS)}")
    return problems


def alarmed_metrics(template: dict[str, Any], namespace: str, metric: str) -> set[str]:
    """The dimension values (as JSON) alarmed on for `metric`."""
    return {
        json.dumps(alarm["Properties"]["Dimensions"][0]["Value"])
        for alarm in of_type(template, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Namespace") == namespace and alarm["Properties"].get("MetricName") == metric
    }
