"""Shared fixtures: an in-process moto account with the infra/ resources, the app, pollers.

The environment is set before `app` is imported: Chalice reads queue names in decorators.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

TEST_STAGE = "test"
TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "APP_STAGE": TEST_STAGE,
    "MOVABLE_CLOCK": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "AGENT_TOKEN_SECRET": "test-stage-agent-token-secret",
    "TRANSLATORS": "none",
    "REPORT_BATCH_ITEM_FAILURES": "true",
    "SWEEP_AFTER_SECONDS": "60",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    # Budgets are tested on their own (tests/pipeline/test_rate_limits.py): the other tests post
    # more tickets from one requester and one address than a real one would.
    "RATE_LIMITS": "off",
    # The 404 floor (timing must not tell an unknown ticket from another's) is tested on its own.
    "NOT_FOUND_FLOOR_MS": "0",
    # Most tests follow a ticket through its machine translation; what the desks read (tickets in
    # their languages translated on demand) is tested on its own (tests/pipeline/test_desk_languages.py).
    "DESK_LANGUAGES": "off",
}
_FOREIGN_PREFIXES = (
    "AWS_ENDPOINT_URL",
    "GOOGLE_",
    "DEEPL_",
    "MICROSOFT_",
    "LIBRETRANSLATE_",
    "MYMEMORY_",
    "TRANSLATE_",
    "BREAKER_",
    "AGENT_TOKEN_",
    "SWEEP_",
    "NOTIFY_",
    "PUBLIC_BASE_URL",
    "CSAT_",
    "RATE_LIMITS",
    "OIDC_",
    "REQUESTER_TOKEN_",
    "NOT_FOUND_FLOOR_MS",
)
for _name in list(os.environ):
    # A developer's shell must not reach into the suite: endpoints, provider keys and URLs.
    if _name.startswith(_FOREIGN_PREFIXES) or _name in {"AWS_PROFILE", "TABLE_NAME"}:
        del os.environ[_name]
os.environ.update(TEST_ENV)

from chalice.test import Client  # noqa: E402

from chalicelib import aws_resource_names  # noqa: E402
from chalicelib.adapters.aws import client, reset_clients  # noqa: E402
from chalicelib.composition_root import reset_dependencies  # noqa: E402
from devstack.poller import QueuePoller  # noqa: E402
from infra.apply import create_resources  # noqa: E402
from infra.stack import resources_template  # noqa: E402
from tests.emulator import aws_account  # noqa: E402  (moto, or POLYGLOT_TEST_AWS_ENDPOINT's emulator)
from tests.queues import take_messages  # noqa: E402


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh moto account holding exactly the resources infra/ defines."""
    with aws_account():
        reset_clients()
        reset_dependencies()
        create_resources(resources_template(TEST_STAGE), client("dynamodb"), client("sqs"))
        yield
        reset_clients()
        reset_dependencies()


@pytest.fixture
def chalice_app(aws: None) -> Any:
    import app as app_module

    return app_module.app


@pytest.fixture
def api(chalice_app: Any) -> Iterator[Client]:
    with Client(chalice_app, stage_name=TEST_STAGE) as test_client:
        yield test_client


@dataclass
class Pipeline:
    """Drives the real worker handlers from the real queues, like Lambda's pollers would."""

    pollers: dict[str, QueuePoller] = field(default_factory=dict)

    def step(self, role: str) -> int:
        return self.pollers[role].poll_once(wait_seconds=0).received

    def drain(self, max_rounds: int = 50) -> None:
        for _ in range(max_rounds):
            if not sum(self.step(role) for role in aws_resource_names.PIPELINE_QUEUES):
                return
        raise AssertionError("the pipeline did not settle")

    def deliver_notifications(self, max_rounds: int = 50) -> int:
        """Run the notify worker until its queue is empty; how many messages it took."""
        taken = 0
        for _ in range(max_rounds):
            received = self.step(aws_resource_names.NOTIFY)
            if not received:
                return taken
            taken += received
        raise AssertionError("the notify queue did not empty")

    def desk_messages(self, region: str) -> list[dict[str, Any]]:
        return take_messages(aws_resource_names.desk_queue_name(TEST_STAGE, region), hide_seconds=600)


@pytest.fixture
def pipeline(chalice_app: Any) -> Pipeline:
    from chalicelib.workers import notify
    from chalicelib.workers import pipeline as workers

    handlers = {
        aws_resource_names.DETECT: (workers.detect_language, "detect_language"),
        aws_resource_names.TRANSLATE: (workers.translate_ticket, "translate_ticket"),
        aws_resource_names.ROUTE: (workers.route_ticket, "route_ticket"),
        aws_resource_names.NOTIFY: (notify.deliver_notifications, "deliver_notifications"),
    }
    sqs = client("sqs")
    return Pipeline(
        {
            role: QueuePoller(sqs, aws_resource_names.queue_name(TEST_STAGE, role), handler, name, wait_seconds=0)
            for role, (handler, name) in handlers.items()
        }
    )
