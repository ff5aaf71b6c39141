"""The pages: the requester's ticket page (/t/{ticket_id}), the agent console (/console), the API's
reference (/docs: Swagger UI over /openapi.json) and their static assets (/assets/{area}/{name}),
served from chalicelib/web/ by the API itself, in every stage. No build step, nothing from a CDN:
Swagger UI's two files are the ones the pinned aws-lambda-powertools ships (and Lambda bundles).

- Assets: only files that sit directly in `chalicelib/web/<area>/` for a known area, with a name
  of letters, digits, '.', '_' or '-' and a known extension, are served. The listing is the
  whitelist: a request names a key of it, never a path, so `..` or an encoded slash finds nothing.
- HTML: a strict Content-Security-Policy (scripts and styles only from these files, never inline;
  no framing; no <base>), nosniff, no referrer, never cached. Pages refer to their assets by
  absolute `/assets/...` paths; each answer prefixes them with the stage's path (API Gateway's
  `/api`), so the same file works behind a stage, a custom domain or `make run`.
- The page reads the requester's token from the URL fragment, which browsers never send: the
  server sees only the ticket id, and serves the same page for any well-formed one.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api.http import HttpError, answers_errors
from chalicelib.composition_root import dependencies
from chalicelib.domain.ids import is_ticket_id
from chalicelib.observability import logger

pages_api = Blueprint(__name__)

WEB_ROOT = Path(__file__).resolve().parent.parent / "web"
ASSET_AREAS = ("shared", "ticket", "console", "i18n", "docs")
# Swagger UI as aws-lambda-powertools ships it (Apache-2.0; its licence header names the bundle's).
SWAGGER_UI_FILES = ("swagger-ui-bundle.min.js", "swagger-ui.min.css")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
}
_ASSET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*")
_STAGE_PREFIX = re.compile(r"(?:/[A-Za-z0-9._~-]+)*")
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?")
ASSET_LINK = '"/assets/'  # how a page names its assets: src="/assets/ticket/ticket.js"


def content_security_policy() -> str:
    """The pages' CSP; connect-src adds the evidence upload origin when the stage has one."""
    try:
        upload = getattr(dependencies(), "evidence_upload_origin", None)
    except Exception:  # no bucket configured, say: the page still loads, and uploads fail visibly
        logger.exception("no evidence upload origin for the pages' CSP")
        upload = None
    connect = "'self'" + (f" {upload}" if isinstance(upload, str) and _ORIGIN.fullmatch(upload) else "")
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            f"connect-src {connect}",
            "font-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def page_headers(content_type: str) -> dict[str, str]:
    return {
        "Content-Type": content_type,
        "Content-Security-Policy": content_security_policy(),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


@dataclass(frozen=True)
class Asset:
    body: str
    content_type: str
    etag: str


def asset_index() -> dict[tuple[str, str], Path]:
    """(area, name) -> file, for every servable file: the whitelist."""
    return _list_assets() if _from_memory() else _list_assets.__wrapped__()


def load_asset(area: str, name: str) -> Asset | None:
    return _read_asset(area, name) if _from_memory() else _read_asset.__wrapped__(area, name)


def _from_memory() -> bool:
    """Deployed stages read each file once per process; the local stage (MOVABLE_CLOCK) reads the
    disk on every request, so an edited page shows on reload under `make run`."""
    return not dependencies().settings.movable_clock


@lru_cache(maxsize=1)
def _list_assets() -> dict[tuple[str, str], Path]:
    index: dict[tuple[str, str], Path] = {}
    for area in ASSET_AREAS:
        folder = WEB_ROOT / area
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            servable = _ASSET_NAME.fullmatch(path.name) and path.suffix in CONTENT_TYPES
            if servable and path.is_file() and not path.is_symlink():
                index[(area, path.name)] = path
    return index


def vendored_asset(area: str, name: str) -> Path | None:
    """Swagger UI's files, from the installed aws-lambda-powertools (found without importing it)."""
    spec = importlib.util.find_spec("aws_lambda_powertools") if area == "docs" and name in SWAGGER_UI_FILES else None
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "event_handler" / "openapi" / "swagger_ui" / name
    return path if path.is_file() else None


@lru_cache(maxsize=256)
def _read_asset(area: str, name: str) -> Asset | None:
    path = asset_index().get((area, name)) or vendored_asset(area, name)
    if path is None:
        return None
    body = path.read_text(encoding="utf-8")
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]
    return Asset(body, CONTENT_TYPES[path.suffix], f'"{digest}"')


def stage_prefix(request: Request, served_path: str) -> str:
    """What stands before `served_path` in the URL the browser used: API Gateway's stage
    (`/api`) or a custom domain's base path; '' locally. Only a plain path is trusted."""
    full = str((request.context or {}).get("path") or "").rstrip("/")
    prefix = full[: -len(served_path)] if full.endswith(served_path) else ""
    return prefix if _STAGE_PREFIX.fullmatch(prefix) else ""


def html_page(area: str, request: Request, served_path: str) -> Response:
    page = load_asset(area, "index.html")
    if page is None:
        raise HttpError(404, "not_found", f"the {area} page is not installed")
    body = page.body.replace(ASSET_LINK, f'"{stage_prefix(request, served_path)}/assets/')
    return Response(
        body=body, status_code=200, headers={**page_headers(page.content_type), "Cache-Control": "no-store"}
    )


def asset_response(area: str, name: str, request: Request) -> Response:
    asset = load_asset(area, name) if area in ASSET_AREAS else None
    if asset is None:
        raise HttpError(404, "not_found", "no such asset")
    headers = {**page_headers(asset.content_type), "Cache-Control": "private, no-cache", "ETag": asset.etag}
    if (request.headers or {}).get("if-none-match") == asset.etag:
        headers.pop("Content-Type")
        return Response(body="", status_code=304, headers=headers)
    return Response(body=asset.body, status_code=200, headers=headers)


@pages_api.route("/t/{ticket_id}", methods=["GET"])
@answers_errors
def requester_page(ticket_id: str) -> Response:
    """The requester's ticket page; the same HTML for every well-formed id (the token decides)."""
    if not is_ticket_id(ticket_id):
        raise HttpError(404, "not_found", "no such ticket")
    return html_page("ticket", pages_api.current_request, f"/t/{ticket_id}")


@pages_api.route("/console", methods=["GET"])
@answers_errors
def agent_console() -> Response:
    """The agent console (/console/ too: API Gateway drops a trailing slash)."""
    return html_page("console", pages_api.current_request, "/console")


@pages_api.route("/docs", methods=["GET"])
@answers_errors
def api_docs() -> Response:
    """The API's reference for people: Swagger UI over /openapi.json, under the pages' CSP."""
    return html_page("docs", pages_api.current_request, "/docs")


@pages_api.route("/assets/{area}/{name}", methods=["GET"])
@answers_errors
def page_asset(area: str, name: str) -> Response:
    return asset_response(area, name, pages_api.current_request)
