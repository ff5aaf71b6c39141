"""The scheduled sweeper: re-sends the claim check of everything that rests too long
(`usecases/sweep.py`)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Rate

from chalicelib.composition_root import dependencies

sweeper = Blueprint(__name__)


@sweeper.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_stuck_tickets(event: Any) -> dict[str, int]:
    return dependencies().sweep()
