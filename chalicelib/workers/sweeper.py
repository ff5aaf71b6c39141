"""The scheduled sweeper: re-sends the claim check of everything that rests too long
(`usecases/sweep.py`), re-sends notifications whose next attempt is due, and asks for the
satisfaction surveys that came due (`usecases/notify.py`, `usecases/satisfaction.py`)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Rate

from chalicelib.composition_root import dependencies

sweeper = Blueprint(__name__)


@sweeper.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_stuck_tickets(event: Any) -> dict[str, int]:
    deps = dependencies()
    counts = deps.sweep()
    counts["notifications"] = deps.retry_notifications()
    surveys = deps.request_due_surveys()
    counts["surveys_asked"], counts["surveys_cancelled"] = surveys["asked"], surveys["cancelled"]
    return counts
