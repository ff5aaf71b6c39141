"""GET /metrics: support metrics for the desk's leads, from aggregates (never a table scan).

An agent token opens the regions its agent works (a `global` agent sees every region); a
`region` the agent does not work answers 404, as on the desk routes.
"""

from __future__ import annotations

from datetime import UTC

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api import contract
from chalicelib.api.access import agent_authorizer, agent_from_token, agent_of_desk
from chalicelib.api.http import HttpError, answers_errors, bearer_token, json_response
from chalicelib.composition_root import Dependencies, dependencies
from chalicelib.domain.catalog import REGIONS

metrics_api = Blueprint(__name__)


@metrics_api.route("/metrics", methods=["GET"], authorizer=agent_authorizer)
@answers_errors
def support_metrics() -> Response:
    deps = dependencies()
    request = metrics_api.current_request
    params = request.query_params or {}
    regions = visible_regions(request, params.get("region"), deps)
    query = contract.parse_metrics_query(params, today=deps.clock().astimezone(UTC).date())
    report = deps.read_support_metrics(regions, query.language, query.period)
    return json_response(200, contract.SupportMetricsReport.of(report).dump())


def visible_regions(request: Request, region: str | None, deps: Dependencies) -> tuple[str, ...]:
    """The one region asked for (404 unless the agent works it), else every region they work."""
    if region is not None:
        agent_of_desk(request, region, deps)
        return (region,)
    agent = agent_from_token(bearer_token(request), deps)
    if agent is None:
        raise HttpError(401, "unauthorized", "an agent token is required")
    return tuple(name for name in REGIONS if agent.works(name))
