"""bench.coldstart's fresh-process probes: the API handler and the authorizer answer their first
call without ever opening the language model; the detector's first detection does open it."""

from __future__ import annotations

import pytest

from bench.coldstart import API_HANDLER, AUTHORIZER, DETECTOR, MODEL_DIR, child_environment, run_child

pytestmark = pytest.mark.skipif(not (MODEL_DIR / "model.json").exists(), reason="the model is built by `make model`")


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


def test_the_detectors_first_detection_opens_the_model_the_probe_looks_for():
    # Given a fresh process; When the detect worker's first call detects a ticket's language
    figures = run_child(DETECTOR, child_environment())

    # Then it detected Spanish, and the probe saw the model mapped only after that call
    assert figures["answer"] == "detected es"
    assert figures["model_after_import"] is False
    assert figures["model_after_call"] is True
