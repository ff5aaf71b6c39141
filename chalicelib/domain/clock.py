"""A clock the local stage can move forward, for demos and checks of deadlines and escalation.

Deployed stages use the real clock: the movable one is chosen only when MOVABLE_CLOCK is on,
which settings refuse inside Lambda.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from chalicelib.domain.ticket import utc_now

# Deadlines and escalations lie up to weeks after "now": the clock must leave room for them.
MOST_AHEAD_OF_ANY_DEADLINE = timedelta(days=366)


class MovableClock:
    """The real time plus an offset that only grows or resets; shared by every thread."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        return utc_now() + self._offset

    @property
    def offset(self) -> timedelta:
        return self._offset

    def advance(self, by: timedelta) -> datetime:
        if by < timedelta(0):
            raise ValueError("the clock only moves forward: deadlines and audit events must stay in order")
        with self._lock:
            moved = self._offset + by
            try:
                utc_now() + moved + MOST_AHEAD_OF_ANY_DEADLINE
            except OverflowError:
                raise ValueError("that is past the last date the clock can show") from None
            self._offset = moved
        return self()

    def move_to(self, moment: datetime) -> datetime:
        return self.advance(max(moment - self(), timedelta(0)))

    def reset(self) -> datetime:
        """Back to real time (for a fresh demo; tickets stamped in the future stay so)."""
        with self._lock:
            self._offset = timedelta(0)
        return self()


movable_clock = MovableClock()
