"""The agent desk over HTTP: work lists, atomic claims, waiting on the requester, resolve, reopen."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest

from chalicelib.composition_root import dependencies, override_dependencies
from chalicelib.domain import desk
from chalicelib.domain.agent_tokens import Agent, mint_agent_token
from chalicelib.domain.ticket import Ticket, parse_iso, utc_now
from tests.pipeline.conftest import create_ticket, get_ticket, openapi_validator, stored_ticket, view

SECRET = "test-stage-agent-token-secret"


@pytest.fixture
def aws(reused_aws: None) -> None:
    """One moto account for the module, emptied before each test (see conftest.reused_aws)."""


def agent_token(name: str = "ana", regions: tuple[str, ...] = ("na",), languages: tuple[str, ...] = ("en",)) -> str:
    expires = int((utc_now() + timedelta(hours=8)).timestamp())
    return mint_agent_token(Agent(name, regions, languages, expires), SECRET)


def call(api: Any, method: str, path: str, token: str, payload: Any = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps(payload) if payload is not None else ""
    answer = getattr(api.http, method)(path, headers=headers, body=body)
    return answer.status_code, json.loads(answer.body) if answer.body else None


def routed_ticket(api: Any, pipeline: Any, category: str = "content.report", country: str = "US", **extra: Any) -> dict:
    text = extra.pop("description", "My live stream keeps freezing and the app shows an error every time.")
    created = create_ticket(api, {"description": text, "category": category, "requester": {"country": country}})
    pipeline.drain()
    assert view(api, created)["status"] == "routed"
    return created


def work_list(api: Any, region: str = "na", state: str = "open", token: str | None = None) -> list[str]:
    status, body = call(api, "get", f"/desk/{region}/tickets?state={state}", token or agent_token())
    assert status == 200, body
    return [row["ticket_id"] for row in body["tickets"]]


def move_clock(by: timedelta) -> None:
    later = utc_now() + by
    override_dependencies(clock=lambda: later)


def test_the_work_list_is_ordered_by_priority_then_deadline(api, pipeline):
    # Given tickets of every kind in the na region, the least urgent first
    normal = routed_ticket(api, pipeline, "content.report")
    high_first = routed_ticket(api, pipeline, "payment.failed")
    urgent = routed_ticket(api, pipeline, "account.hacked")
    high_second = routed_ticket(api, pipeline, "payment.failed")

    # When an agent of the region lists the open tickets
    listed = work_list(api)

    # Then the most urgent comes first, and of equal priority the earlier deadline
    assert listed == [urgent["ticket_id"], high_first["ticket_id"], high_second["ticket_id"], normal["ticket_id"]]
    # And nothing is claimed or waiting yet
    assert work_list(api, state="claimed") == [] and work_list(api, state="waiting") == []


def test_agents_of_another_region_get_404_everywhere(api, pipeline):
    created = routed_ticket(api, pipeline)
    ticket_id = created["ticket_id"]
    latam = agent_token("luis", ("latam",))

    # When an agent of latam looks at the na desk, claims from it or changes one of its tickets
    answers = [
        call(api, "get", "/desk/na/tickets", latam),
        call(api, "post", "/desk/na/claim", latam),
        call(api, "post", f"/tickets/{ticket_id}/waiting", latam),
        call(api, "post", f"/tickets/{ticket_id}/resolve", latam),
        call(api, "post", f"/tickets/{ticket_id}/reopen", latam),
        call(api, "get", "/desk/atlantis/tickets", latam),
    ]

    # Then each answer is a 404, and the ticket did not move
    assert [status for status, _ in answers] == [404] * len(answers)
    assert work_list(api) == [ticket_id]
    # And without a valid agent token the gate refuses before any handler runs (API Gateway
    # answers 401 or 403 depending on how the token fails; chalice local says 403)
    assert call(api, "get", "/desk/na/tickets", created["access_token"])[0] in (401, 403)


def test_claim_takes_the_most_urgent_ticket_and_records_who_and_when(api, pipeline):
    normal = routed_ticket(api, pipeline, "content.report")
    urgent = routed_ticket(api, pipeline, "account.hacked")

    # When ana claims the next ticket
    status, claimed = call(api, "post", "/desk/na/claim", agent_token("ana"))

    # Then she gets the urgent one, audited with who, when, from and to
    assert status == 200 and claimed["ticket_id"] == urgent["ticket_id"]
    assert claimed["desk"]["state"] == "claimed" and claimed["desk"]["assignee"] == "ana"
    event = claimed["desk"]["events"][-1]
    assert (event["by"], event["from"], event["to"]) == ("ana", "open", "claimed")
    assert abs(parse_iso(event["at"]) - utc_now()) < timedelta(minutes=1)
    # And the work lists moved it from open to claimed
    assert work_list(api) == [normal["ticket_id"]]
    assert work_list(api, state="claimed") == [urgent["ticket_id"]]
    # And when nothing is left, a claim is an empty 204
    assert call(api, "post", "/desk/na/claim", agent_token("bob"))[0] == 200
    assert call(api, "post", "/desk/na/claim", agent_token("bob")) == (204, None)


@pytest.fixture
def atomic_moto_writes() -> Iterator[None]:
    """DynamoDB checks a write's condition and writes under one lock per item; moto checks and
    writes without one, so two threads can both pass the same condition. Give moto the atomicity
    DynamoDB guarantees (one lock for the table: coarser, never weaker)."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()  # a transaction's writes call put_item and update_item themselves
    originals = {name: getattr(DynamoDBBackend, name) for name in ("put_item", "update_item", "transact_write_items")}

    def locked(original: Any) -> Any:
        def write(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return original(*args, **kwargs)

        return write

    with contextlib.ExitStack() as stack:
        for name, original in originals.items():
            stack.enter_context(patch.object(DynamoDBBackend, name, locked(original)))
        yield


def test_two_agents_claiming_at_once_never_get_the_same_ticket(api, pipeline, atomic_moto_writes):
    # Given six open tickets
    ids = {routed_ticket(api, pipeline)["ticket_id"] for _ in range(6)}
    claim_next = dependencies().claim_next
    won: dict[str, list[str]] = {"ana": [], "bob": []}
    start = threading.Barrier(2)

    def keep_claiming(agent: str) -> None:
        start.wait()
        while (ticket := claim_next("na", agent, ("en",))) is not None:
            won[agent].append(ticket.ticket_id)

    # When two agents claim concurrently until the queue is empty
    threads = [threading.Thread(target=keep_claiming, args=(agent,)) for agent in won]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then every ticket was claimed exactly once, by the agent the table names
    assert sorted(won["ana"] + won["bob"]) == sorted(ids)
    assert not set(won["ana"]) & set(won["bob"])
    for agent, tickets in won.items():
        assert all(stored_ticket(ticket_id).desk.assignee == agent for ticket_id in tickets)


class RacingStore:
    """The real tickets, except that right after a claimer reads its candidates another agent
    claims the first of them: the claimer's conditional write then loses the race."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.raced = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def get_many(self, ticket_ids: Any) -> dict[str, Ticket]:
        found = self.real.get_many(ticket_ids)
        if not self.raced:
            self.raced = True
            first = found[ticket_ids[0]]
            self.real.save_desk_change(first, desk.claim(first, "rival", utc_now()))
        return found


def test_a_claim_that_loses_the_race_takes_the_next_ticket(api, pipeline):
    first = routed_ticket(api, pipeline, "account.hacked")
    second = routed_ticket(api, pipeline, "content.report")
    override_dependencies(tickets=RacingStore(dependencies().tickets))

    # When ana's claim is overtaken by a rival between her read and her write
    status, claimed = call(api, "post", "/desk/na/claim", agent_token("ana"))

    # Then the rival keeps the first ticket and ana gets the next one
    assert status == 200 and claimed["ticket_id"] == second["ticket_id"]
    assert stored_ticket(first["ticket_id"]).desk.assignee == "rival"


def test_claim_prefers_tickets_in_a_language_the_agent_reads(api, pipeline):
    # Given a Spanish ticket ahead of a Portuguese one on the latam desk (no translator configured)
    spanish = routed_ticket(
        api, pipeline, "payment.failed", "MX", description="Me cobraron dos veces el pedido y no recibí nada."
    )
    portuguese = routed_ticket(
        api, pipeline, "payment.failed", "BR", description="Fui cobrado duas vezes pelo pedido e não recebi nada."
    )
    assert work_list(api, "latam", token=agent_token(regions=("latam",))) == [
        spanish["ticket_id"],
        portuguese["ticket_id"],
    ]

    # When an agent who reads Portuguese claims, then one who reads only English
    status, for_portuguese_reader = call(api, "post", "/desk/latam/claim", agent_token("rui", ("latam",), ("pt", "en")))
    _, for_english_reader = call(api, "post", "/desk/latam/claim", agent_token("amy", ("latam",), ("en",)))

    # Then the Portuguese reader skips the queue's head for the ticket she can read
    assert status == 200 and for_portuguese_reader["ticket_id"] == portuguese["ticket_id"]
    # And the English reader takes what is left
    assert for_english_reader["ticket_id"] == spanish["ticket_id"]


def test_waiting_pauses_the_deadlines_and_a_requester_message_resumes_them(api, pipeline):
    created = routed_ticket(api, pipeline, "account.hacked")  # urgent: a 24x7 clock
    ticket_id = created["ticket_id"]
    due_before = parse_iso(view(api, created)["sla"]["first_response_due"])
    call(api, "post", "/desk/na/claim", agent_token("ana"))

    # When ana waits on the requester
    status, waiting = call(api, "post", f"/tickets/{ticket_id}/waiting", agent_token("ana"), {"note": "need receipt"})

    # Then the requester sees the clock paused: no deadline runs, no ETA
    assert status == 200 and waiting["desk"]["state"] == "waiting"
    sla = view(api, created)["sla"]
    assert sla["paused"] is True and sla["first_response_due"] is None and sla["eta"] is None
    assert work_list(api, state="waiting") == [ticket_id]

    # When the requester answers three hours later
    move_clock(timedelta(hours=3))
    status, _ = call(api, "post", f"/tickets/{ticket_id}/messages", created["access_token"], {"text": "Here it is."})
    assert status == 201

    # Then the ticket is back with ana, and the deadline moved later by the time it waited
    after = get_ticket(api, ticket_id, agent_token()).body
    assert after["desk"]["state"] == "claimed" and after["desk"]["assignee"] == "ana"
    assert after["sla"]["paused"] is False
    moved = parse_iso(after["sla"]["first_response_due"]) - due_before
    assert timedelta(hours=3) - timedelta(minutes=1) < moved < timedelta(hours=3) + timedelta(minutes=1)
    assert [(e["by"], e["to"]) for e in after["desk"]["events"]] == [
        ("ana", "claimed"),
        ("ana", "waiting"),
        ("requester", "claimed"),
    ]
    assert after["desk"]["events"][1]["note"] == "need receipt"


def test_resolve_then_a_requester_message_reopens_the_ticket(api, pipeline):
    created = routed_ticket(api, pipeline)
    ticket_id = created["ticket_id"]
    call(api, "post", "/desk/na/claim", agent_token("ana"))

    # When any agent of the region resolves it (not only the assignee)
    status, resolved = call(api, "post", f"/tickets/{ticket_id}/resolve", agent_token("bob"))
    assert status == 200 and resolved["desk"]["state"] == "resolved"
    # Then it leaves every work list, and the requester sees it resolved with no ETA
    assert all(work_list(api, state=state) == [] for state in ("open", "claimed", "waiting"))
    assert view(api, created)["desk"] == {"state": "resolved", "first_responded_at": None}
    assert view(api, created)["sla"]["eta"] is None

    # When the requester writes again
    call(api, "post", f"/tickets/{ticket_id}/messages", created["access_token"], {"text": "Still broken."})

    # Then it is open again, back in the region's queue
    assert work_list(api) == [ticket_id]
    events = get_ticket(api, ticket_id, agent_token()).body["desk"]["events"]
    assert [(e["by"], e["from"], e["to"]) for e in events] == [
        ("ana", "open", "claimed"),
        ("bob", "claimed", "resolved"),
        ("requester", "resolved", "open"),
    ]


def test_an_agent_reopens_a_resolved_ticket_and_a_wrong_transition_is_a_409(api, pipeline):
    ticket_id = routed_ticket(api, pipeline)["ticket_id"]
    token = agent_token("ana")

    # An open ticket cannot be reopened
    status, body = call(api, "post", f"/tickets/{ticket_id}/reopen", token)
    assert status == 409 and body["error"]["code"] == "invalid_transition"

    # A resolved one can, with a note in the audit trail
    call(api, "post", f"/tickets/{ticket_id}/resolve", token)
    status, reopened = call(api, "post", f"/tickets/{ticket_id}/reopen", token, {"note": "customer called"})
    assert status == 200 and reopened["desk"]["state"] == "open"
    assert reopened["desk"]["events"][-1]["note"] == "customer called"


def test_a_change_based_on_a_stale_read_is_a_409_and_writes_nothing(api, pipeline):
    ticket_id = routed_ticket(api, pipeline)["ticket_id"]
    real = dependencies().tickets
    stale = real.get(ticket_id)
    call(api, "post", "/desk/na/claim", agent_token("ana"))  # the ticket moves on

    class StaleReads:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def get(self, wanted: str) -> Ticket | None:
            return stale if wanted == ticket_id else real.get(wanted)

    override_dependencies(tickets=StaleReads())

    # When bob resolves from what he read before ana's claim
    status, body = call(api, "post", f"/tickets/{ticket_id}/resolve", agent_token("bob"))

    # Then his write loses: 409, and the ticket is still ana's
    assert status == 409 and body["error"]["code"] == "conflict"
    assert real.get(ticket_id).desk.state.value == "claimed"


def test_the_first_agent_reply_is_the_first_response(api, pipeline):
    created = routed_ticket(api, pipeline)
    call(api, "post", "/desk/na/claim", agent_token("ana"))

    # When ana replies twice
    call(api, "post", f"/tickets/{created['ticket_id']}/replies", agent_token("ana"), {"text": "Looking into it."})
    first = view(api, created)["desk"]["first_responded_at"]
    call(api, "post", f"/tickets/{created['ticket_id']}/replies", agent_token("ana"), {"text": "Fixed."})

    # Then the first reply counts, the second does not move it, and the ETA for a first answer is gone
    assert first is not None
    after = view(api, created)
    assert after["desk"]["first_responded_at"] == first
    assert after["sla"]["eta"] is None


def test_the_eta_counts_the_open_tickets_ahead(api, pipeline):
    # Given seven open tickets of the same priority in the region
    tickets = [routed_ticket(api, pipeline) for _ in range(7)]

    # Then the last one has six ahead and a later ETA than the first
    work_lists = dependencies().work_lists
    assert work_lists.open_ahead_of(stored_ticket(tickets[-1]["ticket_id"])) == 6
    assert work_lists.open_ahead_of(stored_ticket(tickets[0]["ticket_id"])) == 0
    first_eta, last_eta = (view(api, tickets[index])["sla"]["eta"] for index in (0, -1))
    assert parse_iso(last_eta["to"]) > parse_iso(first_eta["to"])
    assert parse_iso(first_eta["from"]) <= parse_iso(first_eta["to"])


def test_desk_answers_match_the_published_schema(api, pipeline):
    created = routed_ticket(api, pipeline)
    document = json.loads(api.http.get("/openapi.json").body)
    _, listed = call(api, "get", "/desk/na/tickets", agent_token())
    openapi_validator(document, "DeskList").validate(listed)
    _, claimed = call(api, "post", "/desk/na/claim", agent_token())
    call(api, "post", f"/tickets/{created['ticket_id']}/waiting", agent_token())
    ticket_schema = openapi_validator(document, "Ticket")
    ticket_schema.validate(claimed)
    ticket_schema.validate(view(api, created))
    ticket_schema.validate(get_ticket(api, created["ticket_id"], agent_token()).body)
    for path in ("/desk/{region}/tickets", "/desk/{region}/claim", "/tickets/{ticket_id}/waiting"):
        assert path in document["paths"]


def test_recent_first_responses_narrow_the_requesters_eta(api, pipeline):
    # Given a new ticket, and its ETA while the region has no history of answers
    newcomer = routed_ticket(api, pipeline)
    before = view(api, newcomer)["sla"]

    # When agents answer a dozen other tickets of the region within minutes
    for _ in range(12):
        answered = routed_ticket(api, pipeline)
        status, _ = call(api, "post", f"/tickets/{answered['ticket_id']}/replies", agent_token(), {"text": "On it."})
        assert status == 201
    after = view(api, newcomer)["sla"]

    # Then the newcomer's window narrows to what the region really does, and never starts before now
    assert parse_iso(after["eta"]["to"]) < parse_iso(before["eta"]["to"])
    assert parse_iso(after["eta"]["to"]) < parse_iso(after["first_response_due"])
    assert parse_iso(after["eta"]["from"]) >= utc_now() - timedelta(seconds=5)
    # And the samples are what the store keeps for the region
    assert len(dependencies().response_times.recent_first_responses("na")) == 12
