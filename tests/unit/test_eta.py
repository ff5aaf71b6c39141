"""The requester's ETA window: percentiles of recent first responses, the queue ahead, staffing."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.eta import ETA_MIN_SAMPLES, eta_window, percentile
from tests.unit.sla_builders import NEW_YORK, at, hours

NOW = at(2026, 2, 9, 12)
DUE = NOW + hours(24)
# 60 recent first responses between 1 and 6 hours, evenly spread.
PLENTY = [60 + 5 * index for index in range(61)]


def width(window: tuple[datetime, datetime]) -> timedelta:
    return window[1] - window[0]


def test_without_any_data_the_window_runs_from_now_to_the_deadline():
    assert eta_window(NOW, DUE, backlog_ahead=0, recent_first_response_minutes=[], agents_online=3) == (NOW, DUE)


def test_without_data_a_long_queue_stretches_the_window_past_the_deadline():
    # Given 31 tickets ahead where 3 agents usually have 15 (5 each): twice the usual queue position
    window = eta_window(NOW, DUE, backlog_ahead=31, recent_first_response_minutes=[], agents_online=3)
    # Then the window is twice as long as the time to the deadline
    assert window == (NOW, NOW + hours(48))


def test_the_window_is_never_in_the_past_even_when_the_deadline_is():
    overdue = NOW - hours(5)
    for samples in ([], [30.0], PLENTY):
        earliest, latest = eta_window(NOW, overdue, 0, samples, 2)
        assert NOW <= earliest <= latest
        assert latest > NOW


def test_with_plenty_of_data_the_window_follows_recent_response_times():
    # Given 61 samples and the usual queue (5 per agent ahead, 2 agents: 10 ahead)
    earliest, latest = eta_window(NOW, DUE, 10, PLENTY, 2)
    # Then the window spans the 25th..90th percentiles, widened by 1 + 2/sqrt(61)
    spread = 1 + 2 / math.sqrt(61)
    assert earliest == NOW + timedelta(minutes=percentile(PLENTY, 0.25) / spread)
    assert latest == NOW + timedelta(minutes=percentile(PLENTY, 0.9) * spread)
    # And it may end well before the deadline: the promise is not padded in
    assert latest < DUE


def test_thin_data_widens_the_window_and_keeps_the_deadline_inside():
    # Given the same kind of response times, from 4 samples instead of 61
    thin = [90.0, 150.0, 210.0, 270.0]
    plenty_window = eta_window(NOW, DUE, 10, PLENTY, 2)
    thin_window = eta_window(NOW, DUE, 10, thin, 2)
    # Then the thin window starts earlier, ends later and includes the deadline
    assert thin_window[0] < plenty_window[0]
    assert thin_window[1] >= DUE > plenty_window[1]
    assert len(thin) < ETA_MIN_SAMPLES


def test_fewer_samples_never_narrow_the_window():
    samples = [120.0] * 200
    widths = [width(eta_window(NOW, NOW, 10, samples[:count], 2)) for count in (1, 4, 16, 64, 200)]
    assert widths == sorted(widths, reverse=True)


def test_a_growing_backlog_moves_the_window_later():
    windows = [eta_window(NOW, DUE, ahead, PLENTY, 2) for ahead in (0, 5, 10, 20, 40, 80)]
    earliest = [window[0] for window in windows]
    latest = [window[1] for window in windows]
    assert earliest == sorted(earliest) and len(set(earliest)) == len(earliest)
    assert latest == sorted(latest) and len(set(latest)) == len(latest)
    # And the window grows with the queue: more tickets ahead, more uncertainty in absolute time
    assert width(windows[-1]) > width(windows[0])


def test_more_agents_online_bring_the_window_earlier():
    # Given 20 tickets ahead
    one_agent = eta_window(NOW, DUE, 20, PLENTY, 1)
    four_agents = eta_window(NOW, DUE, 20, PLENTY, 4)
    assert four_agents[1] < one_agent[1]


def test_unknown_or_absent_staffing_stretches_the_late_end():
    staffed = eta_window(NOW, DUE, 5, PLENTY, 1)
    assert eta_window(NOW, DUE, 5, PLENTY, None)[1] > staffed[1]
    assert eta_window(NOW, DUE, 5, PLENTY, 0)[1] > staffed[1]
    assert eta_window(NOW, DUE, 5, PLENTY, None)[0] == staffed[0]


def test_a_known_usual_backlog_replaces_the_per_agent_assumption():
    # Given a region that usually has 10 tickets ahead, now with 10 ahead
    usual = eta_window(NOW, DUE, 10, PLENTY, 7, typical_backlog=10)
    # Then the window is the recent experience, whatever the number of agents
    assert usual == eta_window(NOW, DUE, 10, PLENTY, 2)


def test_unusable_samples_are_ignored():
    clean = eta_window(NOW, DUE, 3, PLENTY, 2)
    dirty = eta_window(NOW, DUE, 3, [*PLENTY, -5.0, math.nan, math.inf], 2)
    assert dirty == clean


def test_broken_eta_inputs_are_refused():
    with pytest.raises(ValueError, match="backlog_ahead"):
        eta_window(NOW, DUE, -1, PLENTY, 2)
    with pytest.raises(ValueError, match="timezone-aware"):
        eta_window(datetime(2026, 2, 9, 12), DUE, 0, PLENTY, 2)


def test_the_window_is_in_utc():
    earliest, latest = eta_window(at(2026, 2, 9, 7, tz=NEW_YORK), DUE, 0, PLENTY, 2)
    assert earliest.tzinfo is UTC and latest.tzinfo is UTC


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [([5.0], 0.9, 5.0), ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5), ([4.0, 1.0, 3.0, 2.0], 0.0, 1.0), ([1.0, 3.0], 1.0, 3.0)],
)
def test_percentiles_interpolate_between_ranks(values: list[float], fraction: float, expected: float):
    assert percentile(values, fraction) == expected


def test_percentile_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        percentile([], 0.5)
