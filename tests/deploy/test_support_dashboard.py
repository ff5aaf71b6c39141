"""The support dashboard in the deployed template (infra/dashboard.py): valid JSON once
CloudFormation substitutes the region and the functions' names, naming only metrics the app (or
AWS, for the stack's own resources) emits."""

from __future__ import annotations

import json
from typing import Any

from chalicelib import aws_resource_names
from chalicelib.adapters.metrics import NAMESPACE, SUPPORT_METRICS
from chalicelib.domain.catalog import REGIONS
from infra.observability import api_name, function_logical_id
from infra.stack import CONSUMERS, merge_template, resources_template

STAGE = "dev"
WORKERS = {function_logical_id(function): f"{function}-generated-name" for function in CONSUMERS.values()}


def body(template: dict[str, Any]) -> dict[str, Any]:
    resource = template["Resources"]["SupportDashboard"]
    assert resource["Type"] == "AWS::CloudWatch::Dashboard"
    assert resource["Properties"]["DashboardName"] == f"polyglot-desk-{STAGE}-support"
    source = resource["Properties"]["DashboardBody"]["Fn::Sub"]
    # Fn::Sub gets ${AWS::Region} and the Lambda-consumed workers' names, nothing else
    substituted = source.count("${AWS::Region}") + sum(source.count(f"${{{logical}}}") for logical in WORKERS)
    assert source.count("${") == substituted > 0
    for logical, name in WORKERS.items():
        source = source.replace(f"${{{logical}}}", name)
    return json.loads(source.replace("${AWS::Region}", "eu-west-1"))


def metric_lines(document: dict[str, Any]) -> list[list[Any]]:
    return [
        line
        for widget in document["widgets"]
        for line in widget["properties"]["metrics"]
        if not isinstance(line[0], dict)  # an expression over the others
    ]


def test_the_deployed_template_has_the_dashboard_and_the_local_one_does_not():
    assert "SupportDashboard" in merge_template(STAGE)["Resources"]
    assert "SupportDashboard" not in resources_template(STAGE)["Resources"]


def test_the_dashboard_charts_only_metrics_the_app_emits_with_their_dimensions():
    document = body(merge_template(STAGE))
    lines = metric_lines(document)

    ours = [line for line in lines if line[0] == NAMESPACE]
    # Then every PolyglotDesk metric is one emit_support_metrics (or count_escalations) writes,
    # with its {Region} set
    emitted = {*SUPPORT_METRICS, "Escalations"}
    assert {line[1] for line in ours} == emitted  # and each one is charted
    assert all(line[2] == "Region" and line[3] in REGIONS and isinstance(line[4], dict) for line in ours)
    # And the dead-letter queues' depths, one per queue
    dlqs = {aws_resource_names.dead_letter_queue_name(STAGE, role) for role in aws_resource_names.all_queue_roles()}
    depths = [line for line in lines if line[0] == "AWS/SQS" and line[3] in dlqs]
    assert {line[1] for line in depths} == {"ApproximateNumberOfMessagesVisible"}
    assert sorted(line[3] for line in depths) == sorted(dlqs)
    # And the pipeline: backlog and age of each Lambda-consumed queue, each worker's duration, the API
    queues = [line for line in lines if line[0] == "AWS/SQS" and line[3] not in dlqs]
    consumed = {aws_resource_names.queue_name(STAGE, role) for role in CONSUMERS}
    for metric in ("ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"):
        assert {line[3] for line in queues if line[1] == metric} == consumed
    durations = [line for line in lines if line[0] == "AWS/Lambda"]
    assert {(line[1], line[2]) for line in durations} == {("Duration", "FunctionName")}
    assert sorted(line[3] for line in durations) == sorted(WORKERS.values())
    api = [line for line in lines if line[0] == "AWS/ApiGateway"]
    assert {line[1] for line in api} == {"Count", "4XXError", "5XXError", "Latency"}
    assert all(line[2:6] == ["ApiName", api_name(STAGE), "Stage", "api"] for line in api)
    assert {line[0] for line in lines} == {NAMESPACE, "AWS/SQS", "AWS/Lambda", "AWS/ApiGateway"}


def test_translated_characters_are_charted_per_provider_with_a_search():
    expressions = [
        line[0]["expression"]
        for widget in body(merge_template(STAGE))["widgets"]
        for line in widget["properties"]["metrics"]
        if isinstance(line[0], dict) and line[0]["expression"].startswith("SEARCH(")
    ]
    # the dimensions count_translation emits: provider and what
    assert expressions == [f"SEARCH('{{{NAMESPACE},provider,what}} MetricName=\"TranslatedCharacters\"', 'Sum', 3600)"]


def test_every_expression_refers_to_metrics_of_its_own_widget():
    for widget in body(merge_template(STAGE))["widgets"]:
        assert widget["properties"]["region"] == "eu-west-1"
        metrics = widget["properties"]["metrics"]
        ids = {line[-1]["id"] for line in metrics if isinstance(line[-1], dict) and "id" in line[-1]}
        for line in metrics:
            if isinstance(line[0], dict) and not line[0]["expression"].startswith("SEARCH("):
                expression = line[0]["expression"]
                named = {
                    token for token in expression.replace("*", " ").replace("-", " ").split() if token[0].isalpha()
                }
                assert named <= ids, (widget["properties"]["title"], expression)


def test_escalations_are_emitted_per_region_and_level(capsys, monkeypatch):
    from chalicelib.adapters.metrics import count_escalations

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    count_escalations([("emea", "team_lead"), ("emea", "team_lead"), ("apac", "region_manager")])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    seen = {(line["Region"], line["Level"]): line["Escalations"] for line in lines}
    assert seen == {("emea", "team_lead"): [2.0], ("apac", "region_manager"): [1.0]}
    for line in lines:
        (directive,) = line["_aws"]["CloudWatchMetrics"]
        assert sorted(map(sorted, directive["Dimensions"])) == [["Level", "Region"], ["Region"]]
