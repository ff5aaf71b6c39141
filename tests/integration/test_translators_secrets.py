"""Provider keys kept in SSM Parameter Store or Secrets Manager (moto), read on first use."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from chalicelib.adapters.aws import client, reset_clients
from chalicelib.adapters.resilient_translator import ProviderRefused
from chalicelib.adapters.secrets import SecretUnavailable, forget_secret, reset_secret_cache, resolve_secret
from chalicelib.adapters.translators import build_translators
from chalicelib.domain import stages
from chalicelib.domain.ticket import Language, Status, TranslationStatus
from chalicelib.settings import SecretSetting, Settings
from tests.fakes.deepl import FakeDeepL
from tests.fakes.http_fake import serving
from tests.integration.builders import STAGE, T0, received_ticket

PARAMETER = f"/polyglot-desk/{STAGE}/deepl-api-key"
SECRET = f"polyglot-desk/{STAGE}/deepl-api-key"


@pytest.fixture
def moto() -> Iterator[None]:
    """An empty moto account (SSM and Secrets Manager are all these tests need)."""
    with mock_aws():
        reset_clients()
        reset_secret_cache()
        yield
        reset_secret_cache()
        reset_clients()


@pytest.fixture(scope="module")
def deepl_server() -> Iterator[FakeDeepL]:
    with serving(FakeDeepL()) as fake:
        yield fake


@pytest.fixture
def deepl(deepl_server: FakeDeepL) -> FakeDeepL:
    deepl_server.reset()
    deepl_server.api_key = "deepl-test-key:fx"
    return deepl_server


def put_parameter(name: str, value: str) -> None:
    client("ssm").put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)


def in_ssm(name: str = PARAMETER) -> SecretSetting:
    return SecretSetting("DEEPL_API_KEY", ssm_parameter=name)


def in_secrets_manager(secret_id: str = SECRET) -> SecretSetting:
    return SecretSetting("DEEPL_API_KEY", secret_id=secret_id)


def test_a_secure_string_parameter_is_read_decrypted(moto: None):
    put_parameter(PARAMETER, "the-key")
    assert resolve_secret(in_ssm()) == "the-key"


def test_a_secret_string_is_read_from_secrets_manager(moto: None):
    client("secretsmanager").create_secret(Name=SECRET, SecretString="the-key")
    assert resolve_secret(in_secrets_manager()) == "the-key"


def test_a_binary_secret_is_read_as_text(moto: None):
    client("secretsmanager").create_secret(Name=SECRET, SecretBinary=b"the-key")
    assert resolve_secret(in_secrets_manager()) == "the-key"


def count_reads(service: str, operation: str) -> list[str]:
    """The names read through the current `client(service)` from now on, one entry per AWS call."""
    reads: list[str] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        reads.append(params.get("Name") or params.get("SecretId"))

    client(service).meta.events.register(f"provide-client-params.{service}.{operation}", record)
    return reads


def test_a_secret_is_read_once_per_process_until_forgotten(moto: None):
    # Given a key read once
    put_parameter(PARAMETER, "first")
    assert resolve_secret(in_ssm()) == "first"

    # When it changes in SSM, the process keeps the value it read (no call per ticket)
    put_parameter(PARAMETER, "rotated")
    assert resolve_secret(in_ssm()) == "first"

    # Until it is forgotten (after the provider refused it): then it is read again
    forget_secret(in_ssm())
    assert resolve_secret(in_ssm()) == "rotated"


def test_threads_asking_at_once_cause_one_read(moto: None):
    # Given a key in SSM and eight worker threads that need it at the same moment
    put_parameter(PARAMETER, "the-key")
    reads = count_reads("ssm", "GetParameter")
    start = threading.Barrier(8)
    values: list[str] = []

    def worker() -> None:
        start.wait()
        values.append(resolve_secret(in_ssm()))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then AWS was asked once, and every thread got the key
    assert values == ["the-key"] * 8
    assert reads == [PARAMETER]
    # And later calls ask nobody
    resolve_secret(in_ssm())
    assert reads == [PARAMETER]


def test_forgetting_reads_the_secret_again_from_secrets_manager(moto: None):
    client("secretsmanager").create_secret(Name=SECRET, SecretString="first")
    reads = count_reads("secretsmanager", "GetSecretValue")
    assert resolve_secret(in_secrets_manager()) == "first"

    client("secretsmanager").put_secret_value(SecretId=SECRET, SecretString="rotated")
    assert resolve_secret(in_secrets_manager()) == "first"
    forget_secret(in_secrets_manager())
    assert resolve_secret(in_secrets_manager()) == "rotated"
    assert reads == [SECRET, SECRET]


def test_after_the_clients_are_reset_the_next_read_uses_the_new_client(moto: None):
    # Given a key read through the first SSM client
    put_parameter(PARAMETER, "first")
    assert resolve_secret(in_ssm()) == "first"

    # When the clients are replaced (a new endpoint) and the key is forgotten
    reset_clients()
    reads = count_reads("ssm", "GetParameter")
    put_parameter(PARAMETER, "rotated")
    forget_secret(in_ssm())

    # Then it is read again through the new client
    assert resolve_secret(in_ssm()) == "rotated"
    assert reads == [PARAMETER]


@pytest.mark.parametrize("value", [" ", " \n\t "], ids=["space", "whitespace"])
def test_a_blank_secret_is_refused_naming_the_variable_and_where(moto: None, value: str):
    # (AWS refuses an empty SecretString or parameter value; whitespace gets through)
    client("secretsmanager").create_secret(Name=SECRET, SecretString=value)
    with pytest.raises(SecretUnavailable) as raised:
        resolve_secret(in_secrets_manager())
    assert str(raised.value) == f"DEEPL_API_KEY: Secrets Manager secret {SECRET} is empty"

    # And a refused value is not kept: once the secret holds a key, the next call reads it
    client("secretsmanager").put_secret_value(SecretId=SECRET, SecretString="the-key")
    assert resolve_secret(in_secrets_manager()) == "the-key"


def test_a_binary_secret_that_is_not_utf8_is_unavailable(moto: None):
    client("secretsmanager").create_secret(Name=SECRET, SecretBinary=b"\xff\xfe-key")
    with pytest.raises(SecretUnavailable) as raised:
        resolve_secret(in_secrets_manager())
    assert str(raised.value) == f"DEEPL_API_KEY: cannot read Secrets Manager secret {SECRET} (UnicodeDecodeError)"


def test_an_empty_plain_value_is_refused():
    with pytest.raises(SecretUnavailable, match=r"^DEEPL_API_KEY is empty$"):
        resolve_secret(SecretSetting("DEEPL_API_KEY", value=""))


def test_importing_the_module_reads_nothing_and_loads_no_aws_library():
    # A function that never needs a secret must not pay for boto3 or Powertools at cold start
    code = (
        "import sys; import chalicelib.adapters.secrets; "
        "loaded = [name for name in ('boto3', 'botocore', 'aws_lambda_powertools') if name in sys.modules]; "
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("setting", [in_ssm(), in_secrets_manager()], ids=["ssm", "secrets-manager"])
def test_a_missing_secret_is_unavailable_naming_the_variable(moto: None, setting: SecretSetting):
    with pytest.raises(SecretUnavailable, match="DEEPL_API_KEY") as raised:
        resolve_secret(setting)
    assert "ParameterNotFound" in str(raised.value) or "ResourceNotFound" in str(raised.value)
    # The message says where it looked: the parameter or secret name
    assert (setting.ssm_parameter or setting.secret_id or "") in str(raised.value)


def test_a_plain_value_needs_no_aws_call():
    assert resolve_secret(SecretSetting("DEEPL_API_KEY", value="inline")) == "inline"


def test_the_key_is_read_on_first_use_not_when_the_chain_is_built(moto: None, deepl: FakeDeepL):
    # Given settings naming an SSM parameter that does not exist yet
    settings = Settings.from_env(
        {
            "APP_STAGE": STAGE,
            "TRANSLATORS": "deepl",
            "DEEPL_API_KEY_SSM_PARAMETER": PARAMETER,
            "DEEPL_URL": deepl.url + "/v2/translate",
            "TRANSLATE_RETRIES": "0",
        }
    )

    # When the chain is built (a cold start), nothing is read, so nothing fails
    chain = build_translators(settings)

    # And when the key appears and a ticket is translated, DeepL gets the key from SSM
    put_parameter(PARAMETER, deepl.api_key)
    ticket = received_ticket().advance(Status.DETECTED, T0, "detect_language", language=Language("es", 0.9, "text"))
    translation = stages.translate_fields(ticket, chain, "en")
    assert translation.status is TranslationStatus.DONE
    assert deepl.translations[-1].request.header("authorization") == f"DeepL-Auth-Key {deepl.api_key}"


def test_an_unreadable_key_makes_the_provider_refused_and_the_ticket_pending(moto: None, deepl: FakeDeepL):
    settings = Settings.from_env(
        {
            "APP_STAGE": STAGE,
            "TRANSLATORS": "deepl",
            "DEEPL_API_KEY_SECRET_ID": SECRET,  # never created
            "DEEPL_URL": deepl.url + "/v2/translate",
        }
    )
    [translator] = build_translators(settings)
    with pytest.raises(ProviderRefused, match="DEEPL_API_KEY"):
        translator.translate("hola", "es", "en")
    assert deepl.received == []

    ticket = received_ticket().advance(Status.DETECTED, T0, "detect_language", language=Language("es", 0.9, "text"))
    assert stages.translate_fields(ticket, [translator], "en").status is TranslationStatus.PENDING


def test_a_rotated_key_is_picked_up_after_the_provider_refuses_the_old_one(moto: None, deepl: FakeDeepL):
    # Given DeepL translating with the key kept in Secrets Manager
    client("secretsmanager").create_secret(Name=SECRET, SecretString=deepl.api_key)
    settings = Settings.from_env(
        {
            "APP_STAGE": STAGE,
            "TRANSLATORS": "deepl",
            "DEEPL_API_KEY_SECRET_ID": SECRET,
            "DEEPL_URL": deepl.url + "/v2/translate",
            "TRANSLATE_RETRIES": "0",
        }
    )
    [translator] = build_translators(settings)
    assert translator.translate("hola", "es", "en") == "[EN-US] hola"

    # When the key is rotated: DeepL now wants the new one, and the secret holds it
    deepl.api_key = "rotated-key:fx"
    client("secretsmanager").put_secret_value(SecretId=SECRET, SecretString="rotated-key:fx")

    # Then the first call with the old key is refused, and the next one reads the new key
    with pytest.raises(ProviderRefused):
        translator.translate("hola", "es", "en")
    assert translator.translate("hola", "es", "en") == "[EN-US] hola"
    assert deepl.translations[-1].request.header("authorization") == "DeepL-Auth-Key rotated-key:fx"
