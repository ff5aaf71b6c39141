"""Settings read from the environment: defaults, overrides, and clear refusals."""

from __future__ import annotations

import pytest

from chalicelib.settings import Settings, SettingsError


def test_an_empty_environment_gives_the_local_defaults():
    # Given no variables at all
    # When settings are read
    settings = Settings.from_env({})

    # Then the local stage runs untranslated, with fail-closed batches and a 5-minute sweep
    assert settings.stage == "local"
    assert settings.table_name == "polyglot-desk-local-tickets"
    assert settings.pivot_language == "en"
    assert settings.translators == ("none",)
    assert settings.google_translate_url is None
    assert settings.translate_timeout_seconds == 5.0
    assert settings.report_batch_item_failures is False
    assert settings.sweep_after_seconds == 300.0
    assert settings.sweep_max_attempts == 10
    assert settings.idempotency_ttl_seconds == 24 * 3600


def test_names_follow_the_stage():
    settings = Settings.from_env({"APP_STAGE": "dev"})
    assert settings.table_name == "polyglot-desk-dev-tickets"
    assert settings.queue_name("detect") == "polyglot-desk-dev-detect"
    assert settings.desk_queue_name("latam") == "polyglot-desk-dev-desk-latam"


def test_every_variable_can_be_set():
    # Given a fully specified environment
    settings = Settings.from_env(
        {
            "APP_STAGE": "prod-eu",
            "TABLE_NAME": "custom-table",
            "PIVOT_LANGUAGE": "ES",
            "TRANSLATORS": " Google , none ",
            "GOOGLE_TRANSLATE_URL": "http://127.0.0.1:9/m",
            "TRANSLATE_TIMEOUT_SECONDS": "2.5",
            "REPORT_BATCH_ITEM_FAILURES": "yes",
            "SWEEP_AFTER_SECONDS": "60",
            "SWEEP_MAX_ATTEMPTS": "3",
            "IDEMPOTENCY_TTL_HOURS": "2",
        }
    )

    # Then each is read, normalised
    assert settings.stage == "prod-eu"
    assert settings.table_name == "custom-table"
    assert settings.pivot_language == "es"
    assert settings.translators == ("google", "none")
    assert settings.google_translate_url == "http://127.0.0.1:9/m"
    assert settings.translate_timeout_seconds == 2.5
    assert settings.report_batch_item_failures is True
    assert settings.sweep_after_seconds == 60.0
    assert settings.sweep_max_attempts == 3
    assert settings.idempotency_ttl_seconds == 7200


@pytest.mark.parametrize(
    ("raw", "value"), [("1", True), ("TRUE", True), ("on", True), ("0", False), ("Off", False), ("", False)]
)
def test_booleans_accept_the_usual_spellings(raw: str, value: bool):
    assert Settings.from_env({"REPORT_BATCH_ITEM_FAILURES": raw}).report_batch_item_failures is value


def test_an_empty_translator_list_means_none():
    assert Settings.from_env({"TRANSLATORS": " , "}).translators == ("none",)


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("APP_STAGE", "my stage"),
        ("APP_STAGE", "dev/prod"),
        ("TRANSLATORS", "deepl"),
        ("TRANSLATORS", "google,babelfish"),
        ("PIVOT_LANGUAGE", "eng"),
        ("PIVOT_LANGUAGE", "e1"),
        ("TRANSLATE_TIMEOUT_SECONDS", "fast"),
        ("TRANSLATE_TIMEOUT_SECONDS", "0.01"),
        ("REPORT_BATCH_ITEM_FAILURES", "maybe"),
        ("SWEEP_AFTER_SECONDS", "0"),
        ("SWEEP_AFTER_SECONDS", "-5"),
        ("SWEEP_MAX_ATTEMPTS", "0"),
        ("SWEEP_MAX_ATTEMPTS", "ten"),
        ("IDEMPOTENCY_TTL_HOURS", "a day"),
        ("IDEMPOTENCY_TTL_HOURS", "0"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(name: str, raw: str):
    # Given one bad variable
    # When settings are read
    # Then a SettingsError names the variable
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: raw})


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("SWEEP_AFTER_SECONDS", "nan"),
        ("SWEEP_AFTER_SECONDS", "inf"),
        ("TRANSLATE_TIMEOUT_SECONDS", "nan"),
        ("SWEEP_MAX_ATTEMPTS", "inf"),
        ("SWEEP_MAX_ATTEMPTS", "nan"),
        ("IDEMPOTENCY_TTL_HOURS", "inf"),
    ],
)
def test_a_non_finite_number_is_refused_naming_the_variable(name: str, raw: str):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: raw})
