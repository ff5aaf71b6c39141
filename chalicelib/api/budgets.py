"""Request budgets at the door: 429 with Retry-After once a requester or a client address has
spent its budget for the window (chalicelib/data/rate_limits.json, usecases/safeguards.SpendBudget)."""

from __future__ import annotations

from chalice.app import Request

from chalicelib.api.http import HttpError
from chalicelib.composition_root import Dependencies
from chalicelib.domain.rate_limits import Charge, Verdict


def client_address(request: Request) -> str | None:
    """The caller's address as API Gateway saw it (127.0.0.1 on the local stage)."""
    identity = (request.context or {}).get("identity") or {}
    return identity.get("sourceIp") or None


def spend(request: Request, deps: Dependencies, action: str, requester: str | None = None) -> None:
    verdict = deps.spend_budget(action, {"requester": requester, "ip": client_address(request)})
    if not verdict.allowed:
        raise rate_limited(verdict)


def charges(request: Request, deps: Dependencies, action: str, requester: str | None = None) -> tuple[Charge, ...]:
    """The counts of `action`, for the use case to write with its own write (intake)."""
    return deps.spend_budget.charges(action, {"requester": requester, "ip": client_address(request)})


def rate_limited(verdict: Verdict) -> HttpError:
    who = "this requester" if verdict.scope == "requester" else "this address"
    return HttpError(
        429,
        "rate_limited",
        f"too many requests from {who}; retry in {verdict.retry_after} s",
        headers={"Retry-After": str(verdict.retry_after)},
    )
