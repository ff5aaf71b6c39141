"""The deploy tests' one expensive thing: `chalice package` of the dev stage with infra/'s merge
template, built once per session (pip fetches Lambda wheels from PyPI) and shared by every
module that asks for `package` or `template`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.stack import merge_template
from tests.conftest import TEST_ENV

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STAGE = "dev"


@pytest.fixture(scope="session")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Given the dev stage's merge template written by infra/
    out = tmp_path_factory.mktemp("package")
    merge = out / "merge.json"
    merge.write_text(json.dumps(merge_template(STAGE)))
    # When chalice packages the app for CloudFormation
    # The test session's own app settings must not leak into the stage chalice packages.
    env = {name: value for name, value in os.environ.items() if name not in TEST_ENV}
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    subprocess.run(
        [
            str(BIN / "chalice"),
            "package",
            "--stage",
            STAGE,
            "--pkg-format",
            "cloudformation",
            "--merge-template",
            str(merge),
            str(out / "build"),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return out / "build"


@pytest.fixture(scope="session")
def template(package: Path) -> dict[str, Any]:
    return json.loads((package / "sam.json").read_text())
