"""The pages' static serving (chalicelib/api/pages.py) and the files it serves (chalicelib/web/).

Routes through chalice.test.Client (no browser: tests/browser drives the pages themselves);
the files are read as text: no inline script or style, nothing from another origin, no HTML
sink in the scripts, and the page's words for every served language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib.api import pages
from chalicelib.domain.catalog import served_languages

WEB = pages.WEB_ROOT
TICKET_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
HTML_FILES = sorted(WEB.glob("*/*.html"))
SCRIPTS = sorted(WEB.glob("*/*.js"))
STYLES = sorted(WEB.glob("*/*.css"))
EXPECTED_CSP = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with mock_aws():
        import app as app_module

        with Client(app_module.app, stage_name="test") as test_client:
            yield test_client


def csp(header: str) -> dict[str, str]:
    directives = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in directives}


def relative(path: Path) -> str:
    return str(path.relative_to(WEB))


# --- the routes --------------------------------------------------------------------------------


def test_the_ticket_page_is_html_with_a_strict_policy_and_no_cache(client):
    answer = client.http.get(f"/t/{TICKET_ID}")

    assert answer.status_code == 200
    headers = answer.headers
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    policy = csp(headers["Content-Security-Policy"])
    assert {name: value for name, value in policy.items() if name != "connect-src"} == EXPECTED_CSP
    assert policy["connect-src"].split()[0] == "'self'"
    body = answer.body.decode("utf-8")
    for testid in ("ticket-status", "eta", "conversation", "reply-text", "reply-send", "csat-rating", "csat-send"):
        assert f'data-testid="{testid}"' in body
    assert 'src="/assets/ticket/ticket.js"' in body


def test_a_malformed_ticket_id_gets_404(client):
    assert client.http.get("/t/not-a-ticket").status_code == 404


def test_the_console_is_served_when_its_page_exists(client):
    answer = client.http.get("/console")
    if not (WEB / "console" / "index.html").exists():
        assert answer.status_code == 404
        return
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Content-Security-Policy" in answer.headers
    assert answer.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/assets/ticket/ticket.js", "text/javascript; charset=utf-8"),
        ("/assets/shared/base.css", "text/css; charset=utf-8"),
        ("/assets/shared/icon.svg", "image/svg+xml; charset=utf-8"),
        ("/assets/i18n/es.json", "application/json; charset=utf-8"),
    ],
)
def test_assets_are_served_with_their_type_nosniff_and_an_etag(client, path, content_type):
    answer = client.http.get(path)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == content_type
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Cache-Control"] == "private, no-cache"
    again = client.http.get(path, headers={"If-None-Match": answer.headers["ETag"]})
    assert (again.status_code, again.body) == (304, b"")


@pytest.mark.parametrize(
    "path",
    [
        "/assets/ticket/missing.js",
        "/assets/secret/ticket.js",  # not an area
        "/assets/ticket/..",
        "/assets/ticket/..%2F..%2Fapi%2Fpages.py",
        "/assets/ticket/%2e%2e",
        "/assets/shared/README.md",  # exists, but not a served kind of file
        "/assets/ticket/.hidden.js",
        "/assets/web/ticket",
    ],
)
def test_anything_outside_the_whitelist_is_not_found(client, path):
    assert client.http.get(path).status_code == 404


def test_the_whitelist_holds_only_plain_files_of_the_areas():
    index = pages.asset_index()
    assert index, "no assets found"
    for (area, name), path in index.items():
        assert area in pages.ASSET_AREAS
        assert path.parent == WEB / area and path.name == name
        assert "/" not in name and ".." not in name


def test_deployed_stages_read_each_file_once_and_the_local_stage_every_time(monkeypatch):
    deployed = SimpleNamespace(settings=SimpleNamespace(movable_clock=False))
    monkeypatch.setattr(pages, "dependencies", lambda: deployed)
    assert pages.load_asset("ticket", "ticket.js") is pages.load_asset("ticket", "ticket.js")

    deployed.settings.movable_clock = True
    fresh = pages.load_asset("ticket", "ticket.js")
    assert fresh is not None and fresh is not pages.load_asset("ticket", "ticket.js")
    assert fresh == pages.load_asset("ticket", "ticket.js")


def test_every_file_of_an_area_is_served_or_is_documentation():
    # A file of a kind the server does not know (a font, an image) would silently 404 in the page.
    for area in pages.ASSET_AREAS:
        for path in sorted((WEB / area).glob("*")) if (WEB / area).is_dir() else []:
            assert (area, path.name) in pages.asset_index() or path.suffix == ".md", relative(path)


# --- the policy and the stage prefix -----------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "connect"),
    [
        (None, "'self'"),
        ("http://127.0.0.1:4566", "'self' http://127.0.0.1:4566"),
        ("https://bucket.s3.eu-west-1.amazonaws.com", "'self' https://bucket.s3.eu-west-1.amazonaws.com"),
        ("https://evil.example; script-src *", "'self'"),  # not an origin: ignored
    ],
)
def test_connect_src_adds_the_evidence_upload_origin_when_there_is_one(monkeypatch, origin, connect):
    deps = SimpleNamespace() if origin is None else SimpleNamespace(evidence_upload_origin=origin)
    monkeypatch.setattr(pages, "dependencies", lambda: deps)

    assert csp(pages.content_security_policy())["connect-src"] == connect


@pytest.mark.parametrize(
    ("context_path", "served", "prefix"),
    [
        (f"/t/{TICKET_ID}", f"/t/{TICKET_ID}", ""),  # the local stack
        (f"/api/t/{TICKET_ID}", f"/t/{TICKET_ID}", "/api"),  # API Gateway's stage
        ("/desk/api/console/", "/console", "/desk/api"),  # a base path mapping, a trailing slash
        ('/"><script>/console', "/console", ""),  # not a plain path: ignored
        (None, "/console", ""),
    ],
)
def test_pages_name_their_assets_under_the_stage_prefix(context_path, served, prefix):
    request: Any = SimpleNamespace(context={"path": context_path} if context_path else {})
    assert pages.stage_prefix(request, served) == prefix


def test_the_page_is_rewritten_to_the_prefix(monkeypatch):
    request: Any = SimpleNamespace(context={"path": f"/api/t/{TICKET_ID}"})
    body = pages.html_page("ticket", request, f"/t/{TICKET_ID}").body
    assert 'src="/api/assets/ticket/ticket.js"' in body
    assert '"/assets/' not in body


# --- the files ---------------------------------------------------------------------------------


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.links: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        self._in_script = tag == "script"
        self.problems += [f"{name} attribute on <{tag}>" for name in names if name == "style" or name.startswith("on")]
        self.links += [value or "" for name, value in attrs if name in ("src", "href", "action")]

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("inline script text")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


@pytest.mark.parametrize("path", HTML_FILES, ids=relative)
def test_html_has_no_inline_script_or_style_and_nothing_from_elsewhere(path: Path):
    markup = _Markup()
    markup.feed(path.read_text(encoding="utf-8"))
    assert markup.problems == []
    outside = [link for link in markup.links if re.match(r"^(?:[a-z]+:)?//", link) or link.startswith("javascript:")]
    assert outside == []
    assert all(link.startswith(("/assets/", "#")) for link in markup.links), markup.links


@pytest.mark.parametrize("path", SCRIPTS + STYLES, ids=relative)
def test_scripts_and_styles_load_nothing_from_another_origin(path: Path):
    text = path.read_text(encoding="utf-8")
    assert re.findall(r"""(?:import\s[^;]*?from\s*|import\(\s*|url\(\s*)["']?(?:https?:)?//""", text) == []
    assert "@import" not in text


@pytest.mark.parametrize("path", SCRIPTS, ids=relative)
def test_scripts_never_turn_text_into_markup(path: Path):
    text = path.read_text(encoding="utf-8")
    sinks = re.findall(r"\.(?:innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write|\beval\(|new Function\(", text)
    assert sinks == []


# --- the page's words ----------------------------------------------------------------------------


def _words(lang: str) -> dict[str, Any]:
    return json.loads((WEB / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))


def _flat(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def test_every_served_language_has_the_pages_words():
    files = {path.stem for path in (WEB / "i18n").glob("*.json")}
    assert files == set(served_languages())


@pytest.mark.parametrize("lang", sorted(served_languages()))
def test_each_language_has_every_word_with_the_same_placeholders(lang: str):
    english, words = _flat(_words("en")), _flat(_words(lang))
    assert set(words) == set(english)
    for key, value in english.items():
        if key in ("review", "direction"):
            continue
        assert words[key].strip(), key
        assert sorted(re.findall(r"\{(\w+)\}", words[key])) == sorted(re.findall(r"\{(\w+)\}", value)), key
    assert words["direction"] == ("rtl" if lang in {"ar", "fa", "he"} else "ltr")
    assert words["review"] == ("reviewed" if lang == "en" else "machine")
    if lang != "en":  # written for the language, not English left in place
        same = [key for key in english if words[key] == english[key] and key not in ("review", "direction")]
        assert len(same) <= 6, same


def test_every_word_the_ticket_page_names_exists():
    english = _flat(_words("en"))
    html = (WEB / "ticket" / "index.html").read_text(encoding="utf-8")
    scripts = "\n".join(path.read_text(encoding="utf-8") for path in (WEB / "ticket").glob("*.js"))
    named = set(re.findall(r'data-i18n="([\w.]+)"', html))
    named |= {key for key in re.findall(r"""(?<![\w.])t\(\s*["']([\w.]+)["']""", scripts)}
    named |= {key for key in re.findall(r"""["']((?:errors|reply|csat|evidence|status)\.\w+)["']""", scripts)}
    assert named, "no words found"
    assert sorted(key for key in named if key not in english) == []
