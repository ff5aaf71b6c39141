"""The store's ports in dictionaries: for unit tests of the use cases, and anything that wants a
desk without AWS. One `InMemoryDatabase` is shared by its repositories, as one table is by the
DynamoDB ones; the contract suite (`tests/contract/`) holds both implementations to the same
behaviour. One module per group of aggregates; every repository is re-exported here.
"""

from chalicelib.adapters.in_memory.dead_letters import InMemoryFailureLog, InMemoryParkedTickets
from chalicelib.adapters.in_memory.evidence import InMemoryEvidence, InMemoryEvidenceStorage
from chalicelib.adapters.in_memory.incidents import InMemoryIncidents
from chalicelib.adapters.in_memory.notifications import InMemoryNotifications
from chalicelib.adapters.in_memory.safeguards import (
    InMemoryAgentRevocations,
    InMemoryRateCounters,
    InMemoryTicketAccess,
)
from chalicelib.adapters.in_memory.support_metrics import InMemorySupportMetrics
from chalicelib.adapters.in_memory.surveys import InMemorySurveys
from chalicelib.adapters.in_memory.tickets import (
    InMemoryDatabase,
    InMemoryEscalationIndex,
    InMemoryIdempotency,
    InMemoryMessages,
    InMemoryRepository,
    InMemoryResponseTimes,
    InMemorySweepIndex,
    InMemoryTickets,
    InMemoryTranslationCache,
    InMemoryWorkLists,
)

__all__ = [
    "InMemoryAgentRevocations",
    "InMemoryDatabase",
    "InMemoryEscalationIndex",
    "InMemoryEvidence",
    "InMemoryEvidenceStorage",
    "InMemoryFailureLog",
    "InMemoryIdempotency",
    "InMemoryIncidents",
    "InMemoryMessages",
    "InMemoryNotifications",
    "InMemoryParkedTickets",
    "InMemoryRateCounters",
    "InMemoryRepository",
    "InMemoryResponseTimes",
    "InMemorySupportMetrics",
    "InMemorySurveys",
    "InMemorySweepIndex",
    "InMemoryTicketAccess",
    "InMemoryTickets",
    "InMemoryTranslationCache",
    "InMemoryWorkLists",
]
