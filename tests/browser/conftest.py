"""The browser tests' harness: the local stack in this process, a headless Chromium, and helpers.

One `BrowserStack` per test package run (`browser_stack`, package-scoped): the LibreTranslate-
protocol fake (tests/fakes/libretranslate.py, so replies come back "[es] ..."), the local stack
(`devstack.stack.LocalStack`, stage `local`, embedded moto, every worker) with `TRANSLATORS=libre`,
and Debian's Chromium driven by Playwright (never `playwright install`). Package scope, not session
scope: the stack sets the local stage's environment while it runs, so it must be gone before the
rest of the suite (other packages) runs in this process.

Fixtures, for any page's tests (tests/browser/test_*.py):

    base_url                    the stack's root, e.g. http://127.0.0.1:41234
    desk_api                    DeskApi: call(...), create_ticket(...), ticket(...), wait_for(...), reply(...)
    browser                     the Playwright Browser (one per package run)
    page                        a fresh Page in a fresh context (own storage); uncaught page errors
                                and CSP violations fail the test
    page_events                 what `page` saw: dialogs (auto-dismissed), errors, CSP refusals
    agent_token(...)            a signed agent token for the local stage: agent_token("ana", regions=("latam",))
    new_ticket(...)             POST /tickets and (by default) wait until it is routed: a CreatedTicket
    open_ticket_page(...)       the requester's page for a CreatedTicket, loaded

Every test here is marked `browser` (select with `-m browser`, skip with `-m "not browser"`).
Chromium comes from `make browser-deps` (run by `make test`): apt-get install chromium.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROUTE_WAIT_SECONDS = 20.0
PAGE_WAIT_MS = 15_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


# --- the API, over HTTP ------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedTicket:
    ticket_id: str
    access_token: str
    base_url: str

    @property
    def page_url(self) -> str:
        """The requester's page, as the notifications link it: the token in the fragment."""
        return f"{self.base_url}/t/{self.ticket_id}#token={self.access_token}"


@dataclass(frozen=True)
class DeskApi:
    base_url: str

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(f"{self.base_url}{path}", data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=15) as answer:
                raw = answer.read()
                return answer.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None

    def create_ticket(self, body: dict[str, Any]) -> CreatedTicket:
        status, answer = self.call("POST", "/tickets", body)
        assert status == 201, answer
        return CreatedTicket(answer["ticket_id"], answer["access_token"], self.base_url)

    def ticket(self, ticket: CreatedTicket, token: str | None = None) -> dict[str, Any]:
        status, view = self.call("GET", f"/tickets/{ticket.ticket_id}", token=token or ticket.access_token)
        assert status == 200, view
        return view

    def wait_for(
        self,
        ticket: CreatedTicket,
        condition: Callable[[dict[str, Any]], bool],
        timeout: float = ROUTE_WAIT_SECONDS,
        token: str | None = None,
    ) -> dict[str, Any]:
        """The ticket's view once `condition(view)` holds (the pollers work in the background)."""
        deadline = time.monotonic() + timeout
        while True:
            view = self.ticket(ticket, token)
            if condition(view):
                return view
            if time.monotonic() > deadline:
                raise AssertionError(f"not there within {timeout:g} s: {json.dumps(view)[:2000]}")
            time.sleep(0.2)

    def reply(self, ticket: CreatedTicket, text: str, agent_token: str) -> dict[str, Any]:
        status, answer = self.call("POST", f"/tickets/{ticket.ticket_id}/replies", {"text": text}, agent_token)
        assert status == 201, answer
        return answer

    def desk_change(self, ticket: CreatedTicket, action: str, agent_token: str) -> dict[str, Any]:
        """waiting, resolve or reopen, as an agent of the ticket's region."""
        status, answer = self.call("POST", f"/tickets/{ticket.ticket_id}/{action}", {}, agent_token)
        assert status == 200, answer
        return answer


def ticket_body(
    description: str,
    *,
    subject: str | None = None,
    category: str = "other",
    country: str | None = None,
    locale: str | None = None,
    email: str | None = None,
) -> dict[str, Any]:
    requester = {name: value for name, value in (("country", country), ("locale", locale), ("email", email)) if value}
    body: dict[str, Any] = {
        "description": description,
        "category": category,
        "requester": {"id": "u-browser", **requester},
    }
    if subject:
        body["subject"] = subject
    return body


def is_routed(view: dict[str, Any]) -> bool:
    return view["status"] == "routed" and view.get("desk") is not None


# --- the stack and the browser -----------------------------------------------------------------


@dataclass
class PageEvents:
    """What one page did that a test may not see on screen."""

    page: Any
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    @classmethod
    def attach(cls, page: Any) -> PageEvents:
        events = cls(page)

        def on_dialog(dialog: Any) -> None:
            events.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        def on_console(message: Any) -> None:
            if message.type == "error" and "Content Security Policy" in message.text:
                events.csp_violations.append(message.text)

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda error: events.errors.append(str(error)))
        page.on("console", on_console)
        return events


class BrowserStack:
    """The local stack with a fake translator, and a headless Chromium: for the tests and for
    `python -m tests.browser.screenshots`. start() / stop(), or a context manager."""

    def __init__(self) -> None:
        self._exit = contextlib.ExitStack()
        self.stack: Any = None
        self.translator: Any = None
        self.browser: Any = None
        self.base_url = ""

    def start(self) -> BrowserStack:
        if not CHROMIUM.exists():
            raise FileNotFoundError(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)")
        try:
            self._start_stack()
            self._start_browser()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_stack(self) -> None:
        from devstack.stack import LocalStack, free_port
        from tests.fakes.libretranslate import libretranslate_server

        self.translator = self._exit.enter_context(libretranslate_server())
        port = free_port()
        overrides = {
            "TRANSLATORS": "libre",
            "LIBRETRANSLATE_URL": self.translator.url,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        }
        self.stack = LocalStack(
            port=port,
            honour_env_endpoint=False,
            log_level="WARNING",
            sweep_interval_seconds=2.0,
            env_overrides=overrides,
        )
        self.stack.start()
        self._exit.callback(self.stack.stop)
        self.stack.wait_until_healthy()
        self.base_url = self.stack.base_url

    def _start_browser(self) -> None:
        from playwright.sync_api import sync_playwright

        playwright = self._exit.enter_context(sync_playwright())
        # launch() gives Chromium a fresh temporary profile (user-data dir) and deletes it after.
        self.browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        self._exit.callback(self.browser.close)

    def stop(self) -> None:
        self._exit.close()

    def __enter__(self) -> BrowserStack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def api(self) -> DeskApi:
        return DeskApi(self.base_url)

    def new_page(self, locale: str = "en-US", width: int = 1000, height: int = 900) -> Any:
        context = self.browser.new_context(locale=locale, viewport={"width": width, "height": height})
        return context.new_page()

    def agent_token(
        self,
        name: str = "ana",
        regions: Sequence[str] = ("latam",),
        languages: Sequence[str] = ("en",),
        hours: float = 8,
    ) -> str:
        from chalicelib.domain.agent_tokens import Agent, mint_agent_token
        from devstack.stack import stage_environment

        secret = stage_environment("local")["AGENT_TOKEN_SECRET"]
        agent = Agent(name, tuple(regions), tuple(languages), int(time.time() + hours * 3600))
        return mint_agent_token(agent, secret)

    def new_ticket(self, description: str, *, wait_routed: bool = True, **requester: Any) -> CreatedTicket:
        """POST /tickets (keywords: subject, category, country, locale, email); routed unless told."""
        ticket = self.api.create_ticket(ticket_body(description, **requester))
        if wait_routed:
            self.api.wait_for(ticket, is_routed)
        return ticket

    def open_ticket_page(self, page: Any, ticket: CreatedTicket, token: str | None = None) -> Any:
        """The requester's page, loaded: its status shown."""
        url = ticket.page_url if token is None else f"{self.base_url}/t/{ticket.ticket_id}#token={token}"
        page.goto(url)
        page.locator("[data-testid=ticket-status]:not(:empty)").wait_for(timeout=PAGE_WAIT_MS)
        return page


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser_stack() -> Iterator[BrowserStack]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: `make browser-deps` installs Debian's chromium (make test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-dev.txt: make install")
    with BrowserStack() as running:
        yield running


@pytest.fixture(scope="package")
def base_url(browser_stack: BrowserStack) -> str:
    return browser_stack.base_url


@pytest.fixture(scope="package")
def desk_api(browser_stack: BrowserStack) -> DeskApi:
    return browser_stack.api


@pytest.fixture(scope="package")
def browser(browser_stack: BrowserStack) -> Any:
    return browser_stack.browser


@pytest.fixture
def page_events(browser_stack: BrowserStack) -> Iterator[PageEvents]:
    page = browser_stack.new_page()
    events = PageEvents.attach(page)
    try:
        yield events
    finally:
        page.context.close()
    assert events.errors == [], f"the page raised: {events.errors}"
    assert events.csp_violations == [], f"the Content-Security-Policy refused: {events.csp_violations}"


@pytest.fixture
def page(page_events: PageEvents) -> Any:
    return page_events.page


@pytest.fixture
def agent_token(browser_stack: BrowserStack) -> Callable[..., str]:
    return browser_stack.agent_token


@pytest.fixture
def new_ticket(browser_stack: BrowserStack) -> Callable[..., CreatedTicket]:
    return browser_stack.new_ticket


@pytest.fixture
def open_ticket_page(browser_stack: BrowserStack) -> Callable[..., Any]:
    return browser_stack.open_ticket_page
