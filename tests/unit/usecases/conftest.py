"""Each test gets a fresh in-memory desk, a clock at T0 and a publisher that records."""

from __future__ import annotations

import pytest

from chalicelib.composition_root import Dependencies
from tests.unit.usecases.fakes import RecordingPublisher, StepClock, in_memory_desk


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def publisher() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def deps(clock: StepClock, publisher: RecordingPublisher) -> Dependencies:
    return in_memory_desk(clock, publisher)
