"""The agent console in headless Chromium, against the local stack (tests/browser/conftest.py).

An agent signs in with a token from the CLI, sees a Spanish ticket on the latam work list, claims
it and reads the original beside its translation (the fake LibreTranslate tags it "[en] ..."),
previews an English reply as the requester will read it ("[es] ..."), sends it and resolves the
ticket; hostile ticket text stays text; the work list and the reply work from the keyboard alone;
axe-core finds nothing serious; incidents are created, linked and updated; metrics are charted.

Each xdist worker runs its own stack, and tests in one worker run one after another, so a test
that needs to be first in line empties the region's open list before it starts (`fresh_desk`).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CreatedTicket, DeskApi, PageEvents

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
WAIT_MS = 20_000
REGION = "latam"
SPANISH = {
    "subject": "Cobro doble",
    "description": "Me cobraron dos veces el pedido y no recibí nada. ¿Me pueden devolver el dinero?",
    "category": "payment.charged_twice",
    "country": "MX",
    "locale": "es-MX",
}
LESS_URGENT = [
    ("Não consigo fazer live desde ontem, aparece um erro.", {"category": "live.cannot_go_live", "country": "BR"}),
    ("No puedo cambiar la foto de mi perfil.", {"subject": "Foto de perfil", "country": "AR", "locale": "es-AR"}),
]
REPLY = "We refunded the second charge today."
HOSTILE_SUBJECT = "<script>alert(1)</script>"
HOSTILE_TEXT = '<img src=x onerror=alert(2)> <a href="javascript:alert(3)">click</a> no puedo entrar a mi cuenta'


# --- helpers -------------------------------------------------------------------------------------


def cli_agent_token(agent: str = "ana", regions: str = REGION, languages: str = "en") -> str:
    """A token as an operator mints one: `python -m chalicelib.cli agent-token` for the local stage."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("AGENT_TOKEN_")}
    command = [sys.executable, "-m", "chalicelib.cli", "agent-token", "--agent", agent, "--regions", regions]
    answer = subprocess.run(
        [*command, "--languages", languages],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**env, "APP_STAGE": "local"},
    )
    return answer.stdout.strip()


def fresh_desk(desk_api: DeskApi, agent_token: Callable[..., str], region: str = REGION) -> None:
    """Claim away what earlier tests left open on the region's desk, so "claim next" is ours."""
    cleaner = agent_token("desk-cleaner", regions=(region,), languages=("en",))
    for _ in range(200):
        status, _ = desk_api.call("POST", f"/desk/{region}/claim", token=cleaner)
        if status == 204:
            return
        assert status == 200
    raise AssertionError("the desk never emptied")


def sign_in(page: Any, base_url: str, token: str) -> None:
    page.goto(f"{base_url}/console")
    page.get_by_test_id("login-token").fill(token)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("signed-in")).to_be_visible(timeout=WAIT_MS)


def row_of(page: Any, ticket: CreatedTicket) -> Any:
    return page.locator(f"[data-testid=ticket-row][data-ticket-id='{ticket.ticket_id}']")


def open_console_ticket(page: Any, ticket: CreatedTicket) -> None:
    page.evaluate("id => { location.hash = '#/ticket/' + id; }", ticket.ticket_id)
    expect(page.get_by_test_id("ticket-original")).to_be_visible(timeout=WAIT_MS)


def serious(results: Any) -> list[dict[str, Any]]:
    return [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def axe_check(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}
    return serious(Axe().run(page, options=options))


def screenshot(page: Any, name: str) -> None:
    """The README's console screenshots, refreshed only when asked (UPDATE_SCREENSHOTS=1): a test
    run must not rewrite files of the checkout."""
    if os.environ.get("UPDATE_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def tab_to(page: Any, testid: str, presses: int = 80) -> None:
    """Press Tab until the element with this test id has the focus: keyboard only."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("t => document.activeElement?.getAttribute('data-testid') === t", testid):
            return
    raise AssertionError(f"Tab never reached {testid}")


# --- the main flow -------------------------------------------------------------------------------


def test_an_agent_claims_a_spanish_ticket_previews_an_english_reply_sends_it_and_resolves(
    base_url, page, desk_api: DeskApi, new_ticket, agent_token
):
    # Given a routed Spanish ticket first in line on the latam desk, and a token from the CLI
    fresh_desk(desk_api, agent_token)
    ticket = new_ticket(**SPANISH)
    # (and two less urgent ones behind it, for a work list worth a screenshot)
    behind = [new_ticket(text, wait_routed=False, **fields) for text, fields in LESS_URGENT]
    for other in behind:
        desk_api.wait_for(other, lambda view: view.get("desk") is not None)
    token = cli_agent_token()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.set_viewport_size({"width": 1280, "height": 560})

    # When the agent signs in
    sign_in(page, base_url, token)

    # Then they see who they are, and the ticket on the work list with its priority, language and SLA
    expect(page.get_by_test_id("signed-in")).to_contain_text("ana")
    expect(page.get_by_test_id("signed-in")).to_contain_text(REGION)
    row = row_of(page, ticket)
    expect(row).to_contain_text("Spanish", timeout=WAIT_MS)
    expect(row).to_contain_text("[en] Cobro doble", timeout=WAIT_MS)
    expect(row).to_contain_text("High")
    expect(row.get_by_test_id("sla")).to_have_attribute("data-level", "ok")
    expect(row.get_by_test_id("eta")).to_contain_text("–")
    expect(page.get_by_test_id("ticket-row").first).to_have_attribute("data-ticket-id", ticket.ticket_id)
    for other in behind:
        expect(row_of(page, other)).to_contain_text("[en]", timeout=WAIT_MS)
    screenshot(page, "console-worklist.png")
    page.set_viewport_size({"width": 1280, "height": 900})

    # When they claim the next ticket
    page.get_by_test_id("claim-next").click()

    # Then it opens: the original and the translation side by side, the language and its confidence
    original, translation = page.get_by_test_id("ticket-original"), page.get_by_test_id("ticket-translation")
    expect(original).to_contain_text(SPANISH["description"], timeout=WAIT_MS)
    expect(translation).to_contain_text(f"[en] {SPANISH['description']}")
    left, right = original.bounding_box(), translation.bounding_box()
    assert right["x"] >= left["x"] + left["width"] - 1 and abs(right["y"] - left["y"]) < 5
    expect(page.get_by_test_id("ticket-language")).to_contain_text(re.compile(r"Spanish \(es\) · \d+% confident"))
    expect(page.get_by_test_id("desk-event")).to_contain_text("ana: open → claimed")

    # When they write a reply in English
    page.get_by_test_id("reply-text").fill(REPLY)

    # Then, before anything is sent, they see what the requester will read
    expect(page.get_by_test_id("reply-preview-text")).to_have_text(f"[es] {REPLY}", timeout=WAIT_MS)
    expect(page.get_by_test_id("reply-preview-status")).to_contain_text("English (en) → Spanish (es)")
    assert desk_api.ticket(ticket)["messages"] == []
    screenshot(page, "console-ticket.png")

    # When they send it
    expect(page.get_by_test_id("reply-send")).to_be_enabled()
    page.get_by_test_id("reply-send").click()

    # Then it is stored, and the requester reads the Spanish the preview showed
    expect(page.get_by_test_id("message")).to_contain_text(REPLY, timeout=WAIT_MS)
    seen = desk_api.wait_for(ticket, lambda view: [m["text"] for m in view["messages"]] == [f"[es] {REPLY}"])
    assert seen["messages"][0]["original"]["text"] == REPLY

    # When they resolve it with a note
    page.get_by_test_id("desk-note").fill("refund issued")
    page.get_by_test_id("desk-resolve").click()

    # Then the ticket is resolved, the note in its audit trail
    expect(page.get_by_test_id("status")).to_contain_text("Resolved", timeout=WAIT_MS)
    expect(page.get_by_test_id("desk-event").last).to_contain_text("claimed → resolved")
    expect(page.get_by_test_id("desk-reopen")).to_be_enabled()
    assert desk_api.ticket(ticket, token)["desk"]["state"] == "resolved"
    # And the token never travelled in a URL, and stays in this tab's session storage only
    assert not [url for url in requests if token in url]
    assert token not in page.url
    assert page.evaluate("() => localStorage.length") == 0


def test_signing_out_forgets_the_token_and_a_bad_token_is_refused(base_url, page, agent_token):
    # A token signed with another secret is refused by the API, nothing stored
    forged = agent_token()[:-4] + "AAAA"
    page.goto(f"{base_url}/console")
    page.get_by_test_id("login-token").fill(forged)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("refused", timeout=WAIT_MS)
    assert page.evaluate("() => sessionStorage.length") == 0

    # A good one signs in; signing out forgets it and shows the sign-in form again
    sign_in(page, base_url, agent_token())
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("login-token")).to_be_visible()
    assert page.evaluate("() => sessionStorage.length") == 0


def test_the_work_list_and_the_open_ticket_refresh_without_reloading(
    base_url, page, desk_api: DeskApi, new_ticket, agent_token
):
    # Given an agent on the work list (a marker on the window tells a reload apart)
    sign_in(page, base_url, agent_token())
    expect(page.get_by_test_id("worklist-updated")).not_to_be_empty(timeout=WAIT_MS)
    page.evaluate("() => { window.notReloaded = true; }")

    # When a ticket reaches the desk meanwhile
    ticket = new_ticket(**SPANISH)

    # Then its row appears on the next refresh
    expect(row_of(page, ticket)).to_be_visible(timeout=WAIT_MS + 15_000)

    # When the agent opens it, starts a reply, and the requester writes again meanwhile
    row_of(page, ticket).click()
    expect(page.get_by_test_id("ticket-original")).to_be_visible(timeout=WAIT_MS)
    page.get_by_test_id("reply-text").fill("Draft in progress")
    status, _ = desk_api.call(
        "POST", f"/tickets/{ticket.ticket_id}/messages", {"text": "¿Alguna novedad?"}, ticket.access_token
    )
    assert status == 201

    # Then the message appears, translated, and the draft is untouched
    expect(page.get_by_test_id("message").filter(has_text="[en] ¿Alguna novedad?")).to_have_count(
        1, timeout=WAIT_MS + 15_000
    )
    expect(page.get_by_test_id("reply-text")).to_have_value("Draft in progress")
    assert page.evaluate("() => window.notReloaded") is True


def upload_evidence(desk_api: DeskApi, ticket: CreatedTicket, filename: str, body: bytes) -> None:
    """What the requester's page does: ask for a presigned form, post the file to storage, confirm."""
    import requests

    declared = {"filename": filename, "content_type": "image/png", "size": len(body)}
    path = f"/tickets/{ticket.ticket_id}/evidence"
    status, grant = desk_api.call("POST", path, declared, ticket.access_token)
    assert status == 201, grant
    form = grant["upload"]
    stored = requests.post(form["url"], data=form["fields"], files={"file": (filename, body, "image/png")}, timeout=15)
    assert stored.status_code < 300, stored.text
    status, confirmed = desk_api.call("POST", f"{path}/{grant['evidence_id']}/confirm", None, ticket.access_token)
    assert status == 200, confirmed


def test_the_agent_sees_uploaded_evidence_with_a_download_link(
    base_url, page, desk_api: DeskApi, new_ticket, agent_token
):
    _, document = desk_api.call("GET", "/openapi.json")
    if "/tickets/{ticket_id}/evidence" not in document["paths"]:
        pytest.skip("POST /tickets/{id}/evidence is not in this build yet")
    # Given a ticket whose requester attached a screenshot (its name hostile, for good measure)
    ticket = new_ticket(**SPANISH)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    upload_evidence(desk_api, ticket, "captura<img src=x onerror=alert(1)>.png", png)

    # When the agent opens the ticket
    sign_in(page, base_url, agent_token())
    open_console_ticket(page, ticket)

    # Then the file is listed, with its type and a link to download it from storage
    item = page.get_by_test_id("evidence-file")
    expect(item).to_contain_text("captura<img src=x onerror=alert(1)>.png", timeout=WAIT_MS)
    expect(item).to_contain_text("image/png")
    link = item.get_by_role("link", name="Download")
    expect(link).to_have_attribute("href", re.compile(r"^https?://"))
    assert page.locator("main img").count() == 0


# --- hostile text --------------------------------------------------------------------------------


def test_a_hostile_ticket_renders_as_inert_text(base_url, page, page_events: PageEvents, new_ticket, agent_token):
    # Given a ticket whose subject and text are HTML and script payloads
    ticket = new_ticket(HOSTILE_TEXT, subject=HOSTILE_SUBJECT, country="MX", locale="es-MX")
    sign_in(page, base_url, agent_token())

    # When the agent sees it on the work list and opens it
    expect(row_of(page, ticket)).to_contain_text(HOSTILE_SUBJECT, timeout=WAIT_MS)
    row_of(page, ticket).click()
    original = page.get_by_test_id("ticket-original")
    expect(original).to_contain_text(HOSTILE_TEXT, timeout=WAIT_MS)
    expect(original).to_contain_text(HOSTILE_SUBJECT)
    expect(page.get_by_test_id("ticket-translation")).to_contain_text(f"[en] {HOSTILE_TEXT}")
    page.get_by_test_id("reply-text").fill(HOSTILE_SUBJECT)
    expect(page.get_by_test_id("reply-preview-text")).to_have_text(f"[es] {HOSTILE_SUBJECT}", timeout=WAIT_MS)
    page.wait_for_timeout(500)  # time for an onerror to fire, were there an <img>

    # Then it is text: no element was made of it, no script ran, no dialog opened
    assert page.locator("main img, main script, main a[href^='javascript']").count() == 0
    assert page_events.dialogs == []


# --- the keyboard alone --------------------------------------------------------------------------


def test_the_work_list_and_the_reply_work_from_the_keyboard_alone(base_url, page, new_ticket, agent_token):
    # Given a ticket on the desk, and an agent who uses no mouse
    ticket = new_ticket(**SPANISH)
    page.goto(f"{base_url}/console")
    expect(page.get_by_test_id("login-token")).to_be_focused()
    page.keyboard.type(agent_token())
    page.keyboard.press("Enter")
    expect(row_of(page, ticket)).to_be_visible(timeout=WAIT_MS)

    # When they Tab to the first row, arrow down to the ticket and press Enter
    tab_to(page, "ticket-row")
    for _ in range(60):
        if page.evaluate("id => document.activeElement?.dataset.ticketId === id", ticket.ticket_id):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    # Then the ticket opens, its heading focused
    expect(page.get_by_test_id("ticket-original")).to_contain_text(SPANISH["description"], timeout=WAIT_MS)
    expect(page.locator("h1")).to_contain_text(ticket.ticket_id)
    expect(page.locator("h1")).to_be_focused()

    # And the reply is written, previewed and sent from the keyboard
    tab_to(page, "reply-text")
    page.keyboard.type("Thanks, we are on it.")
    tab_to(page, "reply-preview")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("reply-preview-text")).to_have_text("[es] Thanks, we are on it.", timeout=WAIT_MS)
    tab_to(page, "reply-send")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("message")).to_contain_text("Thanks, we are on it.", timeout=WAIT_MS)


# --- accessibility -------------------------------------------------------------------------------


def test_the_console_has_no_serious_accessibility_violations(base_url, page, new_ticket, agent_token):
    ticket = new_ticket(**SPANISH)
    sign_in(page, base_url, agent_token())
    expect(row_of(page, ticket)).to_contain_text("[en]", timeout=WAIT_MS)
    assert axe_check(page) == [], "work list"

    open_console_ticket(page, ticket)
    page.get_by_test_id("reply-text").fill(REPLY)
    expect(page.get_by_test_id("reply-preview-text")).to_be_visible(timeout=WAIT_MS)
    assert axe_check(page) == [], "ticket"

    page.get_by_test_id("nav-incidents").click()
    expect(page.get_by_test_id("incident-form")).to_be_visible()
    assert axe_check(page) == [], "incidents"

    page.get_by_test_id("nav-metrics").click()
    expect(page.get_by_test_id("metrics-totals")).to_be_visible(timeout=WAIT_MS)
    assert axe_check(page) == [], "metrics"


# --- incidents -----------------------------------------------------------------------------------


def test_an_agent_opens_an_incident_links_a_candidate_and_posts_an_update(
    base_url, page, desk_api: DeskApi, new_ticket, agent_token
):
    # Given an agent on the incidents page
    token = agent_token()
    sign_in(page, base_url, token)
    page.get_by_test_id("nav-incidents").click()

    # When they open an incident for card payments in latam
    title = f"Card payments fail {uuid.uuid4().hex[:6]}"
    page.get_by_test_id("incident-title").fill(title)
    page.get_by_test_id("incident-description").fill("Card payments are charged twice since this morning.")
    page.get_by_test_id("incident-categories").fill("payment")
    page.get_by_test_id("incident-create").click()

    # Then its page opens, investigating, nothing linked yet
    expect(page.locator("h1")).to_contain_text(title, timeout=WAIT_MS)
    expect(page.get_by_test_id("incident-summary")).to_contain_text("Investigating")
    expect(page.get_by_test_id("incident-linked")).to_have_text("Linked tickets: 0")

    # When a matching ticket arrives and the agent reloads the incident
    ticket = new_ticket(**SPANISH)
    page.reload()
    candidate = page.get_by_test_id("candidate-row").filter(has_text=ticket.ticket_id)
    expect(candidate).to_have_count(1, timeout=WAIT_MS)

    # And ticks it and links the selection in one go
    candidate.get_by_test_id("candidate-check").check()
    page.get_by_test_id("link-selected").click()

    # Then it is linked
    expect(page.get_by_test_id("incident-linked")).to_have_text("Linked tickets: 1", timeout=WAIT_MS)
    assert desk_api.ticket(ticket, token)["incident"]["title"] == title

    # When they post an update
    page.get_by_test_id("update-status").select_option("identified")
    page.get_by_test_id("update-text").fill("The payment provider found the fault.")
    page.get_by_test_id("update-submit").click()

    # Then it is listed, and the incident has the new status; it is listed among the open ones
    expect(page.get_by_test_id("incident-update")).to_contain_text(
        "The payment provider found the fault.", timeout=WAIT_MS
    )
    expect(page.get_by_test_id("incident-summary")).to_contain_text("Identified")
    page.get_by_test_id("nav-incidents").click()
    expect(page.get_by_test_id("incident-row").filter(has_text=title)).to_have_count(1, timeout=WAIT_MS)


# --- metrics -------------------------------------------------------------------------------------


def test_metrics_are_charted_per_region_and_language(base_url, page, desk_api: DeskApi, new_ticket, agent_token):
    # Given answered and resolved tickets in two languages
    token = agent_token()
    for fields in (
        SPANISH,
        {**SPANISH, "description": "Não recebi o reembolso do pedido.", "country": "BR", "locale": "pt-BR"},
    ):
        ticket = new_ticket(**fields)
        desk_api.reply(ticket, "We are looking into it.", token)
        desk_api.desk_change(ticket, "resolve", token)
    page.set_viewport_size({"width": 1280, "height": 900})

    # When the agent opens the metrics
    sign_in(page, base_url, token)
    page.get_by_test_id("nav-metrics").click()

    # Then the totals and the charts are drawn, a bar per region and per language
    totals = page.get_by_test_id("metrics-totals")
    expect(totals).to_contain_text("First response p50", timeout=WAIT_MS)
    region_chart = page.get_by_test_id("chart-region-first-response")
    expect(region_chart.locator("svg[role=img]")).to_have_attribute("aria-label", re.compile(r"latam: p50 \d"))
    languages = page.get_by_test_id("chart-language-sla").locator("g.chart-row")
    labels = [languages.nth(index).get_attribute("data-label") for index in range(languages.count())]
    assert {"Spanish (es)", "Portuguese (pt)"} <= set(labels)
    assert page.get_by_test_id("chart-region-sla").locator("rect.bar:not([data-value=''])").count() >= 1
    screenshot(page, "console-metrics.png")

    # And a filter by language asks the API again
    page.get_by_test_id("metrics-language").select_option("pt")
    page.get_by_test_id("metrics-show").click()
    expect(page.get_by_test_id("chart-language-sla").locator("g.chart-row")).to_have_count(1, timeout=WAIT_MS)


# --- the SLA countdown's colours -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed_hours", "level"),
    [(1, "ok"), (19, "ok"), (19.5, "amber"), (23.9, "amber"), (24.5, "red")],
)
def test_the_sla_countdown_turns_amber_at_80_percent_and_red_past_the_deadline(base_url, page, elapsed_hours, level):
    # Given the console's SLA module, and a ticket with 24 hours to its first response
    page.goto(f"{base_url}/console")
    created = time.time() * 1000 - elapsed_hours * 3_600_000
    answer = page.evaluate(
        """async ([created]) => {
            const { slaStatus } = await import("/assets/console/sla.js");
            const iso = (ms) => new Date(ms).toISOString();
            return slaStatus({ state: "open", createdAt: iso(created), firstResponseDue: iso(created + 24 * 3600000),
                               resolutionDue: iso(created + 72 * 3600000), firstRespondedAt: null });
        }""",
        [created],
    )
    # Then the level follows the share of the time elapsed
    assert answer["level"] == level
