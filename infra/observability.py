"""What an operator watches in a deployed stage: log groups with retention, CloudWatch alarms to
an SNS topic, and metric filters for what the app only logs (`merge_template` only: the local
stack and moto have none of it).

- One log group per function (`/aws/lambda/polyglot-desk-<stage>-<function>`, named in the
  function's LoggingConfig), kept `LogRetentionDays` (a parameter, defaulting per stage), so logs
  are not kept forever and the metric filters have a group.
- Alarms, each to `AlarmTopicArn` (a parameter; empty: the alarms exist, nobody is told):
  every dead-letter queue holding a message; every Lambda-consumed queue whose oldest message is
  older than its budget; every function's errors, throttles and duration near its timeout; the
  API's 5xx rate and p99 latency; the scheduled workers not running for three periods; the
  translation providers' circuits opening and their failures (metric filters on the workers'
  Powertools JSON logs: the app emits no EMF metric for them).
"""

from __future__ import annotations

from typing import Any

from chalicelib import aws_resource_names
from chalicelib.adapters.metrics import NAMESPACE

# Chalice's logical ids for the API's function and stage (AWS::Serverless::Api creates the stage).
API_FUNCTION_LOGICAL_ID = "APIHandler"
TOPIC_PARAMETER = "AlarmTopicArn"
RETENTION_PARAMETER = "LogRetentionDays"
HAS_TOPIC = "HasAlarmTopic"
LOG_RETENTION_DAYS = {"dev": 14, "prod": 90}
DEFAULT_LOG_RETENTION_DAYS = 14
# CloudWatch Logs accepts only these retention periods.
RETENTION_CHOICES = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922)
PERIOD = 300
# A function whose slowest invocation in 5 minutes used this share of its timeout is about to time out.
DURATION_SHARE_OF_TIMEOUT = 0.8
# The API: 5xx answers over this share of requests, or p99 latency over this many ms (5 minutes,
# two periods out of three, so one cold-start burst does not page anyone).
API_5XX_RATE = 0.05
API_P99_LATENCY_MS = 3000
# How long a message may wait in a Lambda-consumed queue, in multiples of SWEEP_AFTER_SECONDS
# (the pipeline's own "this ticket is stuck" budget; the sweeper re-sends after that long).
QUEUE_AGE_BUDGET_FACTOR = {
    aws_resource_names.DETECT: 1,
    aws_resource_names.TRANSLATE: 1,
    aws_resource_names.ROUTE: 1,
    aws_resource_names.NOTIFY: 3,
    aws_resource_names.INCIDENTS: 3,
}
# What the app logs (chalicelib/adapters/resilient_translator.py) -> the metric counting it.
LOG_METRICS = {
    "TranslationCircuitOpened": '{ $.message = "circuit open: failing fast" }',
    # Both lines are WARNING or above, so every stage's log level (prod: WARNING) keeps them.
    "TranslationProviderFailures": (
        '{ $.message = "provider unavailable; retrying" || $.message = "translator failed unexpectedly" }'
    ),
}
TRANSLATING_FUNCTIONS = ("translate_ticket", "fan_out_incident_updates")
SCHEDULED_FUNCTIONS = ("sweep_stuck_tickets", "escalate_overdue_tickets")
SCHEDULE_PERIOD_SECONDS = 60  # both run every minute (Rate(1, MINUTES))


def function_logical_id(function: str) -> str:
    """Chalice's logical id for a function: detect_language -> DetectLanguage, the API's APIHandler."""
    if function == "api_handler":
        return API_FUNCTION_LOGICAL_ID
    return "".join(part.capitalize() for part in function.split("_"))


def log_group_logical_id(function: str) -> str:
    return function_logical_id(function) + "LogGroup"


def log_group_name(stage: str, function: str) -> str:
    """A name of our own, not Lambda's default (/aws/lambda/<generated function name>): the
    function writes there through its LoggingConfig, so the group exists before the function
    runs (no race with a log group Lambda would create), and a stack that already had Lambda's
    default groups upgrades without a name clash."""
    return f"/aws/lambda/{aws_resource_names.APP_NAME}-{stage}-{function}"


def logging_config(function: str) -> dict[str, Any]:
    """Merged into the function: where it logs (JSON stays Powertools' own, so Text format)."""
    return {"LoggingConfig": {"LogGroup": {"Ref": log_group_logical_id(function)}, "LogFormat": "Text"}}


def parameters(stage: str) -> dict[str, Any]:
    return {
        TOPIC_PARAMETER: {
            "Type": "String",
            "Default": "",
            "Description": "SNS topic ARN every alarm notifies (empty: alarms without notifications)",
        },
        RETENTION_PARAMETER: {
            "Type": "Number",
            "Default": str(LOG_RETENTION_DAYS.get(stage, DEFAULT_LOG_RETENTION_DAYS)),
            "AllowedValues": [str(days) for days in RETENTION_CHOICES],
            "Description": "Days the functions' log groups keep their events",
        },
    }


def conditions() -> dict[str, Any]:
    return {HAS_TOPIC: {"Fn::Not": [{"Fn::Equals": [{"Ref": TOPIC_PARAMETER}, ""]}]}}


def resources(
    stage: str, functions: dict[str, int], consumers: dict[str, str], sweep_after: int, api_stage: str
) -> dict[str, Any]:
    """`functions`: every Chalice function name -> its timeout (s); `consumers`: queue role ->
    the function that reads it; `sweep_after`: the stage's SWEEP_AFTER_SECONDS; `api_stage`: the
    API Gateway stage's name (Chalice's api_gateway_stage)."""
    owned: dict[str, Any] = {}
    for function in functions:
        owned[log_group_logical_id(function)] = {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": {
                "LogGroupName": log_group_name(stage, function),
                "RetentionInDays": {"Ref": RETENTION_PARAMETER},
            },
        }
    for role in aws_resource_names.all_queue_roles():
        owned.update(_dead_letter_alarm(stage, role))
    for role in consumers:
        owned.update(_queue_age_alarm(stage, role, sweep_after * QUEUE_AGE_BUDGET_FACTOR.get(role, 3)))
    for function, timeout in functions.items():
        owned.update(_function_alarms(stage, function, timeout))
    for function in SCHEDULED_FUNCTIONS:
        owned.update(_schedule_alarm(stage, function))
    owned.update(_api_alarms(stage, api_stage))
    owned.update(_translation_alarms(stage))
    return owned


def alarm(stage: str, name: str, description: str, **properties: Any) -> dict[str, Any]:
    actions = {"Fn::If": [HAS_TOPIC, [{"Ref": TOPIC_PARAMETER}], {"Ref": "AWS::NoValue"}]}
    body: dict[str, Any] = {
        "AlarmName": f"{aws_resource_names.APP_NAME}-{stage}-{name}",
        "AlarmDescription": description,
        "AlarmActions": actions,
        "OKActions": actions,
        "Period": PERIOD,
        "EvaluationPeriods": 1,
        "TreatMissingData": "notBreaching",
        **properties,
    }
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": body}


def _logical(role: str, suffix: str) -> str:
    return "".join(part.capitalize() for part in role.split("-")) + suffix


def _dead_letter_alarm(stage: str, role: str) -> dict[str, Any]:
    dlq = aws_resource_names.dead_letter_queue_name(stage, role)
    return {
        _logical(role, "DeadLetterAlarm"): alarm(
            stage,
            f"{role}-dlq-not-empty",
            f"{dlq} holds a message: `python -m chalicelib.cli dlq list --stage {stage}` says why",
            Namespace="AWS/SQS",
            MetricName="ApproximateNumberOfMessagesVisible",
            Dimensions=[{"Name": "QueueName", "Value": dlq}],
            Statistic="Maximum",
            ComparisonOperator="GreaterThanThreshold",
            Threshold=0,
        )
    }


def _queue_age_alarm(stage: str, role: str, budget_seconds: int) -> dict[str, Any]:
    queue = aws_resource_names.queue_name(stage, role)
    return {
        _logical(role, "QueueAgeAlarm"): alarm(
            stage,
            f"{role}-queue-oldest-message",
            f"A message has waited over {budget_seconds} s in {queue}: its worker is not keeping up",
            Namespace="AWS/SQS",
            MetricName="ApproximateAgeOfOldestMessage",
            Dimensions=[{"Name": "QueueName", "Value": queue}],
            Statistic="Maximum",
            ComparisonOperator="GreaterThanThreshold",
            Threshold=budget_seconds,
        )
    }


def _function_alarms(stage: str, function: str, timeout_seconds: int) -> dict[str, Any]:
    logical = function_logical_id(function)
    dimensions = [{"Name": "FunctionName", "Value": {"Ref": logical}}]
    common = {"Namespace": "AWS/Lambda", "Dimensions": dimensions, "ComparisonOperator": "GreaterThanThreshold"}
    near = int(timeout_seconds * 1000 * DURATION_SHARE_OF_TIMEOUT)
    return {
        f"{logical}ErrorsAlarm": alarm(
            stage,
            f"{function}-errors",
            f"{function} failed (an exception or a timeout): its log group says why",
            MetricName="Errors",
            Statistic="Sum",
            Threshold=0,
            **common,
        ),
        f"{logical}ThrottlesAlarm": alarm(
            stage,
            f"{function}-throttles",
            f"{function} was throttled: its reserved concurrency or the account's limit is reached",
            MetricName="Throttles",
            Statistic="Sum",
            Threshold=0,
            **common,
        ),
        f"{logical}DurationAlarm": alarm(
            stage,
            f"{function}-duration-near-timeout",
            f"An invocation of {function} took over {near} ms of its {timeout_seconds} s timeout",
            MetricName="Duration",
            Statistic="Maximum",
            Threshold=near,
            **common,
        ),
    }


def _schedule_alarm(stage: str, function: str) -> dict[str, Any]:
    logical = function_logical_id(function)
    return {
        f"{logical}NotRunningAlarm": alarm(
            stage,
            f"{function}-not-running",
            f"{function} runs every minute and has not run for three: its schedule is off or failing",
            Namespace="AWS/Lambda",
            MetricName="Invocations",
            Dimensions=[{"Name": "FunctionName", "Value": {"Ref": logical}}],
            Statistic="Sum",
            Period=SCHEDULE_PERIOD_SECONDS,
            EvaluationPeriods=3,
            DatapointsToAlarm=3,
            ComparisonOperator="LessThanThreshold",
            Threshold=1,
            TreatMissingData="breaching",  # no invocation at all publishes no datapoint
        )
    }


def api_name(stage: str) -> str:
    """The REST API's name (the `ApiName` dimension of its metrics), one per stage."""
    return f"{aws_resource_names.APP_NAME}-{stage}"


def _api_alarms(stage: str, api_stage: str) -> dict[str, Any]:
    dimensions = [{"Name": "ApiName", "Value": api_name(stage)}, {"Name": "Stage", "Value": api_stage}]
    common = {
        "Namespace": "AWS/ApiGateway",
        "Dimensions": dimensions,
        "EvaluationPeriods": 3,
        "DatapointsToAlarm": 2,
        "ComparisonOperator": "GreaterThanThreshold",
    }
    return {
        "Api5xxAlarm": alarm(
            stage,
            "api-5xx-rate",
            f"Over {API_5XX_RATE:.0%} of the API's answers were 5xx in two of the last three 5-minute periods",
            MetricName="5XXError",
            Statistic="Average",
            Threshold=API_5XX_RATE,
            **common,
        ),
        "ApiLatencyAlarm": alarm(
            stage,
            "api-p99-latency",
            f"The API's p99 latency was over {API_P99_LATENCY_MS} ms in two of the last three 5-minute periods",
            MetricName="Latency",
            ExtendedStatistic="p99",
            Threshold=API_P99_LATENCY_MS,
            **common,
        ),
    }


def _translation_alarms(stage: str) -> dict[str, Any]:
    owned: dict[str, Any] = {}
    for function in TRANSLATING_FUNCTIONS:
        for metric, pattern in LOG_METRICS.items():
            owned[f"{function_logical_id(function)}{metric}Filter"] = {
                "Type": "AWS::Logs::MetricFilter",
                "Properties": {
                    "LogGroupName": {"Ref": log_group_logical_id(function)},
                    "FilterPattern": pattern,
                    "MetricTransformations": [
                        {
                            "MetricNamespace": NAMESPACE,
                            "MetricName": f"{metric}-{stage}",
                            "MetricValue": "1",
                            "Unit": "Count",
                        }
                    ],
                },
            }
    owned["TranslationCircuitAlarm"] = alarm(
        stage,
        "translation-circuit-open",
        "A translation provider's circuit opened: tickets wait untranslated (pending) until it answers",
        Namespace=NAMESPACE,
        MetricName=f"TranslationCircuitOpened-{stage}",
        Statistic="Sum",
        ComparisonOperator="GreaterThanThreshold",
        Threshold=0,
    )
    owned["TranslationFailuresAlarm"] = alarm(
        stage,
        "translation-provider-failures",
        "Translation providers failed over 10 times in 5 minutes (timeouts, refusals, adapter errors)",
        Namespace=NAMESPACE,
        MetricName=f"TranslationProviderFailures-{stage}",
        Statistic="Sum",
        ComparisonOperator="GreaterThanThreshold",
        Threshold=10,
    )
    return owned
