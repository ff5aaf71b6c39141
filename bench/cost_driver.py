"""How the cost model plays each planned ticket's life through the HTTP API (bench/cost.py).

Per batch of tickets: the requester posts them and the pipeline routes them; the requesters post
their follow-ups and the translate worker handles them; agents open the tickets (one who does not
read the ticket's language opens `unread_share` of them once more); agents reply and the
translate worker handles the replies; the requester page reads each ticket. The characters the
provider got are split by what caused them (`CAUSES`).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC
from typing import Any

from bench.cost_meter import CountingTranslator
from bench.cost_mix import PlannedTicket

BATCH = 20  # tickets posted before the pipeline is drained
RUN_STAGE = "cost"
CAUSES = (
    "ticket at intake",
    "ticket on demand",
    "messages on demand",
    "requester messages",
    "agent replies",
)
# Characters the app reported sending (`count_translation`), by what it translated ("ticket",
# "requester", "agent"): what splits an agent's open into the ticket and its messages.
BY_WHAT: Counter[str] = Counter()


def count_translations_by_what() -> None:
    """Have the app's translation metric also add to BY_WHAT (once per process)."""
    from chalicelib.adapters import metrics

    original = metrics.count_translation
    if getattr(original, "counts_by_what", False):
        return

    def counting(provider: str | None, characters: int, what: str) -> None:
        if provider and provider != "none":
            BY_WHAT[what] += characters
        original(provider, characters, what)

    counting.counts_by_what = True  # type: ignore[attr-defined]
    metrics.count_translation = counting


class Driver:
    """Agents read a ticket as one who reads its language would (`agent_token`: every language of
    the mix), except the one extra open of a ticket `opened_by_non_reader` (`non_reader_token`:
    English only). Replies are written as `PlannedTicket.replies_for(desk_languages)` says."""

    def __init__(
        self, durations: dict[str, list[float]], translator: CountingTranslator, secret: str, desk_languages: bool
    ) -> None:
        from datetime import datetime, timedelta

        from bench.cost_mix import LANGUAGE_WEIGHTS
        from chalicelib.domain.agent_tokens import Agent, mint_agent_token

        expires = int((datetime.now(UTC) + timedelta(hours=8)).timestamp())
        reader = Agent("cost-agent", ("global",), ("en", *LANGUAGE_WEIGHTS), expires)
        non_reader = Agent("cost-agent-en", ("global",), ("en",), expires)
        self.agent_token = mint_agent_token(reader, secret)
        self.non_reader_token = mint_agent_token(non_reader, secret)
        self.translator = translator
        self.desk_languages = desk_languages
        self.chars: dict[str, int] = dict.fromkeys(CAUSES, 0)
        self.durations = durations
        self.api: Any = None
        self.pollers: dict[str, Any] = {}
        self.requests: dict[str, int] = {}
        self.refused: dict[str, int] = {}

    def call(self, kind: str, method: str, path: str, token: str | None, body: Any = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        authorizer_before = sum(self.durations["agent_authorizer"])
        started = time.perf_counter()
        payload = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        answer = (
            getattr(self.api.http, method)(path, headers=headers, body=payload)
            if payload
            else getattr(self.api.http, method)(path, headers=headers)
        )
        elapsed = (time.perf_counter() - started) * 1000 - (sum(self.durations["agent_authorizer"]) - authorizer_before)
        self.durations["api_handler"].append(elapsed)
        self.requests[kind] = self.requests.get(kind, 0) + 1
        if answer.status_code >= 300:
            self.refused[f"{kind} {answer.status_code}"] = self.refused.get(f"{kind} {answer.status_code}", 0) + 1
            return None
        return json.loads(answer.body) if answer.body else None

    def drain(self, cause: str, max_rounds: int = 200) -> None:
        before = self.translator.chars
        for _ in range(max_rounds):
            if not sum(poller.poll_once(wait_seconds=0).received for poller in self.pollers.values()):
                self.chars[cause] += self.translator.chars - before
                return
        raise RuntimeError("the pipeline did not settle")

    def replay_cohort(self, app: Any, tickets: list[PlannedTicket]) -> None:
        from chalice.test import Client

        with Client(app, stage_name=RUN_STAGE) as self.api:
            for first in range(0, len(tickets), BATCH):
                self.replay(tickets[first : first + BATCH])

    def replay(self, batch: list[PlannedTicket]) -> None:
        created = [self.call("POST /tickets", "post", "/tickets", None, ticket.body) for ticket in batch]
        self.drain("ticket at intake")
        lives = [(ticket, answer) for ticket, answer in zip(batch, created, strict=True) if answer]
        for ticket, answer in lives:
            path, token = f"/tickets/{answer['ticket_id']}", answer["access_token"]
            for text in ticket.messages:
                self.call("POST /tickets/{id}/messages", "post", f"{path}/messages", token, {"text": text})
        self.drain("requester messages")
        for ticket, answer in lives:
            path = f"/tickets/{answer['ticket_id']}"
            for _ in range(ticket.agent_reads):
                self.call("GET /tickets/{id} (agent)", "get", path, self.agent_token)
            if ticket.opened_by_non_reader:
                self._open_as_non_reader(path)
        for ticket, answer in lives:
            path = f"/tickets/{answer['ticket_id']}"
            for text in ticket.replies_for(self.desk_languages):
                self.call("POST /tickets/{id}/replies", "post", f"{path}/replies", self.agent_token, {"text": text})
        self.drain("agent replies")
        for ticket, answer in lives:
            for _ in range(ticket.requester_reads):
                self.call(
                    "GET /tickets/{id} (requester)", "get", f"/tickets/{answer['ticket_id']}", answer["access_token"]
                )

    def _open_as_non_reader(self, path: str) -> None:
        """An open translates on demand, before it answers: the ticket's text, then its messages."""
        before, ticket_before = self.translator.chars, BY_WHAT["ticket"]
        self.call("GET /tickets/{id} (agent)", "get", path, self.non_reader_token)
        spent = self.translator.chars - before
        on_ticket = min(spent, BY_WHAT["ticket"] - ticket_before)
        self.chars["ticket on demand"] += on_ticket
        self.chars["messages on demand"] += spent - on_ticket
