"""The fault harness's ledger: every accepted POST, reconciled against the table and the desk queues.

A submission is one ticket a client wants to report, with its own Idempotency-Key; the client
POSTs it until it gets a 201 (or 200), retrying with the same key after a 5xx or no answer.
Reconciling:

- lost: an accepted ticket that is not stored, or that never reached a desk queue;
- duplicated: a submission that got two ticket ids, or a ticket that reached the desk queues
  more than once (`desk_duplicates_in_window` says how many of those fall in the window the
  architecture documents: the desk message went out and the confirmation did not follow);
- unexpected: a stored ticket or a desk message nobody was told about, or a desk message on
  another region's queue than the ticket's routing says.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Ledger:
    accepted: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # key -> ticket ids
    gave_up: list[str] = field(default_factory=list)
    desk: Counter[str] = field(default_factory=Counter)  # ticket id -> desk messages
    desk_regions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    seeded_pii: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def accept(self, key: str, ticket_id: str) -> None:
        with self._lock:
            self.accepted[key].add(ticket_id)

    def delivered_to_desk(self, region: str, ticket_id: str) -> None:
        with self._lock:
            self.desk[ticket_id] += 1
            self.desk_regions[ticket_id].add(region)

    def accepted_ids(self) -> set[str]:
        return {ticket_id for ids in self.accepted.values() for ticket_id in ids}


@dataclass
class Reconciliation:
    submissions: int
    accepted: int
    stored: int
    routed: int
    lost: list[str]
    duplicated: list[str]
    unexpected: list[str]
    desk_duplicates_in_window: int = 0
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def unexplained_duplicates(self) -> list[str]:
        return [item for item in self.duplicated if IN_WINDOW not in item]

    @property
    def clean(self) -> bool:
        """Nothing lost, nothing unexpected, and no duplicate outside the documented outbox window."""
        return not (self.lost or self.unexplained_duplicates or self.unexpected)

    def summary(self) -> str:
        return (
            f"lost {len(self.lost)} / duplicated {len(self.duplicated)} / unexpected {len(self.unexpected)}"
            f" (duplicates in the outbox window: {self.desk_duplicates_in_window};"
            f" unexplained: {len(self.unexplained_duplicates)})"
        )


IN_WINDOW = "in the outbox window"


def _outbox_window(outbox: Any, ticket_id: str) -> str:
    """Why a desk message may have gone out twice (architecture rule 4), or "" when nothing explains it."""
    if ticket_id in outbox.sent_again_by_the_sdk:
        return f" ({IN_WINDOW}: botocore re-sent a SendMessageBatch that had applied; SQS is at least once)"
    if ticket_id in outbox.acknowledgement_failed:
        return f" ({IN_WINDOW}: the acknowledgement failed, so the desk message was left unconfirmed)"
    if outbox.unconfirmed(ticket_id):
        return f" ({IN_WINDOW}: a desk message went out and its confirmation did not follow)"
    return ""


def reconcile(
    ledger: Ledger, submissions: int, stored: dict[str, Any], pii_leaks: list[str], outbox: Any
) -> Reconciliation:
    """`stored`: ticket id -> the stored Ticket (status, routing); `outbox`: which desk messages
    went out and which were confirmed (bench/faults_injection.Outbox)."""
    accepted = ledger.accepted_ids()
    lost: list[str] = []
    duplicated: list[str] = []
    unexpected: list[str] = []
    for key, ids in ledger.accepted.items():
        if len(ids) > 1:
            duplicated.append(f"submission {key} got {len(ids)} tickets: {sorted(ids)}")
    for key in ledger.gave_up:
        if key not in ledger.accepted:
            lost.append(f"submission {key} never accepted (the client gave up)")
    statuses: Counter[str] = Counter()
    for ticket_id in sorted(accepted):
        ticket = stored.get(ticket_id)
        if ticket is None:
            lost.append(f"{ticket_id}: accepted, not stored")
            continue
        statuses[ticket.status.value] += 1
        copies = ledger.desk[ticket_id]
        if copies == 0:
            lost.append(f"{ticket_id}: stored ({ticket.status.value}), never reached a desk queue")
        elif copies > 1:
            duplicated.append(f"{ticket_id}: {copies} desk messages{_outbox_window(outbox, ticket_id)}")
        region = ticket.routing.region if ticket.routing is not None else None
        if copies and ledger.desk_regions[ticket_id] != {region}:
            unexpected.append(
                f"{ticket_id}: routed to {region}, desk messages on {sorted(ledger.desk_regions[ticket_id])}"
            )
    unexpected += [f"{ticket_id}: stored, never accepted" for ticket_id in sorted(set(stored) - accepted)]
    unexpected += [f"{ticket_id}: on a desk queue, never accepted" for ticket_id in sorted(set(ledger.desk) - accepted)]
    return Reconciliation(
        submissions=submissions,
        accepted=len(accepted),
        stored=len(stored),
        routed=statuses.get("routed", 0),
        lost=lost,
        duplicated=duplicated,
        unexpected=unexpected,
        desk_duplicates_in_window=sum(1 for item in duplicated if IN_WINDOW in item),
        details={"statuses": dict(statuses), "pii_leaks": pii_leaks},
    )
