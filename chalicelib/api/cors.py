"""Cross-origin access for a console served from another origin than the API (CONSOLE_ORIGIN).

One origin, or none: the pages the API serves itself (/t/..., /console, /docs) are same-origin
and need no CORS, and a wildcard would let any site script the desk with an agent's token.
API Gateway answers the preflight (OPTIONS) of every route, Chalice adds the headers to answers.
"""

from __future__ import annotations

from chalice import CORSConfig

from chalicelib.settings import Settings

ALLOWED_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "X-Correlation-Id"]
EXPOSED_HEADERS = ["Retry-After", "Location", "X-Correlation-Id", "Idempotent-Replayed"]


def console_cors(settings: Settings) -> CORSConfig | bool:
    if settings.console_origin is None:
        return False
    return CORSConfig(
        allow_origin=settings.console_origin,
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        max_age=600,
        allow_credentials=False,  # tokens go in Authorization, never in cookies
    )
