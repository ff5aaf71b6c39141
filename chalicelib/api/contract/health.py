"""GET /health's answer: on its own, so that a health check loads one small model."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.api.contract.base import ViewModel


class Health(ViewModel):
    """Up."""

    status: Literal["ok"]
    stage: str
    pivot_language: str = Field(description="The language agents read")
