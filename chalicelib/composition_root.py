"""The composition root: the one place that builds the adapters and hands them to the use cases.

Everything is built on first use (a cold start pays only for what a function touches) and kept
for the life of the process. Routes and workers ask `dependencies()` for a use case and call it;
tests replace pieces with `override_dependencies(tickets=..., publisher=..., clock=...)` and
restore with `reset_dependencies()`; `Dependencies.in_memory()` runs every use case on the
in-memory store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from chalicelib import aws_resource_names
from chalicelib.composition.console import AgentConsole
from chalicelib.composition.desk_languages import DeskLanguages
from chalicelib.composition.evidence import EvidenceUploads
from chalicelib.composition.incidents import IncidentDesk
from chalicelib.composition.operations import Operations
from chalicelib.composition.pipeline import PipelineStages
from chalicelib.composition.safeguards import Safeguards
from chalicelib.composition.self_service import SelfServiceFirst
from chalicelib.composition.talking_back import TalkingBack
from chalicelib.domain.ticket import utc_now
from chalicelib.settings import Settings, get_settings

if TYPE_CHECKING:
    from chalicelib.domain.ports import Clock, Detector, Publisher, Translator
    from chalicelib.domain.repositories import (
        EscalationIndex,
        IdempotencyRepository,
        MessageRepository,
        ResponseTimes,
        SupportMetrics,
        SweepIndex,
        TicketRepository,
        WorkLists,
    )
    from chalicelib.domain.support_metrics import CounterChange
    from chalicelib.domain.translation import TextTranslator, TranslationCache
    from chalicelib.usecases.conversation import AddMessage
    from chalicelib.usecases.desk_work import ChangeDeskState, ClaimNext, ListWork
    from chalicelib.usecases.escalate import EscalateDue
    from chalicelib.usecases.later_translations import RetranslateTicket, TranslateMessage
    from chalicelib.usecases.pipeline_stage import ClaimCheckAddresser, RunStage
    from chalicelib.usecases.read_ticket import ReadTicket
    from chalicelib.usecases.submit_ticket import SubmitTicket
    from chalicelib.usecases.support_metrics import ReadSupportMetrics
    from chalicelib.usecases.sweep import Sweep

T = TypeVar("T")
STORE_PARTS = ("tickets", "idempotency", "messages", "response_times", "work_lists", "sweep_index", "escalation_index")


@dataclass
class Dependencies(
    TalkingBack,
    IncidentDesk,
    AgentConsole,
    SelfServiceFirst,
    EvidenceUploads,
    Safeguards,
    Operations,
    DeskLanguages,
    PipelineStages,
):
    settings: Settings
    clock: Clock = utc_now
    overrides: dict[str, Any] = field(default_factory=dict)

    def _built(self, name: str, build: Callable[[], T]) -> T:
        return self.overrides[name] if name in self.overrides else build()

    @classmethod
    def in_memory(cls, settings: Settings, clock: Clock = utc_now, **overrides: Any) -> Dependencies:
        """Every store port on one in-memory database; anything else as given or as configured."""
        from chalicelib.adapters import in_memory

        database = in_memory.InMemoryDatabase()
        store = {
            "tickets": in_memory.InMemoryTickets(database),
            "idempotency": in_memory.InMemoryIdempotency(database),
            "messages": in_memory.InMemoryMessages(database),
            "response_times": in_memory.InMemoryResponseTimes(database),
            "work_lists": in_memory.InMemoryWorkLists(database),
            "sweep_index": in_memory.InMemorySweepIndex(database),
            "escalation_index": in_memory.InMemoryEscalationIndex(database),
            "translation_cache": in_memory.InMemoryTranslationCache(database),
            "support_metrics": in_memory.InMemorySupportMetrics(database),
            "notifications": in_memory.InMemoryNotifications(database),
            "surveys": in_memory.InMemorySurveys(database),
            "incidents": in_memory.InMemoryIncidents(database),
            "evidence": in_memory.InMemoryEvidence(database),
            "failure_log": in_memory.InMemoryFailureLog(database),
            "parked_tickets": in_memory.InMemoryParkedTickets(database),
            "ticket_access": in_memory.InMemoryTicketAccess(database),
            "agent_revocations": in_memory.InMemoryAgentRevocations(database),
            "rate_counters": in_memory.InMemoryRateCounters(database),
        }
        return cls(settings=settings, clock=clock, overrides={**store, **overrides})

    # --- the store (one DynamoDB table) ----------------------------------------------------

    @cached_property
    def tickets(self) -> TicketRepository:
        from chalicelib.adapters.dynamodb.tickets import DynamoDBTickets

        # Each ticket write also counts the support metrics; what it counted goes out as EMF.
        return self._built(
            "tickets", lambda: DynamoDBTickets(self.settings.table_name, on_counted=self.emit_support_metrics)
        )

    @cached_property
    def idempotency(self) -> IdempotencyRepository:
        from chalicelib.adapters.dynamodb.tickets import DynamoDBIdempotency

        return self._built("idempotency", lambda: DynamoDBIdempotency(self.settings.table_name))

    @cached_property
    def messages(self) -> MessageRepository:
        from chalicelib.adapters.dynamodb.messages import DynamoDBMessages

        return self._built("messages", lambda: DynamoDBMessages(self.settings.table_name))

    @cached_property
    def response_times(self) -> ResponseTimes:
        from chalicelib.adapters.dynamodb.response_times import DynamoDBResponseTimes

        return self._built("response_times", lambda: DynamoDBResponseTimes(self.settings.table_name))

    @cached_property
    def work_lists(self) -> WorkLists:
        from chalicelib.adapters.dynamodb.indexes import DynamoDBWorkLists

        return self._built("work_lists", lambda: DynamoDBWorkLists(self.settings.table_name))

    @cached_property
    def sweep_index(self) -> SweepIndex:
        from chalicelib.adapters.dynamodb.indexes import DynamoDBSweepIndex

        return self._built("sweep_index", lambda: DynamoDBSweepIndex(self.settings.table_name))

    @cached_property
    def escalation_index(self) -> EscalationIndex:
        from chalicelib.adapters.dynamodb.indexes import DynamoDBEscalationIndex

        return self._built("escalation_index", lambda: DynamoDBEscalationIndex(self.settings.table_name))

    # --- the other adapters ----------------------------------------------------------------

    @cached_property
    def publisher(self) -> Publisher:
        from chalicelib.adapters.sqs_publisher import SqsPublisher

        return self._built("publisher", SqsPublisher)

    @cached_property
    def detector(self) -> Detector:
        from chalicelib.adapters.ngram_detector import NgramDetector

        return self._built("detector", NgramDetector)

    @cached_property
    def translators(self) -> list[Translator]:
        from chalicelib.adapters.translators import build_translators

        return self._built("translators", lambda: build_translators(self.settings))

    @cached_property
    def translation_cache(self) -> TranslationCache:
        from chalicelib.adapters.dynamodb.translation_cache import DynamoDBTranslationCache

        return self._built("translation_cache", lambda: DynamoDBTranslationCache(self.settings.table_name))

    @cached_property
    def text_translator(self) -> TextTranslator:
        """Masking, glossary, cache and failover over the configured providers."""
        from chalicelib.domain.translation import TextTranslator

        return TextTranslator(self.translators, self.translation_cache)

    @cached_property
    def agent_token_secret(self) -> str | None:
        """The key agent tokens are signed with (resolved from SSM or Secrets Manager in AWS)."""
        setting = self.settings.agent_token_secret
        if setting is None:
            return None
        from chalicelib.adapters.secrets import resolve_secret

        return resolve_secret(setting)

    @staticmethod
    def count_escalations(escalated: Sequence[tuple[str, str]]) -> None:
        from chalicelib.adapters.metrics import count_escalations

        count_escalations(escalated)

    @staticmethod
    def count_translation(provider: str | None, characters: int, what: str) -> None:
        from chalicelib.adapters.metrics import count_translation

        count_translation(provider, characters, what)

    # --- use cases -------------------------------------------------------------------------

    @cached_property
    def submit_ticket(self) -> SubmitTicket:
        from chalicelib.usecases.submit_ticket import SubmitTicket

        return SubmitTicket(
            self.tickets,
            self.idempotency,
            self.publisher,
            self.settings.queue_name(aws_resource_names.DETECT),
            self.clock,
            self.settings.idempotency_ttl_seconds,
            suggest=self.suggest_at_intake,
        )

    @cached_property
    def read_ticket(self) -> ReadTicket:
        from chalicelib.usecases.read_ticket import ReadTicket

        return ReadTicket(
            self.messages,
            self.work_lists,
            self.response_times,
            self.clock,
            self.notifications,
            self.surveys,
            self.incidents,
            self.settings.pivot_language,
            evidence=lambda ticket_id, links: self.list_evidence(ticket_id, links),
        )

    @cached_property
    def add_message(self) -> AddMessage:
        from chalicelib.usecases.conversation import AddMessage

        return AddMessage(
            self.tickets,
            self.messages,
            self.response_times,
            self.publisher,
            self.settings.queue_name(aws_resource_names.TRANSLATE),
            self.clock,
            self.settings.pivot_language,
        )

    @cached_property
    def list_work(self) -> ListWork:
        from chalicelib.usecases.desk_work import ListWork

        return ListWork(self.tickets, self.work_lists)

    @cached_property
    def claim_next(self) -> ClaimNext:
        from chalicelib.usecases.desk_work import ClaimNext

        return ClaimNext(self.tickets, self.work_lists, self.clock)

    @cached_property
    def change_desk_state(self) -> ChangeDeskState:
        from chalicelib.usecases.desk_work import ChangeDeskState

        return ChangeDeskState(self.tickets, self.clock, announce=self.announce_desk_change)

    @cached_property
    def address_claim_check(self) -> ClaimCheckAddresser:
        from chalicelib.usecases.pipeline_stage import ClaimCheckAddresser

        return ClaimCheckAddresser(self.settings.queue_name)

    @cached_property
    def run_stage(self) -> RunStage:
        from chalicelib.usecases.pipeline_stage import RunStage

        return RunStage(self.tickets, self.sweep_index, self.publisher, self.address_claim_check, self.clock)

    @cached_property
    def sweep(self) -> Sweep:
        from chalicelib.usecases.sweep import Sweep

        return Sweep(
            self.tickets,
            self.sweep_index,
            self.publisher,
            self.address_claim_check,
            self.clock,
            self.settings.sweep_after_seconds,
            self.settings.sweep_max_attempts,
            translation_configured=bool(self.translators),
            on_arrival=self.acknowledge,
        )

    @cached_property
    def escalate_due(self) -> EscalateDue:
        from chalicelib.usecases.escalate import EscalateDue

        return EscalateDue(
            self.tickets,
            self.escalation_index,
            self.publisher,
            self.settings.queue_name,
            self.clock,
            on_escalated=self.count_escalations,
        )

    @cached_property
    def retranslate_ticket(self) -> RetranslateTicket:
        from chalicelib.usecases.later_translations import RetranslateTicket

        return RetranslateTicket(
            self.tickets, self.text_translator, self.settings.pivot_language, self.clock, self.count_translation
        )

    @cached_property
    def translate_message(self) -> TranslateMessage:
        from chalicelib.usecases.later_translations import TranslateMessage

        return TranslateMessage(
            self.tickets,
            self.messages,
            self.detector,
            self.text_translator,
            self.count_translation,
            on_translated=self.announce_reply,
            desks_read=self.settings.desk_languages,
        )

    # --- support metrics -------------------------------------------------------------------

    @cached_property
    def support_metrics(self) -> SupportMetrics:
        from chalicelib.adapters.dynamodb.support_metrics import DynamoDBSupportMetrics

        return self._built("support_metrics", lambda: DynamoDBSupportMetrics(self.settings.table_name))

    @cached_property
    def read_support_metrics(self) -> ReadSupportMetrics:
        from chalicelib.usecases.support_metrics import ReadSupportMetrics

        return ReadSupportMetrics(self.support_metrics)

    @staticmethod
    def emit_support_metrics(changes: Sequence[CounterChange]) -> None:
        from chalicelib.adapters.metrics import emit_support_metrics

        emit_support_metrics(changes)


_current: Dependencies | None = None


def dependencies() -> Dependencies:
    global _current
    if _current is None:
        settings = get_settings()
        if settings.movable_clock:
            from chalicelib.domain.clock import movable_clock

            _current = Dependencies(settings=settings, clock=movable_clock)
        else:
            _current = Dependencies(settings=settings)
    return _current


def override_dependencies(**overrides: Any) -> Dependencies:
    """Replace parts of the graph: settings=..., clock=..., tickets=..., publisher=..., etc."""
    global _current
    base = dependencies()
    settings = overrides.pop("settings", base.settings)
    clock = overrides.pop("clock", base.clock)
    # cached_property values live in __dict__; replace() copies fields only, so they rebuild.
    _current = replace(base, settings=settings, clock=clock, overrides={**base.overrides, **overrides})
    return _current


def reset_dependencies() -> None:
    global _current
    get_settings.cache_clear()
    _current = None
