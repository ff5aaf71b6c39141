"""The support dashboard (CloudWatch), deployed with the stack (`merge_template` only: the local
stack and moto have no dashboards).

It charts the EMF metrics `chalicelib/adapters/metrics.emit_support_metrics` writes, per region
(their {Region} dimension set): tickets created and resolved, first-response and resolution
p50/p90, the share of first responses within the SLA, the CSAT average, and the backlog's growth
(created minus resolved; the backlog itself, a gauge, is GET /metrics'). Beside them, the depth
of every dead-letter queue, and the pipeline end to end: the API's requests and errors, what waits
in each Lambda-consumed queue and for how long, each worker's duration, and the characters sent
to each translation provider.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib import aws_resource_names
from chalicelib.domain.catalog import REGIONS
from infra.observability import function_logical_id

NAMESPACE = "PolyglotDesk"
REGION_PLACEHOLDER = "${AWS::Region}"  # Fn::Sub fills it in: widgets name their AWS region
HOUR = 3600
WIDTH, HEIGHT = 12, 6


def dashboard_name(stage: str) -> str:
    return f"{aws_resource_names.APP_NAME}-{stage}-support"


def dashboard_resource(stage: str) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Dashboard",
        "Properties": {
            "DashboardName": dashboard_name(stage),
            "DashboardBody": {"Fn::Sub": json.dumps(dashboard_body(stage), separators=(",", ":"))},
        },
    }


def dashboard_body(stage: str) -> dict[str, Any]:
    widgets = _support_widgets(stage) + _pipeline_widgets(stage)
    for index, widget in enumerate(widgets):
        widget["x"], widget["y"] = (index % 2) * WIDTH, (index // 2) * HEIGHT
    return {"widgets": widgets}


def _support_widgets(stage: str) -> list[dict[str, Any]]:
    return [
        _widget("Tickets created per region", [_per_region("TicketsCreated", "Sum", region) for region in REGIONS]),
        _widget("Tickets resolved per region", [_per_region("TicketsResolved", "Sum", region) for region in REGIONS]),
        _widget("First response p50 / p90 (minutes)", _percentiles("FirstResponseMinutes")),
        _widget("Resolution p50 / p90 (minutes)", _percentiles("ResolutionMinutes")),
        _widget(
            "First responses within the SLA (%)",
            [
                line
                for region in REGIONS
                for line in (
                    [{"expression": f"100 * within_{region}", "label": region, "id": f"percent_{region}"}],
                    _per_region("FirstResponseWithinSla", "Average", region, id=f"within_{region}", visible=False),
                )
            ],
            y_axis={"min": 0, "max": 100},
        ),
        _widget(
            "CSAT average (1-5)",
            [_per_region("CsatRating", "Average", region) for region in REGIONS],
            y_axis={"min": 1, "max": 5},
        ),
        _widget(
            "Backlog growth: created minus resolved (the backlog itself: GET /metrics)",
            [
                line
                for region in REGIONS
                for line in (
                    [{"expression": f"created_{region} - resolved_{region}", "label": region, "id": f"net_{region}"}],
                    _per_region("TicketsCreated", "Sum", region, id=f"created_{region}", visible=False),
                    _per_region("TicketsResolved", "Sum", region, id=f"resolved_{region}", visible=False),
                )
            ],
        ),
        _widget(
            "Escalations per region (team lead at 80% of the time; region manager: the SLA breached)",
            [_per_region("Escalations", "Sum", region) for region in REGIONS],
        ),
        _widget(
            "Dead-letter queues: messages waiting",
            [
                [
                    "AWS/SQS",
                    "ApproximateNumberOfMessagesVisible",
                    "QueueName",
                    aws_resource_names.dead_letter_queue_name(stage, role),
                    {"stat": "Maximum", "label": role},
                ]
                for role in aws_resource_names.all_queue_roles()
            ],
            period=300,
        ),
    ]


# The Lambda-consumed queues, in pipeline order, and the worker of each (infra/stack.py CONSUMERS).
PIPELINE = (
    (aws_resource_names.DETECT, "detect_language"),
    (aws_resource_names.TRANSLATE, "translate_ticket"),
    (aws_resource_names.ROUTE, "route_ticket"),
    (aws_resource_names.NOTIFY, "deliver_notifications"),
    (aws_resource_names.INCIDENTS, "fan_out_incident_updates"),
)
MINUTE = 60


def _pipeline_widgets(stage: str) -> list[dict[str, Any]]:
    api = ["ApiName", f"{aws_resource_names.APP_NAME}-{stage}", "Stage", "api"]

    def queue(metric: str, role: str) -> list[Any]:
        name = aws_resource_names.queue_name(stage, role)
        return ["AWS/SQS", metric, "QueueName", name, {"stat": "Maximum", "label": role}]

    return [
        _widget(
            "API: requests, 4xx and 5xx per minute (intake and every other route)",
            [
                ["AWS/ApiGateway", metric, *api, {"stat": "Sum", "label": label}]
                for metric, label in (("Count", "requests"), ("4XXError", "4xx"), ("5XXError", "5xx"))
            ],
            period=MINUTE,
        ),
        _widget(
            "API latency p50 / p99 (ms)",
            [["AWS/ApiGateway", "Latency", *api, {"stat": stat, "label": stat}] for stat in ("p50", "p99")],
            period=MINUTE,
        ),
        _widget(
            "Pipeline backlog: messages waiting per queue",
            [queue("ApproximateNumberOfMessagesVisible", role) for role, _ in PIPELINE],
            period=MINUTE,
        ),
        _widget(
            "Pipeline: oldest message per queue (s)",
            [queue("ApproximateAgeOfOldestMessage", role) for role, _ in PIPELINE],
            period=MINUTE,
        ),
        _widget(
            "Workers: duration p90 per batch (ms)",
            [
                # Fn::Sub puts the function's generated name in place of ${DetectLanguage}
                [
                    "AWS/Lambda",
                    "Duration",
                    "FunctionName",
                    f"${{{function_logical_id(function)}}}",
                    {"stat": "p90", "label": role},
                ]
                for role, function in PIPELINE
            ],
            period=MINUTE,
        ),
        _widget(
            "Characters sent to each translation provider",
            [
                [
                    {
                        "expression": f"SEARCH('{{{NAMESPACE},provider,what}} MetricName=\"TranslatedCharacters\"', "
                        f"'Sum', {HOUR})",
                        "label": "",
                        "id": "characters",
                    }
                ]
            ],
        ),
    ]


def _per_region(metric: str, stat: str, region: str, **options: Any) -> list[Any]:
    return [NAMESPACE, metric, "Region", region, {"stat": stat, "label": region, **options}]


def _percentiles(metric: str) -> list[list[Any]]:
    return [
        [NAMESPACE, metric, "Region", region, {"stat": stat, "label": f"{region} {stat}"}]
        for region in REGIONS
        for stat in ("p50", "p90")
    ]


def _widget(
    title: str, metrics: list[Any], period: int = HOUR, y_axis: dict[str, float] | None = None
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "title": title,
        "view": "timeSeries",
        "stacked": False,
        "region": REGION_PLACEHOLDER,
        "period": period,
        "metrics": metrics,
    }
    if y_axis is not None:
        properties["yAxis"] = {"left": y_axis}
    return {"type": "metric", "width": WIDTH, "height": HEIGHT, "properties": properties}
