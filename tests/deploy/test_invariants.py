"""What a platform engineer checks before running a stage, as tests: every queue with a DLQ and an
alarm on it, visibility over the consumer's timeout, partial batch responses, every function
watched and its logs kept for a while, least privilege, and the stage differences that matter.

The merge template (infra/) is read for both deployed stages (fast); the chalice-packaged dev
template, built once per session (tests/deploy/conftest.py), is read for what Chalice adds (slow).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib import aws_resource_names
from infra import observability
from infra.stack import CONSUMERS, FUNCTIONS, iam_policy, lambda_setting, merge_template, stage_environment
from tests.deploy import invariants
from tests.deploy.conftest import STAGE

DEPLOYED_STAGES = ("dev", "prod")
LOGICAL_FUNCTIONS = [observability.function_logical_id(function) for function in FUNCTIONS]


@pytest.fixture(scope="module", params=DEPLOYED_STAGES)
def staged(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    return request.param, merge_template(request.param)


def test_every_queue_has_its_own_dead_letter_queue_after_at_least_5_receives(staged):
    _stage, template = staged
    assert invariants.queues_without_a_dead_letter_queue(template) == []
    # 15 queues and their 15 dead-letter queues
    assert len(invariants.queue_names(template)) == 2 * len(aws_resource_names.all_queue_roles()) == 30


def test_every_dead_letter_queue_has_an_alarm_and_every_alarm_tells_the_topic(staged):
    stage, template = staged
    assert invariants.dead_letter_queues_without_an_alarm(template) == []
    assert invariants.alarms_not_sent_to_the_topic(template) == []
    names = [
        alarm["Properties"]["AlarmName"] for alarm in invariants.of_type(template, "AWS::CloudWatch::Alarm").values()
    ]
    assert len(names) == len(set(names)) and all(name.startswith(f"polyglot-desk-{stage}-") for name in names)


def test_queue_visibility_is_at_least_six_times_its_consumers_timeout(staged):
    stage, template = staged
    queues = {
        queue["Properties"]["QueueName"]: queue["Properties"]
        for queue in template["Resources"].values()
        if queue.get("Type") == "AWS::SQS::Queue"
    }
    for role, function in CONSUMERS.items():
        timeout = int(lambda_setting(stage, function, "lambda_timeout"))
        assert queues[aws_resource_names.queue_name(stage, role)]["VisibilityTimeout"] >= 6 * timeout, role


def test_every_lambda_consumer_reports_partial_batch_failures_and_every_sqs_handler_is_a_consumer(staged):
    stage, template = staged
    from app import app

    # Every SQS handler the app registers is one infra/ knows the queue of
    handlers = {source.name for source in app.event_sources if type(source).__name__ == "SQSEventConfig"}
    assert handlers == set(CONSUMERS.values())
    for function in CONSUMERS.values():
        logical = observability.function_logical_id(function)
        events = template["Resources"][logical]["Properties"]["Events"]
        assert [event["Properties"]["FunctionResponseTypes"] for event in events.values()] == [
            ["ReportBatchItemFailures"]
        ]
    assert stage_environment(stage)["REPORT_BATCH_ITEM_FAILURES"] == "true"


def test_a_worker_with_reserved_concurrency_is_never_invoked_past_it_by_its_queue(staged):
    # Given the stage's functions and their event sources
    stage, template = staged
    for function in CONSUMERS.values():
        reserved = lambda_setting(stage, function, "reserved_concurrency")
        logical = observability.function_logical_id(function)
        [source] = template["Resources"][logical]["Properties"]["Events"].values()

        # Then a function with reserved concurrency caps its pollers at it (throttled invocations
        # would dead-letter healthy messages), and every pipeline source gathers batches
        scaling = source["Properties"].get("ScalingConfig")
        assert scaling == ({"MaximumConcurrency": reserved} if reserved else None), function
        assert source["Properties"]["MaximumBatchingWindowInSeconds"] == {"Ref": "PipelineBatchWindowSeconds"}


def test_every_function_has_a_log_group_with_retention_and_the_alarms_an_operator_needs(staged):
    stage, template = staged
    assert invariants.functions_without_a_log_group(template, LOGICAL_FUNCTIONS) == []
    assert invariants.log_groups_without_retention(template) == []
    assert template["Parameters"]["LogRetentionDays"]["Default"] == {"dev": "14", "prod": "90"}[stage]
    wanted = {json.dumps({"Ref": logical}) for logical in LOGICAL_FUNCTIONS}
    for metric in ("Errors", "Throttles", "Duration"):
        assert invariants.alarmed_metrics(template, "AWS/Lambda", metric) == wanted, metric
    # Duration alarms fire before the timeout, not after
    for function in FUNCTIONS:
        alarm = template["Resources"][observability.function_logical_id(function) + "DurationAlarm"]["Properties"]
        assert alarm["Threshold"] < 1000 * int(lambda_setting(stage, function, "lambda_timeout"))
    # The scheduled workers: an alarm when they have not run for three minutes (missing = breaching)
    schedules = invariants.alarmed_metrics(template, "AWS/Lambda", "Invocations")
    assert schedules == {
        json.dumps({"Ref": observability.function_logical_id(f)}) for f in observability.SCHEDULED_FUNCTIONS
    }


def test_lambda_consumed_queues_have_an_age_alarm_and_the_api_its_5xx_and_latency_alarms(staged):
    stage, template = staged
    aged = invariants.alarmed_metrics(template, "AWS/SQS", "ApproximateAgeOfOldestMessage")
    assert aged == {json.dumps(aws_resource_names.queue_name(stage, role)) for role in CONSUMERS}
    api = {
        alarm["Properties"]["MetricName"]: alarm["Properties"]
        for alarm in invariants.of_type(template, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"]["Namespace"] == "AWS/ApiGateway"
    }
    assert set(api) == {"5XXError", "Latency"}
    assert api["Latency"]["ExtendedStatistic"] == "p99"
    # ApiName is the stage's own, so dev and prod in one account do not share the alarms' metrics
    assert api["5XXError"]["Dimensions"][0] == {"Name": "ApiName", "Value": f"polyglot-desk-{stage}"}
    assert template["Resources"]["RestAPI"]["Properties"]["Name"] == f"polyglot-desk-{stage}"


def test_translation_circuit_and_failure_alarms_count_what_the_translator_logs(staged):
    stage, template = staged
    filters = invariants.of_type(template, "AWS::Logs::MetricFilter")
    # Given the messages chalicelib/adapters/resilient_translator.py logs
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "chalicelib/adapters/resilient_translator.py").read_text()
    for pattern in observability.LOG_METRICS.values():
        for message in pattern.split('"')[1::2]:
            assert f'"{message}"' in source, message  # the filter names a message the app writes
    # Then each translating function's log group has both filters, and each metric an alarm
    assert len(filters) == len(observability.TRANSLATING_FUNCTIONS) * len(observability.LOG_METRICS)
    metrics = {f["Properties"]["MetricTransformations"][0]["MetricName"] for f in filters.values()}
    assert metrics == {f"{metric}-{stage}" for metric in observability.LOG_METRICS}
    alarmed = {a["Properties"]["MetricName"] for a in invariants.of_type(template, "AWS::CloudWatch::Alarm").values()}
    assert metrics <= alarmed


def test_no_policy_grants_every_action_and_star_resources_are_only_for_unscopable_actions(staged):
    stage, template = staged
    documents = [(function, iam_policy(stage, function)) for function in FUNCTIONS]
    documents += list(invariants.policy_documents(template))
    assert invariants.too_broad_statements(documents) == []


def test_stage_protections(staged):
    stage, template = staged
    table = template["Resources"]["TicketsTable"]["Properties"]
    # prod's table cannot be deleted by accident and can be restored to any second of 35 days
    assert table["DeletionProtectionEnabled"] is (stage == "prod")
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is (stage == "prod")
    assert template["Resources"]["TicketsTable"]["DeletionPolicy"] == "Retain"
    # Encryption at rest everywhere: AWS-managed keys, or the customer key when KmsKeyArn is given
    assert table["SSESpecification"]["SSEEnabled"] is True
    for queue in invariants.of_type(template, "AWS::SQS::Queue").values():
        assert queue["Properties"]["SqsManagedSseEnabled"] == {
            "Fn::If": ["UseCustomerKey", {"Ref": "AWS::NoValue"}, True]
        }
        assert queue["Properties"]["KmsMasterKeyId"]["Fn::If"][1] == {"Ref": "KmsKeyArn"}
    # Throttling from the stage's parameters, on paths API Gateway understands (/~1tickets)
    settings = template["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
    assert settings[0] == {
        "ResourcePath": "/*",
        "HttpMethod": "*",
        "ThrottlingRateLimit": {"Ref": "ApiRateLimit"},
        "ThrottlingBurstLimit": {"Ref": "ApiBurstLimit"},
    }
    assert {s["ResourcePath"] for s in settings[1:]} == {
        "/~1tickets",
        "/~1tickets~1{ticket_id}~1messages",
        "/~1help~1answers",
    }
    plan = template["Resources"]["ApiUsagePlan"]["Properties"]
    assert plan["Throttle"] == {"RateLimit": {"Ref": "ApiRateLimit"}, "BurstLimit": {"Ref": "ApiBurstLimit"}}


def test_throttled_routes_are_routes_of_the_app():
    from app import app

    for path, method in {
        (s["ResourcePath"], s["HttpMethod"])
        for s in merge_template(STAGE)["Resources"]["RestAPI"]["Properties"]["MethodSettings"][1:]
    }:
        route = path[1:].replace("~1", "/")
        assert method in app.routes[route], (route, method)


# --- the packaged template (slow: chalice package, once per session) ---------------------------


@pytest.mark.slow
def test_the_packaged_template_keeps_every_invariant(template: dict[str, Any]):
    functions = invariants.of_type(template, "AWS::Serverless::Function")
    # Every function Chalice packaged is one infra/ knows (so it has a policy, a log group, alarms)
    assert sorted(functions) == sorted(LOGICAL_FUNCTIONS)
    assert invariants.queues_without_a_dead_letter_queue(template) == []
    assert invariants.dead_letter_queues_without_an_alarm(template) == []
    assert invariants.alarms_not_sent_to_the_topic(template) == []
    assert invariants.functions_without_a_log_group(template, LOGICAL_FUNCTIONS) == []
    assert invariants.log_groups_without_retention(template) == []
    assert invariants.too_broad_statements(list(invariants.policy_documents(template))) == []
    queues = {
        queue["Properties"]["QueueName"]: queue["Properties"]
        for queue in invariants.of_type(template, "AWS::SQS::Queue").values()
    }
    for name, function in functions.items():
        # X-Ray active on every function
        assert function["Properties"]["Tracing"] == "Active", name
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] != "SQS":
                continue
            # Every event source mapping reports partial batch failures, and its queue's
            # visibility covers six of the function's timeouts
            assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name
            queue = event["Properties"]["Queue"]["Fn::Sub"].rsplit(":", 1)[1]
            assert queues[queue]["VisibilityTimeout"] >= 6 * function["Properties"]["Timeout"], name
    assert template["Resources"]["RestAPI"]["Properties"]["TracingEnabled"] is True


@pytest.mark.slow
def test_every_reference_in_the_packaged_template_resolves(template: dict[str, Any]):
    known = set(template["Resources"]) | set(template.get("Parameters", {})) | {"RestAPI.Stage"}
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "Ref" in node and isinstance(node["Ref"], str):
                refs.append(node["Ref"])
            if "Fn::GetAtt" in node:
                refs.append(node["Fn::GetAtt"][0])
            if "Condition" in node and isinstance(node["Condition"], str):
                assert node["Condition"] in template["Conditions"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(template["Resources"])
    unresolved = sorted({ref for ref in refs if ref not in known and not ref.startswith("AWS::")})
    assert unresolved == []
