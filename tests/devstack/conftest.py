"""What the devstack tests share: fake credentials, no endpoint from the shell, and
devstack's moto patches applied for the test (and undone after it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from devstack import moto_patches

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture
def patched_moto_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The patches applied, fake credentials set, no AWS_ENDPOINT_URL: for a server of one's own."""
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    undo = moto_patches.apply()
    try:
        yield
    finally:
        undo()


@pytest.fixture
def patched_moto(patched_moto_env: None) -> Iterator[None]:
    """moto in-process (mock_aws) with devstack's patches applied."""
    with mock_aws():
        yield
