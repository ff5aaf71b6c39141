"""What only the DynamoDB store can show: how its items look to an operator, and items written
by older code. (The behaviour both stores share is tested in tests/contract/.)"""

from __future__ import annotations

import pytest

from chalicelib import aws_resource_names
from chalicelib.adapters.aws import client
from chalicelib.adapters.dynamodb.items import ticket_key
from chalicelib.composition_root import Dependencies
from chalicelib.domain import desk
from chalicelib.domain.ticket import DeskState, Status
from chalicelib.settings import get_settings
from tests.integration.builders import STAGE, T0, detected, received_ticket, routed, seconds, translated


@pytest.fixture
def store(aws: None) -> Dependencies:
    return Dependencies(get_settings())


def test_a_ticket_given_up_by_the_sweeper_is_parked_where_an_operator_finds_it(store: Dependencies):
    # Given a stuck detected ticket the sweeper gives up on
    ticket = detected(received_ticket(T0), T0)
    store.tickets.create(ticket)
    [stuck] = store.sweep_index.stuck(Status.DETECTED, T0 + seconds(60), 200)
    store.sweep_index.record_sweep(stuck, T0 + seconds(60), give_up=True)

    # Then its index entry sits in the STUCK partition of its kind
    item = client("dynamodb").get_item(
        TableName=aws_resource_names.table_name(STAGE), Key=ticket_key(ticket.ticket_id)
    )["Item"]
    assert item["gsi2pk"]["S"] == "STUCK#detected"


def test_a_ticket_routed_before_the_desk_existed_can_be_claimed(store: Dependencies):
    # Given a routed ticket stored without a desk attribute (written before the desk existed)
    ticket = routed(translated(detected(received_ticket(), T0), T0), T0, "emea")
    store.tickets.create(ticket)
    client("dynamodb").update_item(
        TableName=aws_resource_names.table_name(STAGE), Key=ticket_key(ticket.ticket_id), UpdateExpression="REMOVE desk"
    )
    legacy = store.tickets.get(ticket.ticket_id)
    assert legacy is not None and legacy.desk is not None and legacy.desk.state is DeskState.OPEN

    # When an agent claims it, then it is theirs
    store.tickets.save_desk_change(legacy, desk.claim(legacy, "ana", T0))
    claimed = store.tickets.get(ticket.ticket_id)
    assert claimed is not None and claimed.desk is not None and claimed.desk.assignee == "ana"
