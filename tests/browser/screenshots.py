"""Screenshots of the requester's ticket page for the README: `python -m tests.browser.screenshots`.

Starts the same stack as the browser tests (tests/browser/conftest.py: the local stack, the fake
LibreTranslate that tags what it translates "[es] ...", Debian's chromium), puts a Spanish and an
Arabic ticket through a conversation, and writes docs/screenshots/ticket-es.png and ticket-ar.png.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tests.browser.conftest import BrowserStack, CreatedTicket

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
WAIT_MS = 30_000


def _wait_for_reply(page: Any, lang: str) -> None:
    page.locator(f"[data-testid=message][data-author=agent]:has-text('[{lang}]')").wait_for(timeout=WAIT_MS)


def spanish(stack: BrowserStack, path: Path) -> None:
    ticket = stack.new_ticket(
        "Me cobraron dos veces el pedido #A-20931 y no recibí nada. ¿Me pueden devolver el dinero?",
        subject="Cobro doble",
        category="payment.charged_twice",
        country="MX",
        locale="es-MX",
        email="lucia@example.com",
    )
    agent = stack.agent_token("ana", regions=("latam",))
    stack.api.reply(ticket, "Sorry about that! We refunded the second charge; it reaches your card in 3-5 days.", agent)
    page = stack.new_page(locale="es-MX")
    stack.open_ticket_page(page, ticket)
    _wait_for_reply(page, "es")
    page.get_by_test_id("show-original").first.click()
    page.get_by_test_id("notification").first.wait_for(timeout=WAIT_MS)
    _shoot(page, path)


def arabic(stack: BrowserStack, path: Path) -> None:
    ticket = stack.new_ticket(
        "لا أستطيع تسجيل الدخول إلى حسابي منذ أمس، وتظهر رسالة خطأ في كل مرة أحاول فيها.",
        category="account.login",
        country="EG",
        locale="ar-EG",
    )
    agent = stack.agent_token("omar", regions=("emea",))
    _link_incident(stack, ticket, agent)
    stack.api.reply(ticket, "We fixed a login fault on our side. Please try again now.", agent)
    stack.api.desk_change(ticket, "resolve", agent)
    page = stack.new_page(locale="ar-EG")
    stack.open_ticket_page(page, ticket)
    _wait_for_reply(page, "ar")
    page.get_by_test_id("csat-rating").wait_for()
    _shoot(page, path)


def _link_incident(stack: BrowserStack, ticket: CreatedTicket, agent: str) -> None:
    incident = {"title": "Login errors", "description": "Some accounts cannot log in.", "regions": ["emea"]}
    status, created = stack.api.call("POST", "/incidents", incident, agent)
    assert status == 201, created
    link = {"ticket_ids": [ticket.ticket_id]}
    status, linked = stack.api.call("POST", f"/incidents/{created['incident_id']}/tickets", link, agent)
    assert status == 200, linked


def _shoot(page: Any, path: Path) -> None:
    page.wait_for_timeout(300)  # fonts settle
    page.screenshot(path=str(path), full_page=True)
    page.context.close()
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.browser.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNG files (default docs/screenshots)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with BrowserStack() as stack:
        spanish(stack, args.out / "ticket-es.png")
        arabic(stack, args.out / "ticket-ar.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
