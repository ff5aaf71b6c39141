"""The composition root's part for the operator's tools: the workers' failure log, the
dead-letter queues and the parked tickets (`python -m chalicelib.cli dlq | stuck`). A mixin of
`Dependencies` (composition_root.py)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.composition_root import Dependencies
    from chalicelib.domain.dead_letters import DeadLetterQueues, FailureLog, ParkedTickets, QueuePair
    from chalicelib.usecases.dead_letters import DeadLetterDesk
    from chalicelib.usecases.stuck_tickets import StuckTickets


class Operations:
    @cached_property
    def failure_log(self: Dependencies) -> FailureLog:
        from chalicelib.adapters.dead_letters import DynamoDBFailureLog

        return self._built("failure_log", lambda: DynamoDBFailureLog(self.settings.table_name))

    @cached_property
    def parked_tickets(self: Dependencies) -> ParkedTickets:
        from chalicelib.adapters.dynamodb.parked_tickets import DynamoDBParkedTickets

        return self._built("parked_tickets", lambda: DynamoDBParkedTickets(self.settings.table_name))

    @cached_property
    def dead_letter_queues(self: Dependencies) -> DeadLetterQueues:
        from chalicelib.adapters.dead_letters import SqsDeadLetterQueues

        return self._built("dead_letter_queues", SqsDeadLetterQueues)

    def dead_letter_desk(self: Dependencies, pairs: Sequence[QueuePair]) -> DeadLetterDesk:
        """`pairs`: the stage's queues and their DLQs, as infra/ defines them (the CLI reads them)."""
        from chalicelib.usecases.dead_letters import DeadLetterDesk

        return DeadLetterDesk(self.dead_letter_queues, self.failure_log, tuple(pairs))

    @cached_property
    def stuck_tickets(self: Dependencies) -> StuckTickets:
        from chalicelib.usecases.stuck_tickets import StuckTickets

        return StuckTickets(self.parked_tickets, self.failure_log)
