"""The answers nobody's route writes: API Gateway's (the agent authorizer's 401 and 403) and
Chalice's own (415 before a route runs). /openapi.json documents them on every route that can get
them (api/openapi_rows.py), so a client, and the fuzzer, can tell them from the app's `Error`."""

from __future__ import annotations

from pydantic import MISSING, Field

from chalicelib.api.contract.base import ViewModel


class GatewayError(ViewModel):
    """API Gateway refusing before the app runs: `{"message": "Unauthorized"}` (no token) or
    `{"Message": "User is not authorized to access this resource"}` (the authorizer said no)."""

    message: str | MISSING = Field(default=MISSING, description="401: Unauthorized")
    denied: str | MISSING = Field(
        default=MISSING, alias="Message", description="403: User is not authorized to access this resource"
    )


class FrameworkError(ViewModel):
    """Chalice refusing before the route runs, e.g. `{"Code": "UnsupportedMediaType",
    "Message": "Unsupported media type: text/xml"}`."""

    code: str = Field(alias="Code", description="UnsupportedMediaType, MethodNotAllowedError...")
    message: str = Field(alias="Message")
