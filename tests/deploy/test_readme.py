"""The README's statements about the deployed stack, checked against infra/'s template and
.chalice/config.json: counts, stage differences, parameters, alarms and variables."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chalicelib import aws_resource_names
from infra.stack import CHALICE_CONFIG, CONSUMERS, FUNCTIONS, lambda_setting, merge_template, stage_config
from tests.deploy import invariants

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DEPLOYED_STAGES = ("dev", "prod")


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else None]


DEPLOY, OPERATE, CONFIGURE = section("Deploy to AWS"), section("Operate"), section("Configure")


def test_the_counts_of_functions_queues_and_alarms_are_the_templates():
    queues = len(aws_resource_names.all_queue_roles())
    assert f"**{len(FUNCTIONS)} functions**" in DEPLOY
    assert f"**{queues} queues, each with its dead-letter queue ({2 * queues} in all)**" in DEPLOY
    assert f"The {len(CONSUMERS)}\n  Lambda-consumed queues" in DEPLOY
    for stage in DEPLOYED_STAGES:
        template = merge_template(stage)
        assert len(invariants.queue_names(template)) == 2 * queues
        alarms = len(invariants.of_type(template, "AWS::CloudWatch::Alarm"))
        assert f"**{alarms} CloudWatch alarms**" in DEPLOY
        assert f"{alarms} per stage" in OPERATE


def test_the_stage_differences_are_the_ones_the_configuration_makes():
    config = json.loads(CHALICE_CONFIG.read_text())
    dev, prod = (config["stages"][stage] for stage in DEPLOYED_STAGES)
    # Reserved concurrency: prod only, with the figures the README gives
    assert all("reserved_concurrency" not in settings for settings in dev["lambda_functions"].values())
    reserved = {
        name: settings["reserved_concurrency"]
        for name, settings in prod["lambda_functions"].items()
        if "reserved_concurrency" in settings
    }
    named = {
        "detect_language": "detect",
        "translate_ticket": "translate",
        "deliver_notifications": "notify",
        "fan_out_incident_updates": "incident fan-out",
        "sweep_stuck_tickets": "sweeper",
        "escalate_overdue_tickets": "escalation",
    }
    assert set(reserved) == set(named)
    line = re.search(r"reserved concurrency \(prod: ([^;]+); dev none\)", DEPLOY)
    assert line is not None
    assert line.group(1).replace("\n", " ") == ", ".join(f"{named[name]} {reserved[name]}" for name in named)
    # Log level, retention, table protections
    assert prod["environment_variables"]["POWERTOOLS_LOG_LEVEL"] == "WARNING"
    assert "POWERTOOLS_LOG_LEVEL" not in dev["environment_variables"]
    assert config["environment_variables"]["POWERTOOLS_LOG_LEVEL"] == "INFO"
    assert "log level (prod `WARNING`, dev `INFO`)" in DEPLOY
    assert [merge_template(stage)["Parameters"]["LogRetentionDays"]["Default"] for stage in DEPLOYED_STAGES] == [
        "14",
        "90",
    ]
    assert "log retention (prod 90 days, dev 14)" in DEPLOY
    # "Memory and timeouts are the same"
    for function in FUNCTIONS:
        for key in ("lambda_memory_size", "lambda_timeout"):
            assert lambda_setting("dev", function, key) == lambda_setting("prod", function, key), (function, key)
    assert stage_config("dev")["api_gateway_stage"] == stage_config("prod")["api_gateway_stage"] == "api"


def test_every_template_parameter_is_documented_with_its_default():
    for stage in DEPLOYED_STAGES:
        for name in merge_template(stage)["Parameters"]:
            assert f"`{name}`" in DEPLOY, name
    assert "`ApiRateLimit`/`ApiBurstLimit` [1000/2000" in DEPLOY
    assert "`WriteRouteRateLimit`/`WriteRouteBurstLimit` [200/400" in DEPLOY


def test_every_alarm_has_a_row_in_the_operate_table():
    # The first cell of each row names alarms: `<queue>-dlq-not-empty`, `<function>-errors` / `-throttles`
    cells = [line.split("|")[1] for line in OPERATE.splitlines() if line.startswith("| `")]
    patterns = []
    for cell in cells:
        for name in re.findall(r"`([^`]+)`", cell):
            pattern = re.escape(name).replace("<queue>", "[a-z-]+").replace("<function>", "[a-z_]+")
            patterns.append("[a-z_]+" + pattern if name.startswith("-") else pattern)
    for alarm in invariants.of_type(merge_template("prod"), "AWS::CloudWatch::Alarm").values():
        name = alarm["Properties"]["AlarmName"].removeprefix("polyglot-desk-prod-")
        assert any(re.fullmatch(pattern, name) for pattern in patterns), name


@pytest.mark.parametrize(
    "variable",
    sorted(
        {
            name
            for name in re.findall(
                r'(?:env\.get|_number|_bool|_url|_secret|text)\(\s*(?:env,\s*)?"([A-Z][A-Z0-9_]+)"',
                (ROOT / "chalicelib" / "settings.py").read_text(),
            )
            if name != "AWS_LAMBDA_FUNCTION_NAME"  # set by Lambda itself
        }
    ),
)
def test_every_variable_the_settings_read_is_in_the_configure_table(variable: str):
    assert re.search(rf"^\|[^|\n]*`{variable}`", CONFIGURE, flags=re.MULTILINE), variable
