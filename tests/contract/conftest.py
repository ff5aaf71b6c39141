"""`store`: every store port, once in memory and once on DynamoDB (moto, the infra/ table)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.composition_root import Dependencies
from chalicelib.settings import get_settings


@pytest.fixture(params=["in_memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Iterator[Dependencies]:
    if request.param == "in_memory":
        yield Dependencies.in_memory(get_settings())
    else:
        request.getfixturevalue("aws")  # a fresh moto account with the table
        yield Dependencies(get_settings())
