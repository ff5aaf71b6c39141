"""The support dashboard in the deployed template (infra/dashboard.py): valid JSON once
CloudFormation substitutes the region, and naming only metrics the app emits."""

from __future__ import annotations

import json
from typing import Any

from chalicelib import aws_resource_names
from chalicelib.adapters.metrics import NAMESPACE, SUPPORT_METRICS
from chalicelib.domain.catalog import REGIONS
from infra.stack import merge_template, resources_template

STAGE = "dev"


def body(template: dict[str, Any]) -> dict[str, Any]:
    resource = template["Resources"]["SupportDashboard"]
    assert resource["Type"] == "AWS::CloudWatch::Dashboard"
    assert resource["Properties"]["DashboardName"] == f"polyglot-desk-{STAGE}-support"
    source = resource["Properties"]["DashboardBody"]["Fn::Sub"]
    # Fn::Sub gets ${AWS::Region} and nothing else to substitute
    assert source.count("${") == source.count("${AWS::Region}") > 0
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
    # Then every PolyglotDesk metric is one emit_support_metrics writes, with its {Region} set
    assert {line[1] for line in ours} <= set(SUPPORT_METRICS)
    assert {line[1] for line in ours} == set(SUPPORT_METRICS)  # and each one is charted
    assert all(line[2] == "Region" and line[3] in REGIONS and isinstance(line[4], dict) for line in ours)
    # And the rest are the dead-letter queues' depths, one per queue
    sqs = [line for line in lines if line[0] != NAMESPACE]
    assert {(line[0], line[1], line[2]) for line in sqs} == {
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName")
    }
    assert sorted(line[3] for line in sqs) == sorted(
        aws_resource_names.dead_letter_queue_name(STAGE, role) for role in aws_resource_names.all_queue_roles()
    )


def test_every_expression_refers_to_metrics_of_its_own_widget():
    for widget in body(merge_template(STAGE))["widgets"]:
        assert widget["properties"]["region"] == "eu-west-1"
        metrics = widget["properties"]["metrics"]
        ids = {line[-1]["id"] for line in metrics if isinstance(line[-1], dict) and "id" in line[-1]}
        for line in metrics:
            if isinstance(line[0], dict):
                expression = line[0]["expression"]
                named = {
                    token for token in expression.replace("*", " ").replace("-", " ").split() if token[0].isalpha()
                }
                assert named <= ids, (widget["properties"]["title"], expression)
