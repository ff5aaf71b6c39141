"""The scheduled escalation worker: tickets whose SLA escalation level has risen move up
(`usecases/escalate.py`)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Rate

from chalicelib.composition_root import dependencies

escalations = Blueprint(__name__)


@escalations.schedule(Rate(1, unit=Rate.MINUTES))
def escalate_overdue_tickets(event: Any) -> dict[str, int]:
    return dependencies().escalate_due()
