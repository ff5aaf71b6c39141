"""/docs: Swagger UI over /openapi.json, served by the API itself under the pages' CSP, with
nothing fetched from another origin."""

from __future__ import annotations

import urllib.request
from typing import Any
from urllib.parse import urlsplit

from tests.browser.conftest import PAGE_WAIT_MS, PageEvents


def test_the_reference_page_lists_the_api_from_this_origin_only(base_url: str, page: Any, page_events: PageEvents):
    # Given every request the page makes, recorded
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    # When a developer opens /docs
    answer = page.goto(f"{base_url}/docs")

    # Then the page comes with the pages' strict policy (no inline script or style, no framing)
    assert answer is not None and answer.status == 200
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "frame-ancestors 'none'" in policy
    # And Swagger UI renders the API's operations, grouped by tag, from /openapi.json
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=PAGE_WAIT_MS)
    assert page.locator(".swagger-ui .opblock-summary-path[data-path='/tickets']").count() >= 1
    assert "polyglot-desk" in page.locator(".swagger-ui .info .title").inner_text()
    # And an operation opens with its parameters and answers
    page.locator(".swagger-ui .opblock-summary-path[data-path='/tickets/{ticket_id}']").first.click()
    page.locator(".swagger-ui .opblock.is-open .responses-table").first.wait_for(timeout=PAGE_WAIT_MS)
    # And nothing came from anywhere but this origin (no CDN, no validator badge)
    origins = {f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" for url in requested if not url.startswith("data:")}
    assert origins == {base_url}
    assert f"{base_url}/openapi.json" in requested
    # (the page_events fixture fails the test on any page error or CSP refusal)
    assert page_events.csp_violations == []


def test_swagger_ui_files_are_served_with_their_types_and_an_etag(base_url: str):
    for name, kind in (("swagger-ui-bundle.min.js", "text/javascript"), ("swagger-ui.min.css", "text/css")):
        with urllib.request.urlopen(f"{base_url}/assets/docs/{name}", timeout=10) as answer:
            assert answer.status == 200
            assert answer.headers["Content-Type"].startswith(kind)
            assert answer.headers["ETag"] and answer.headers["X-Content-Type-Options"] == "nosniff"
            assert len(answer.read()) > 100_000
