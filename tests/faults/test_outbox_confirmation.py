"""Found by the fault harness (bench/fault_harness.py): one failed desk confirmation in a route
batch must not leave the other tickets of the batch unconfirmed (each would reach its desk twice).

The route worker sends the batch's desk messages, then confirms each ticket in the sweep index
(`SweepIndex.mark_notified`). Architecture rule 4 allows a duplicate desk message for a ticket
whose confirmation did not happen; it must stay that ticket's alone.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from botocore.exceptions import ClientError

from chalicelib import aws_resource_names
from chalicelib.composition_root import dependencies, override_dependencies
from tests.pipeline.conftest import (
    SelectivelyFailingPublisher,
    all_desk_messages,
    create_ticket,
    move_clock_past_sweep_window,
    restore_real_publisher,
)

PORTUGUESE = {
    "description": "Meu pagamento foi recusado duas vezes e mesmo assim o valor foi descontado da minha conta.",
    "category": "payment.charged_twice",
    "requester": {"country": "BR"},
}


class FirstConfirmationFails:
    """The sweep index, whose first `mark_notified` fails as DynamoDB would after botocore's retries."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.failed: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def mark_notified(self, ticket_id: str, *args: Any, **kwargs: Any) -> None:
        if not self.failed:
            self.failed.append(ticket_id)
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "throttled"}}, "UpdateItem"
            )
        self._real.mark_notified(ticket_id, *args, **kwargs)


def test_one_failed_confirmation_duplicates_at_most_that_tickets_desk_message(api, pipeline):
    # Given three tickets that reach the route worker in one batch, and a sweep index whose
    # first desk confirmation fails
    created = [create_ticket(api, PORTUGUESE)["ticket_id"] for _ in range(3)]
    flaky = FirstConfirmationFails(dependencies().sweep_index)
    override_dependencies(sweep_index=flaky)

    # When the pipeline runs, and the sweeper runs once the tickets have rested long enough
    pipeline.drain()
    move_clock_past_sweep_window()
    dependencies().sweep()

    # Then every ticket reached its desk, and only the unconfirmed one may have reached it twice
    deliveries = Counter(message["ticket_id"] for message in all_desk_messages(pipeline)["latam"])
    assert set(deliveries) == set(created)
    twice = {ticket_id for ticket_id, copies in deliveries.items() if copies > 1}
    assert twice <= set(flaky.failed), f"desk messages sent twice: {dict(deliveries)}; failed: {flaky.failed}"


def test_a_failed_confirmation_in_a_sweep_re_sends_only_that_ticket_later(api, pipeline):
    # Given three routed tickets whose desk messages were lost (the route worker's send failed)
    created = [create_ticket(api, PORTUGUESE)["ticket_id"] for _ in range(3)]
    override_dependencies(publisher=SelectivelyFailingPublisher(aws_resource_names.desk_role("latam")))
    pipeline.drain()
    restore_real_publisher()

    # When the sweeper re-sends them and its first desk confirmation fails, and it runs again later
    flaky = FirstConfirmationFails(dependencies().sweep_index)
    override_dependencies(sweep_index=flaky)
    move_clock_past_sweep_window()
    dependencies().sweep()
    move_clock_past_sweep_window(windows=2)
    dependencies().sweep()

    # Then every ticket reached its desk, and only the unconfirmed one may have reached it twice
    deliveries = Counter(message["ticket_id"] for message in all_desk_messages(pipeline)["latam"])
    assert set(deliveries) == set(created)
    twice = {ticket_id for ticket_id, copies in deliveries.items() if copies > 1}
    assert twice <= set(flaky.failed), f"desk messages sent twice: {dict(deliveries)}; failed: {flaky.failed}"
