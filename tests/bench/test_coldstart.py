"""bench.coldstart's fresh-process probes: the API handler and the authorizer answer their first
call without ever opening the language model; the detector's first detection does open it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.coldstart import API_HANDLER, AUTHORIZER, DETECTOR, MODEL_DIR, ROOT, child_environment, run_child

needs_model = pytest.mark.skipif(not (MODEL_DIR / "model.json").exists(), reason="the model is built by `make model`")

# What `import app` (every Lambda's cold start) must leave for the code that uses it: the
# contract's pydantic models, phone numbers, Powertools, boto3, JWT crypto, the help center, the
# translators, the language model, the OpenAPI document, any adapter or use case.
HEAVY_PACKAGES = (
    "pydantic",
    "pydantic_core",
    "phonenumbers",
    "aws_lambda_powertools",
    "boto3",
    "botocore",
    "jwt",
    "cryptography",
    "jsonschema",
    "requests",
    "deep_translator",
    "langdetect",
    "chalicelib.helpcenter",
    "chalicelib.langid",
    "chalicelib.adapters",
    "chalicelib.usecases",
    "chalicelib.api.openapi",
)
# The contract's one module without pydantic (the body limit and the 400): every route needs it.
LIGHT = {"chalicelib.api.contract.refusal"}


def test_importing_the_app_loads_no_heavy_module():
    # Given a fresh process with the local stage's environment
    # When it imports app, as every deployed function does first
    probe = "import json, sys, app; print(json.dumps(sorted(sys.modules)))"
    answer = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=child_environment(), cwd=ROOT, check=True
    )
    loaded = json.loads(answer.stdout.strip().splitlines()[-1])

    # Then none of the heavy packages is loaded, nor any contract model, yet every route is registered
    heavy = sorted(
        name for name in loaded if any(name == package or name.startswith(package + ".") for package in HEAVY_PACKAGES)
    )
    models = sorted(name for name in loaded if name.startswith("chalicelib.api.contract.") and name not in LIGHT)
    assert heavy == []
    assert models == []
    assert {"chalicelib.api.tickets", "chalicelib.workers.pipeline", "chalicelib.workers.notify"} <= set(loaded)


def test_a_contract_name_is_loaded_on_first_use_and_kept():
    # Given the lazily loaded contract package; When a route asks for a model by name
    from chalicelib.api import contract
    from chalicelib.api.contract.answers import TicketCreated

    # Then it is the model itself, kept as an ordinary attribute; and an unknown name is refused
    assert contract.TicketCreated is TicketCreated
    assert vars(contract)["TicketCreated"] is TicketCreated
    assert set(contract.__all__) <= set(dir(contract))
    with pytest.raises(AttributeError):
        _ = contract.NoSuchModel


@needs_model
@pytest.mark.parametrize(
    ("handler", "answer"), [(API_HANDLER, "GET /health 200"), (AUTHORIZER, "authorizer allows 0 routes")]
)
def test_the_api_handler_and_the_authorizer_never_open_the_language_model(handler: str, answer: str):
    # Given a fresh process with the local stage's environment and no network
    # When it imports app and makes the handler's first call (a route that detects nothing)
    figures = run_child(handler, child_environment())

    # Then the call was answered, and the model was mapped neither after the import nor after it
    assert figures["answer"] == answer
    assert figures["model_after_import"] is False
    assert figures["model_after_call"] is False


@needs_model
def test_the_detectors_first_detection_opens_the_model_the_probe_looks_for():
    # Given a fresh process; When the detect worker's first call detects a ticket's language
    figures = run_child(DETECTOR, child_environment())

    # Then it detected Spanish, and the probe saw the model mapped only after that call
    assert figures["answer"] == "detected es"
    assert figures["model_after_import"] is False
    assert figures["model_after_call"] is True
