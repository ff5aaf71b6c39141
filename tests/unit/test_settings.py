"""Settings read from the environment: defaults, overrides, and clear refusals."""

from __future__ import annotations

import pytest

from chalicelib.settings import SecretSetting, Settings, SettingsError


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


# --- translator settings ----------------------------------------------------------------


def test_translator_settings_default_to_no_provider_and_small_retries():
    settings = Settings.from_env({})
    assert settings.translators == ("none",)
    assert settings.deepl_api_key is None
    assert settings.microsoft_api_key is None
    assert settings.libretranslate_url is None
    assert settings.libretranslate_api_key is None
    assert (settings.deepl_url, settings.microsoft_url, settings.mymemory_url) == (None, None, None)
    assert (settings.microsoft_region, settings.mymemory_email) == (None, None)
    assert settings.translate_retries == 2
    assert settings.translate_backoff_seconds == 0.2
    assert settings.translate_backoff_max_seconds == 2.0
    assert settings.breaker_failures == 3
    assert settings.breaker_cooldown_seconds == 30.0


def test_every_provider_and_its_variables_can_be_configured():
    # Given every provider in one chain, each with its key and URL
    settings = Settings.from_env(
        {
            "TRANSLATORS": "aws, deepl,MICROSOFT,libre,mymemory,google",
            "DEEPL_API_KEY": "deepl-key:fx",
            "DEEPL_URL": "http://127.0.0.1:9/v2/translate",
            "MICROSOFT_API_KEY": "microsoft-key",
            "MICROSOFT_REGION": "westeurope",
            "MICROSOFT_URL": "http://127.0.0.1:9/translate",
            "LIBRETRANSLATE_URL": "http://127.0.0.1:5000",
            "LIBRETRANSLATE_API_KEY": "libre-key",
            "MYMEMORY_URL": "http://127.0.0.1:9/get",
            "MYMEMORY_EMAIL": "support@example.com",
            "TRANSLATE_RETRIES": "0",
            "TRANSLATE_BACKOFF_SECONDS": "0.5",
            "TRANSLATE_BACKOFF_MAX_SECONDS": "4",
            "BREAKER_FAILURES": "5",
            "BREAKER_COOLDOWN_SECONDS": "60",
        }
    )

    # Then the chain keeps its order and each value is read
    assert settings.translators == ("aws", "deepl", "microsoft", "libre", "mymemory", "google")
    assert settings.deepl_api_key == SecretSetting("DEEPL_API_KEY", value="deepl-key:fx")
    assert settings.deepl_url == "http://127.0.0.1:9/v2/translate"
    assert settings.microsoft_api_key == SecretSetting("MICROSOFT_API_KEY", value="microsoft-key")
    assert settings.microsoft_region == "westeurope"
    assert settings.microsoft_url == "http://127.0.0.1:9/translate"
    assert settings.libretranslate_url == "http://127.0.0.1:5000"
    assert settings.libretranslate_api_key == SecretSetting("LIBRETRANSLATE_API_KEY", value="libre-key")
    assert settings.mymemory_url == "http://127.0.0.1:9/get"
    assert settings.mymemory_email == "support@example.com"
    assert settings.translate_retries == 0
    assert settings.translate_backoff_seconds == 0.5
    assert settings.translate_backoff_max_seconds == 4.0
    assert settings.breaker_failures == 5
    assert settings.breaker_cooldown_seconds == 60.0


@pytest.mark.parametrize(
    ("translators", "missing"),
    [
        ("deepl", "DEEPL_API_KEY"),
        ("microsoft", "MICROSOFT_API_KEY"),
        ("libre", "LIBRETRANSLATE_URL"),
        ("google,deepl", "DEEPL_API_KEY"),
    ],
)
def test_a_chosen_provider_without_its_key_or_url_is_refused_naming_the_variable(translators: str, missing: str):
    with pytest.raises(SettingsError, match=missing):
        Settings.from_env({"TRANSLATORS": translators})


def test_providers_that_need_nothing_run_without_any_variable():
    assert Settings.from_env({"TRANSLATORS": "aws,google,mymemory"}).translators == ("aws", "google", "mymemory")


def test_a_key_for_a_provider_not_chosen_is_not_required_but_still_read():
    settings = Settings.from_env({"TRANSLATORS": "google", "DEEPL_API_KEY": "unused"})
    assert settings.deepl_api_key is not None


@pytest.mark.parametrize(
    ("variable", "name", "field"),
    [
        ("DEEPL_API_KEY_SSM_PARAMETER", "/polyglot-desk/dev/deepl-api-key", "ssm_parameter"),
        (
            "DEEPL_API_KEY_SSM_PARAMETER",
            "arn:aws:ssm:eu-west-1:123456789012:parameter/polyglot-desk/dev/deepl-api-key",
            "ssm_parameter",
        ),
        ("DEEPL_API_KEY_SECRET_ID", "polyglot-desk/dev/deepl-api-key", "secret_id"),
        (
            "DEEPL_API_KEY_SECRET_ID",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:polyglot-desk/dev/deepl-api-key-AbCdEf",
            "secret_id",
        ),
    ],
)
def test_a_key_can_live_in_ssm_or_secrets_manager_under_the_stage_prefix(variable: str, name: str, field: str):
    # Given the key named by where it lives, not by its value
    settings = Settings.from_env({"APP_STAGE": "dev", "TRANSLATORS": "deepl", variable: name})

    # Then settings keep the reference (the adapter reads it on first use) and no value
    assert settings.deepl_api_key is not None
    assert getattr(settings.deepl_api_key, field) == name
    assert settings.deepl_api_key.value is None
    assert settings.deepl_api_key.variable == "DEEPL_API_KEY"


@pytest.mark.parametrize(
    ("variable", "name"),
    [
        ("MICROSOFT_API_KEY_SSM_PARAMETER", "/polyglot-desk/prod/microsoft"),  # another stage's
        ("MICROSOFT_API_KEY_SSM_PARAMETER", "/other-app/dev/microsoft"),
        ("MICROSOFT_API_KEY_SSM_PARAMETER", "polyglot-desk/dev/microsoft"),  # not a path
        ("MICROSOFT_API_KEY_SSM_PARAMETER", "/polyglot-desk/dev/"),  # the prefix alone
        ("MICROSOFT_API_KEY_SECRET_ID", "polyglot-desk/prod/microsoft"),
        ("MICROSOFT_API_KEY_SECRET_ID", "arn:aws:secretsmanager:eu-west-1:1:secret:other/dev/microsoft"),
    ],
)
def test_a_secret_outside_the_stage_prefix_is_refused_naming_the_variable(variable: str, name: str):
    # The IAM policy only lets the stage read under its prefix: say so now, not at the first ticket.
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({"APP_STAGE": "dev", "TRANSLATORS": "microsoft", variable: name})


def test_a_key_given_two_ways_is_refused():
    with pytest.raises(SettingsError, match="LIBRETRANSLATE_API_KEY, LIBRETRANSLATE_API_KEY_SECRET_ID"):
        Settings.from_env(
            {
                "APP_STAGE": "dev",
                "LIBRETRANSLATE_API_KEY": "plain",
                "LIBRETRANSLATE_API_KEY_SECRET_ID": "polyglot-desk/dev/libre",
            }
        )


def test_a_key_value_never_appears_in_the_settings_repr():
    settings = Settings.from_env({"TRANSLATORS": "deepl", "DEEPL_API_KEY": "very-secret-value"})
    assert "very-secret-value" not in repr(settings)
    assert "DEEPL_API_KEY" in repr(settings)


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("TRANSLATORS", "google,google"),
        ("TRANSLATORS", "aws,babelfish"),
        ("GOOGLE_TRANSLATE_URL", "127.0.0.1:9/m"),
        ("LIBRETRANSLATE_URL", "ftp://translate.example.com"),
        ("DEEPL_URL", "https://"),
        ("MICROSOFT_URL", "api.cognitive.microsofttranslator.com"),
        ("MYMEMORY_URL", "not a url"),
        ("TRANSLATE_RETRIES", "-1"),
        ("TRANSLATE_RETRIES", "11"),
        ("TRANSLATE_RETRIES", "two"),
        ("TRANSLATE_BACKOFF_SECONDS", "-0.1"),
        ("TRANSLATE_BACKOFF_MAX_SECONDS", "inf"),
        ("BREAKER_FAILURES", "0"),
        ("BREAKER_COOLDOWN_SECONDS", "0"),
        ("BREAKER_COOLDOWN_SECONDS", "nan"),
    ],
)
def test_a_bad_translator_value_is_refused_naming_the_variable(name: str, raw: str):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: raw})


def test_the_safeguards_default_to_a_shift_30_days_and_budgets_on():
    safeguards = Settings.from_env({}).safeguards
    assert safeguards.agent_token_max_seconds == 12 * 3600
    assert safeguards.requester_token_after_resolution_seconds == 30 * 86400
    assert safeguards.rate_limits is True and safeguards.revocation_cache_seconds <= 60
    assert safeguards.identity_provider is None


@pytest.mark.parametrize(
    "name, raw",
    [("AGENT_TOKEN_MAX_HOURS", "200"), ("AGENT_REVOCATION_CACHE_SECONDS", "61"), ("OIDC_ISSUER", "cognito")],
)
def test_a_safeguard_out_of_bounds_is_refused_naming_the_variable(name: str, raw: str):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: raw})


def test_an_identity_provider_is_configured_from_its_issuer():
    pool = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf"
    provider = Settings.from_env({"OIDC_ISSUER": pool + "/", "OIDC_AUDIENCE": "client-1"}).safeguards.identity_provider
    assert provider is not None and provider.issuer == pool and provider.audience == "client-1"
    assert provider.jwks_url == pool + "/.well-known/jwks.json"
    assert (provider.groups_claim, provider.group_prefix) == ("cognito:groups", "desk-")
