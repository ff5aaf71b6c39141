"""Request budgets: how many requests one requester, or one client address, may make per window.

Fixed windows counted in the store (one atomic increment per request and subject): simple and
cheap, at the price of letting a caller spend two budgets around a window's edge. The subject
(a requester id, an e-mail, an IP address) is personal data, so only its hash names a bucket.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Budget:
    limit: int  # requests allowed per window
    window_seconds: int


@dataclass(frozen=True)
class Window:
    start: int  # epoch seconds
    end: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the exhausted window ends
    scope: str | None = None  # which budget ran out: "requester" or "ip"


ALLOWED = Verdict(True)


@dataclass(frozen=True)
class Charge:
    """One request counted against one budget, written together with the request's own write
    (intake: in the ticket's transaction), so counting costs no request of its own."""

    bucket: str
    window_start: int
    expires_at: int  # the counter's TTL
    limit: int
    refusal: Verdict  # what the caller is told when this budget is already spent


class BudgetSpent(Exception):
    """A charge found its budget spent: nothing was written, nothing counted."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(f"budget spent ({verdict.scope}); retry in {verdict.retry_after} s")
        self.verdict = verdict


SCOPES = ("requester", "ip")


def window(now: float, budget: Budget) -> Window:
    start = int(now) - int(now) % budget.window_seconds
    return Window(start, start + budget.window_seconds)


def bucket(action: str, scope: str, subject: str) -> str:
    digest = hashlib.sha256(f"polyglot-desk/rate/{scope}/{subject.strip().lower()}".encode()).hexdigest()
    return f"{action}#{scope}#{digest[:32]}"


def retry_after(now: float, spent: Window) -> int:
    return max(1, spent.end - int(now))


def parse_budgets(document: dict[str, Any]) -> dict[str, dict[str, Budget]]:
    """`{"intake": {"requester": {"limit": 10, "window_seconds": 600}, ...}, ...}`, checked."""
    budgets: dict[str, dict[str, Budget]] = {}
    for action, scopes in document.items():
        if action.startswith("_"):
            continue  # comments
        budgets[action] = {}
        for scope, spec in scopes.items():
            if scope not in SCOPES:
                raise ValueError(f"rate limit scope must be one of {SCOPES}, got {scope!r}")
            limit, seconds = int(spec["limit"]), int(spec["window_seconds"])
            if limit < 1 or not 1 <= seconds <= 86_400:
                raise ValueError(f"{action}.{scope}: limit >= 1 and 1 <= window_seconds <= 86400")
            budgets[action][scope] = Budget(limit, seconds)
    return budgets
