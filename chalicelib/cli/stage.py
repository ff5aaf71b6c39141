"""Which stage an operator command works on: its variables from .chalice/config.json (unless the
shell sets them), and, for the local stack, the credentials and region its emulator takes.

Against the local stack: `AWS_ENDPOINT_URL=<the AWS endpoint its banner prints> python -m
chalicelib.cli <command> --stage local ...`; against AWS: the stage's name and your credentials.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / ".chalice" / "config.json"
LOCAL_STAGE = "local"
LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
LOCAL_REGION = "us-east-1"  # devstack's default


def add_stage_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stage", default=None, help="the stage (default: APP_STAGE or local)")


def stage_environment(stage: str) -> None:
    """The stage's variables from .chalice/config.json, unless the shell already sets them."""
    config = json.loads(CONFIG.read_text())
    variables = {**config.get("environment_variables", {})}
    variables.update(config.get("stages", {}).get(stage, {}).get("environment_variables", {}))
    for name, value in variables.items():
        os.environ.setdefault(name, value)


def use_stage(stage: str | None) -> str:
    """Point the app's settings at `stage`: its variables from .chalice/config.json, unless the
    shell sets them (AWS_ENDPOINT_URL included: the local stack's, or none for AWS)."""
    from chalicelib.composition_root import reset_dependencies

    chosen = stage or os.environ.get("APP_STAGE") or LOCAL_STAGE
    if os.environ.get("APP_STAGE") != chosen:
        os.environ["APP_STAGE"] = chosen
        reset_dependencies()
    stage_environment(chosen)
    if chosen == LOCAL_STAGE and os.environ.get("AWS_ENDPOINT_URL"):
        # The local stack's emulator takes any credentials: those devstack itself uses.
        if not any(os.environ.get(name) for name in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE")):
            os.environ.update(LOCAL_CREDENTIALS)
        if not (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")):
            os.environ["AWS_DEFAULT_REGION"] = LOCAL_REGION
    return chosen
