"""How tickets and messages are spelled as items of the one table (keys in infra/stack.py).

Items:
- ticket:      pk=TICKET#<id>          sk=TICKET
- message:     pk=TICKET#<id>          sk=MSG#<ulid>
- idempotency: pk=IDEMPOTENCY#<sha256> sk=IDEMPOTENCY  (expires_at is the table's TTL)
- statistics:  pk=STATS#<region>       sk=FIRST_RESPONSE#<time>#<id>

Index entries (which entries a ticket has is `domain/projections.py`'s decision):
- by_region (gsi1): `<STATE>#<region>` (shard 0) or `<STATE>#<region>#<shard>` (shards 1..) /
  the work list's sort key. Shard 0 keeps the unsharded spelling, so entries written before the
  work lists were sharded are read as shard 0 (no migration; docs/SCALING.md).
- by_pipeline_stage (gsi2): `SWEEP#<kind>#<shard>` / when it last moved; `STUCK#<kind>` parks it.
- by_escalation (gsi3): `ESCALATE#<shard>` / when its level rises `#<id>`.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb.table import serialize
from chalicelib.domain.conversation import Message
from chalicelib.domain.projections import message_sweep_kind, project_ticket
from chalicelib.domain.ticket import DeskState, Ticket, iso

REGION_INDEX = "by_region"
PIPELINE_INDEX = "by_pipeline_stage"
ESCALATION_INDEX = "by_escalation"
SWEEP_SHARDS = 4
ESCALATION_SHARDS = 4
# A region's work list in one desk state is spread over this many index partitions (a GSI
# partition takes 1,000 writes/s; a 1,000 tickets/s burst into one region would be all of it).
# Readers query every shard and merge. Grow it freely; shrinking hides the entries of the shards
# dropped until their tickets are written again (docs/SCALING.md, "Changing a shard count").
WORK_LIST_SHARDS = 4
# Sorts after every ticket id: "due <= now" includes every ticket due at exactly `now`.
AFTER_ANY_ID = "~"


def ticket_key(ticket_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"TICKET#{ticket_id}"}, "sk": {"S": "TICKET"}}


def message_key(ticket_id: str, message_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"TICKET#{ticket_id}"}, "sk": {"S": f"MSG#{message_id}"}}


def idempotency_key(key_hash: str) -> dict[str, Any]:
    return {"pk": {"S": f"IDEMPOTENCY#{key_hash}"}, "sk": {"S": "IDEMPOTENCY"}}


def _shard(ticket_id: str, shards: int) -> int:
    return zlib.crc32(ticket_id.encode("ascii")) % shards


def sweep_partition(kind: str, ticket_id: str) -> str:
    """kind: a pipeline status value, or one of projections' SWEEP_* kinds."""
    return f"SWEEP#{kind}#{_shard(ticket_id, SWEEP_SHARDS)}"


def sweep_partitions(kind: str) -> list[str]:
    return [f"SWEEP#{kind}#{shard}" for shard in range(SWEEP_SHARDS)]


def parked_partition(kind: str) -> str:
    return f"STUCK#{kind}"


def work_list_partition(state: DeskState, region: str, shard: int = 0) -> str:
    """Shard 0 is spelled as the unsharded partition was (`OPEN#emea`)."""
    base = f"{state.value.upper()}#{region}"
    return base if shard == 0 else f"{base}#{shard}"


def work_list_partitions(state: DeskState, region: str) -> list[str]:
    """Every shard of a region's work list in `state`: what a reader queries and merges."""
    return [work_list_partition(state, region, shard) for shard in range(WORK_LIST_SHARDS)]


def work_list_partition_of(state: DeskState, region: str, ticket_id: str) -> str:
    return work_list_partition(state, region, _shard(ticket_id, WORK_LIST_SHARDS))


def escalation_partitions() -> list[str]:
    return [f"ESCALATE#{shard}" for shard in range(ESCALATION_SHARDS)]


def escalation_sort_key(due: datetime, ticket_id: str) -> str:
    return f"{iso(due)}#{ticket_id}"


def ticket_item(ticket: Ticket, awaiting_notification: bool) -> dict[str, Any]:
    record: dict[str, Any] = {"entity": "ticket", **ticket.to_record()}
    if ticket.routing is not None:
        record["region"] = ticket.routing.region
    projection = project_ticket(ticket, awaiting_notification)
    if projection.work_list is not None:
        entry = projection.work_list
        record["gsi1pk"] = work_list_partition_of(entry.state, entry.region, ticket.ticket_id)
        record["gsi1sk"] = entry.sort_key
    if projection.escalation_due is not None:
        record["gsi3pk"] = f"ESCALATE#{_shard(ticket.ticket_id, ESCALATION_SHARDS)}"
        record["gsi3sk"] = escalation_sort_key(projection.escalation_due, ticket.ticket_id)
    if projection.sweep_kind is not None:
        record["gsi2pk"] = sweep_partition(projection.sweep_kind, ticket.ticket_id)
        record["gsi2sk"] = ticket.updated_at
        record["sweep_attempts"] = 0
    return {**ticket_key(ticket.ticket_id), **serialize(record)}


def message_item(message: Message) -> dict[str, Any]:
    record: dict[str, Any] = {"entity": "message", **message.to_record()}
    kind = message_sweep_kind(message)
    if kind is not None:
        record["gsi2pk"] = sweep_partition(kind, message.ticket_id)
        record["gsi2sk"] = message.created_at
        record["sweep_attempts"] = 0
    return {**message_key(message.ticket_id, message.message_id), **serialize(record)}
