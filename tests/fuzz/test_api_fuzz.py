"""Schemathesis against the local stack's /openapi.json, as nobody, as a requester and as an agent:
no answer is a server error, every status is one the document lists for the route, and every
body and Content-Type is the documented one.

Bounded: a few positive and negative examples per route and caller (derandomized, so a run is
repeatable), with the ids of a real ticket and incident mixed in so requests get past the 404s.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chalicelib.api.openapi import openapi_document
from devstack.stack import LocalStack
from tests.fuzz.conftest import Caller

pytestmark = pytest.mark.slow

EXAMPLES = 6  # per route and caller, positive and negative, on random and on real ids


def negative_data_refused(ctx: Any, response: Any, case: Any) -> bool | None:
    """negative_data_rejection, with 413 counted as the refusal it is (schemathesis's list of
    refusals lacks it: a string far over its maxLength is refused for the body's size first)."""
    if response.status_code == 413:
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_refused,
]
# The stack is stage `local`: its document has /dev/clock and /dev/outbox. The fuzz test checks it
# serves exactly this document.
DOCUMENT = openapi_document(local_routes=True)
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
# A route open to anyone answers everyone alike; a route with a token scheme is fuzzed as each caller.
RUNS = [
    pytest.param(operation, caller, id=f"{operation.label}-{caller}")
    for operation in OPERATIONS
    for caller in (("nobody", "requester", "agent") if operation.definition.raw.get("security") else ("nobody",))
]
# Rotating the requester's token retires the one the other runs use: that route goes last.
RUNS.sort(key=lambda run: run.values[0].path.endswith("/access-token"))


@pytest.fixture(scope="module")
def session() -> requests.Session:
    return requests.Session()


def test_the_stack_serves_the_document_the_fuzzer_reads(stack: LocalStack, session: requests.Session):
    assert session.get(f"{stack.base_url}/openapi.json", timeout=10).json() == DOCUMENT


def cases(operation: Any, caller: Caller) -> st.SearchStrategy[Any]:
    """Positive and negative cases; on a route with ids in its path, mostly the caller's real ones
    (random ids are one 404 after another)."""
    known = {name: value for name, value in caller.path_ids.items() if f"{{{name}}}" in operation.path}
    if not known:
        return st.one_of([operation.as_strategy(generation_mode=mode) for mode in GenerationMode])
    return st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=known),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE, path_parameters=known),
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
    )


@pytest.mark.parametrize(("operation", "caller_name"), RUNS)
def test_every_answer_is_documented(
    stack: LocalStack, callers: dict[str, Caller], session: requests.Session, operation: Any, caller_name: str
):
    caller = callers[caller_name]
    headers = {} if caller.authorization is None else {"Authorization": caller.authorization}

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases(operation, caller))
    def fuzz(case: Any) -> None:
        case.call_and_validate(base_url=stack.base_url, session=session, headers=headers, checks=CHECKS, timeout=10)

    fuzz()
