"""A deployed stage never sends ticket text to a keyless public endpoint (deep-translator's Google
web endpoint, MyMemory's public API) unless ALLOW_KEYLESS_PROVIDERS=true says so; either way the
start-up log says what happened. And the stages' own configuration uses none."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib import observability
from chalicelib import settings as settings_module
from chalicelib.settings import KEYLESS_PUBLIC_PROVIDERS, Settings

CONFIG = Path(__file__).resolve().parents[2] / ".chalice" / "config.json"
IN_LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME": "polyglot-desk-prod-translate_ticket", "APP_STAGE": "prod"}


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    said: list[tuple[str, Any]] = []
    monkeypatch.setattr(observability.logger, "warning", lambda message, **kw: said.append((message, kw.get("extra"))))
    return said


def test_inside_lambda_the_keyless_providers_are_left_out_and_the_log_says_so(warnings):
    # Given a deployed function configured with Amazon Translate, then Google's public endpoint
    chosen = Settings.from_env({**IN_LAMBDA, "TRANSLATORS": "aws,google,mymemory"})
    # Then only Amazon Translate is used, and the start-up log names what was left out
    assert chosen.translators == ("aws",)
    assert warnings == [
        (
            "keyless public translation endpoints left out of TRANSLATORS; ALLOW_KEYLESS_PROVIDERS=true allows them",
            {"providers": ["google", "mymemory"]},
        )
    ]


def test_a_chain_of_only_keyless_providers_becomes_none_rather_than_failing(warnings):
    assert Settings.from_env({**IN_LAMBDA, "TRANSLATORS": "google"}).translators == ("none",)
    assert len(warnings) == 1


def test_allow_keyless_providers_keeps_them_with_a_warning(warnings):
    chosen = Settings.from_env({**IN_LAMBDA, "TRANSLATORS": "aws,google", "ALLOW_KEYLESS_PROVIDERS": "true"})
    assert chosen.translators == ("aws", "google")
    assert warnings == [
        ("keyless public translation endpoints in use (ALLOW_KEYLESS_PROVIDERS)", {"providers": ["google"]})
    ]


def test_a_google_protocol_server_of_ones_own_is_not_keyless_public(warnings):
    env = {**IN_LAMBDA, "TRANSLATORS": "google", "GOOGLE_TRANSLATE_URL": "https://translate.internal.example"}
    assert Settings.from_env(env).translators == ("google",)
    assert warnings == []


def test_a_laptop_keeps_the_chain_it_was_given(warnings):
    assert Settings.from_env({"TRANSLATORS": "google,mymemory"}).translators == ("google", "mymemory")
    assert warnings == []


def test_a_bad_allow_value_is_refused():
    with pytest.raises(settings_module.SettingsError, match="ALLOW_KEYLESS_PROVIDERS"):
        Settings.from_env({**IN_LAMBDA, "TRANSLATORS": "google", "ALLOW_KEYLESS_PROVIDERS": "maybe"})


def test_the_deployed_stages_are_configured_without_keyless_providers():
    stages = json.loads(CONFIG.read_text())["stages"]
    for stage in ("dev", "prod"):
        env = stages[stage]["environment_variables"]
        chain = env["TRANSLATORS"].split(",")
        assert not set(chain) & set(KEYLESS_PUBLIC_PROVIDERS), stage
        assert env.get("ALLOW_KEYLESS_PROVIDERS", "false") == "false"
