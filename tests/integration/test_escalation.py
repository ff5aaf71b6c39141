"""The escalation worker: tickets move up (agent -> team lead -> region manager) on the SLA clock.

Every moment is read off the ticket's own SLA clock (business hours, pauses), never wall time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib import aws_resource_names
from chalicelib.adapters.aws import client
from chalicelib.adapters.dynamodb.items import ticket_key
from chalicelib.adapters.dynamodb.tickets import DynamoDBTickets
from chalicelib.composition_root import Dependencies, dependencies, override_dependencies
from chalicelib.domain import desk, sla_policy
from chalicelib.domain.sla import SlaClock
from chalicelib.domain.sla_targets import SlaTarget
from chalicelib.domain.ticket import DeskState, Ticket
from tests.integration.builders import STAGE, T0, drain, received_ticket, routed
from tests.unit.sla_builders import business_hours_policy

NEW_YORK = ZoneInfo("America/New_York")
MINUTE = timedelta(minutes=1)


@pytest.fixture
def deps(aws: None) -> Dependencies:
    return dependencies()


def escalate_at(moment: datetime) -> dict[str, int]:
    """Run the escalation worker with the clock reading `moment`."""
    return override_dependencies(clock=lambda: moment).escalate_due()


def escalation_queue(region: str) -> str:
    return aws_resource_names.queue_name(STAGE, aws_resource_names.escalation_role(region))


def on_the_desk(deps: Dependencies, created: datetime = T0, region: str = "latam", priority: str = "normal") -> Ticket:
    """A ticket routed to `region`'s desk with `priority`, open, nobody has it yet."""
    ticket = routed(received_ticket(created), created, region=region, priority=priority)
    deps.tickets.create(ticket)
    return ticket


def clock_of(ticket: Ticket) -> SlaClock:
    return desk.sla_clock(ticket)


def stored(deps: Dependencies, ticket: Ticket) -> Ticket:
    found = deps.tickets.get(ticket.ticket_id)
    assert found is not None
    return found


def index_keys(ticket: Ticket) -> dict[str, Any]:
    item = client("dynamodb").get_item(
        TableName=aws_resource_names.table_name(STAGE), Key=ticket_key(ticket.ticket_id)
    )["Item"]
    return {name: item[name]["S"] for name in ("gsi3pk", "gsi3sk") if name in item}


def escalation_events(ticket: Ticket) -> list[dict[str, str]]:
    return [event for event in ticket.history if event.get("by") == desk.ESCALATION]


def escalated_message(ticket: Ticket, level: str) -> dict[str, Any]:
    return {
        "type": "ticket.escalated",
        "v": 1,
        "ticket_id": ticket.ticket_id,
        "correlation_id": ticket.correlation_id,
        "level": level,
    }


def test_a_ticket_at_80_percent_of_its_first_response_time_goes_to_the_team_lead(deps: Dependencies):
    # Given a normal-priority ticket on the latam desk
    ticket = on_the_desk(deps)
    warning = clock_of(ticket).warning_at(SlaTarget.FIRST_RESPONSE)
    assert warning is not None

    # When the worker runs a minute before 80% of its first-response time has run
    early = escalate_at(warning - MINUTE)

    # Then nothing happens yet
    assert early == {"escalated": 0, "skipped": 0, "unsent": 0}
    assert stored(deps, ticket).version == ticket.version

    # When it runs at the 80% moment
    counts = escalate_at(warning)

    # Then the team lead has it: level recorded, priority one step up, an audit event
    assert counts == {"escalated": 1, "skipped": 0, "unsent": 0}
    after = stored(deps, ticket)
    assert after.desk is not None and after.routing is not None and ticket.routing is not None
    assert after.desk.escalation == "team_lead"
    assert (after.routing.priority, after.routing.promised_priority) == ("high", "normal")
    assert after.version == ticket.version + 1
    [event] = escalation_events(after)
    assert (event["kind"], event["from"], event["to"]) == ("desk", "agent", "team_lead")
    assert event["note"].startswith(f"first response due {ticket.routing.sla.first_response_due}, 80% elapsed")
    # And the deadlines promised to the requester stay those of the original priority
    assert after.routing.sla == ticket.routing.sla
    # And its claim check is on the region's escalation queue, and only there
    assert drain(escalation_queue("latam")) == [escalated_message(ticket, "team_lead")]
    assert drain(escalation_queue("na")) == []


def test_past_the_deadline_it_goes_to_the_region_manager_and_leaves_the_index(deps: Dependencies):
    # Given a ticket the team lead already has
    ticket = on_the_desk(deps)
    clock = clock_of(ticket)
    assert clock.warning_at(SlaTarget.FIRST_RESPONSE) is not None and clock.first_response_due is not None
    escalate_at(clock.warning_at(SlaTarget.FIRST_RESPONSE))
    drain(escalation_queue("latam"))

    # When the worker runs just past the first-response deadline
    counts = escalate_at(clock.first_response_due + MINUTE)

    # Then the region manager has it and the priority rose again
    assert counts["escalated"] == 1
    after = stored(deps, ticket)
    assert after.desk is not None and after.routing is not None
    assert after.desk.escalation == "region_manager"
    assert after.routing.priority == "urgent"
    assert [(event["from"], event["to"]) for event in escalation_events(after)] == [
        ("agent", "team_lead"),
        ("team_lead", "region_manager"),
    ]
    assert drain(escalation_queue("latam")) == [escalated_message(ticket, "region_manager")]
    # And at the top level it leaves the escalation index: later runs never find it
    assert index_keys(after) == {}
    assert escalate_at(clock.first_response_due + timedelta(days=30))["escalated"] == 0


def test_a_ticket_found_late_jumps_straight_to_the_level_its_clock_has_reached(deps: Dependencies):
    # Given a ticket nobody escalated before its deadline passed (the worker was down)
    ticket = on_the_desk(deps)
    due = clock_of(ticket).first_response_due
    assert due is not None

    # When the worker runs after the deadline
    escalate_at(due + MINUTE)

    # Then it goes to the region manager at once, priority one step up, one event
    after = stored(deps, ticket)
    assert after.desk is not None and after.routing is not None
    assert after.desk.escalation == "region_manager" and after.routing.priority == "high"
    assert [(event["from"], event["to"]) for event in escalation_events(after)] == [("agent", "region_manager")]


def test_running_again_at_the_same_moment_changes_nothing(deps: Dependencies):
    # Given a ticket the worker just escalated
    ticket = on_the_desk(deps)
    warning = clock_of(ticket).warning_at(SlaTarget.FIRST_RESPONSE)
    assert warning is not None
    escalate_at(warning)
    once = stored(deps, ticket)
    drain(escalation_queue("latam"))

    # When it runs again at the same moment (a duplicate schedule), and again a minute later
    repeats = [escalate_at(warning), escalate_at(warning + MINUTE)]

    # Then nothing is written or sent
    assert [counts["escalated"] for counts in repeats] == [0, 0]
    assert stored(deps, ticket) == once
    assert drain(escalation_queue("latam")) == []


def test_a_ticket_waiting_on_the_requester_does_not_escalate(deps: Dependencies):
    # Given a ticket an agent parked waiting on the requester well before the warning
    ticket = on_the_desk(deps)
    claimed = desk.claim(ticket, "ana", T0 + MINUTE)
    deps.tickets.save_desk_change(ticket, claimed)
    waiting = desk.wait_on_requester(claimed, "ana", T0 + 2 * MINUTE)
    deps.tickets.save_desk_change(claimed, waiting)

    # When the worker runs long after the original deadline
    counts = escalate_at(T0 + timedelta(days=30))

    # Then the paused clock escalates nothing, and the ticket is not in the index at all
    assert counts["escalated"] == 0
    assert stored(deps, ticket).version == waiting.version
    assert index_keys(waiting) == {}
    assert drain(escalation_queue("latam")) == []


def test_a_requester_answer_puts_a_waiting_ticket_back_on_the_clock_and_in_the_index(deps: Dependencies):
    # Given a ticket that waited on the requester for a day and got the answer
    ticket = on_the_desk(deps)
    waiting = desk.wait_on_requester(ticket, "ana", T0 + MINUTE)
    deps.tickets.save_desk_change(ticket, waiting)
    answered = desk.on_requester_message(waiting, T0 + timedelta(days=1))
    assert answered is not None
    deps.tickets.save_desk_change(waiting, answered)

    # Then it is due again at its clock's warning, later by the pause
    warning = desk.sla_clock(answered).warning_at(SlaTarget.FIRST_RESPONSE)
    original = clock_of(ticket).warning_at(SlaTarget.FIRST_RESPONSE)
    assert warning is not None and original is not None and warning > original
    assert escalate_at(original)["escalated"] == 0
    assert escalate_at(warning)["escalated"] == 1


def test_a_resolved_ticket_leaves_the_index(deps: Dependencies):
    # Given a ticket in the escalation index
    ticket = on_the_desk(deps)
    assert index_keys(ticket)["gsi3pk"].startswith("ESCALATE#")

    # When an agent resolves it
    resolved = desk.resolve(ticket, "ana", T0 + MINUTE)
    deps.tickets.save_desk_change(ticket, resolved)

    # Then it is out of the index and never escalates
    assert index_keys(resolved) == {}
    assert escalate_at(T0 + timedelta(days=30))["escalated"] == 0
    assert stored(deps, ticket).desk == resolved.desk


def test_by_default_a_ticket_created_friday_evening_escalates_over_the_weekend(deps: Dependencies):
    # Given a normal ticket created on Friday 21:00 in New York, on the default calendar-time policy
    friday_evening = datetime(2027, 3, 5, 21, 0, tzinfo=NEW_YORK).astimezone(UTC)
    ticket = on_the_desk(deps, created=friday_evening, region="na")

    # Then its team lead hears of it when 80% of 48 hours of the requester's time has passed
    warning = friday_evening + timedelta(hours=48 * 0.8)
    assert clock_of(ticket).warning_at(SlaTarget.FIRST_RESPONSE) == warning
    assert escalate_at(warning - MINUTE)["escalated"] == 0
    assert escalate_at(warning)["escalated"] == 1
    assert drain(escalation_queue("na")) == [escalated_message(ticket, "team_lead")]


def test_on_business_hours_a_ticket_created_friday_evening_does_not_escalate_over_the_weekend(
    deps: Dependencies, monkeypatch: pytest.MonkeyPatch
):
    # Given NA on business hours for normal priority (the policy's per-region option)
    policies = {**sla_policy.region_policies(), "na": business_hours_policy("na", ("normal",))}
    monkeypatch.setattr(sla_policy, "region_policies", lambda: policies)
    # And a normal ticket created on Friday 21:00 in New York, after the desk closed
    friday_evening = datetime(2027, 3, 5, 21, 0, tzinfo=NEW_YORK).astimezone(UTC)
    ticket = on_the_desk(deps, created=friday_evening, region="na")
    warning = clock_of(ticket).warning_at(SlaTarget.FIRST_RESPONSE)
    assert warning is not None

    # When the worker runs through the weekend, including when 80% of 48 wall-clock hours has passed
    weekend = [
        datetime(2027, 3, 6, 12, 0, tzinfo=NEW_YORK),
        friday_evening + timedelta(hours=48 * 0.8),
        datetime(2027, 3, 7, 23, 59, tzinfo=NEW_YORK),
        datetime(2027, 3, 8, 7, 59, tzinfo=NEW_YORK),
    ]
    counts = [escalate_at(moment) for moment in weekend]

    # Then nothing escalates: no business hour has run yet
    assert [run["escalated"] for run in counts] == [0, 0, 0, 0]
    assert drain(escalation_queue("na")) == []
    # And it escalates at 80% of 48 business hours, on a weekday, during opening hours
    local = warning.astimezone(NEW_YORK)
    assert local.weekday() < 5 and 8 <= local.hour < 20
    assert escalate_at(warning - MINUTE)["escalated"] == 0
    assert escalate_at(warning)["escalated"] == 1
    assert drain(escalation_queue("na")) == [escalated_message(ticket, "team_lead")]


class AgentWinsTheRace(DynamoDBTickets):
    """Between the worker's read and its write, an agent claims each ticket it read."""

    def get_many(self, ticket_ids: Sequence[str]) -> dict[str, Ticket]:
        found = super().get_many(ticket_ids)
        for ticket in found.values():
            self.save_desk_change(ticket, desk.claim(ticket, "ana", T0 + MINUTE))
        return found


def test_a_lost_conditional_write_is_skipped_and_the_next_run_escalates(deps: Dependencies):
    # Given a ticket at its warning, and an agent who claims it while the worker runs
    ticket = on_the_desk(deps)
    warning = clock_of(ticket).warning_at(SlaTarget.FIRST_RESPONSE)
    assert warning is not None
    override_dependencies(tickets=AgentWinsTheRace(deps.settings.table_name))

    # When the worker runs
    counts = escalate_at(warning)

    # Then its write loses to the agent's: skipped, nothing sent, the claim stands
    assert counts == {"escalated": 0, "skipped": 1, "unsent": 0}
    assert drain(escalation_queue("latam")) == []
    override_dependencies(tickets=DynamoDBTickets(deps.settings.table_name))
    claimed = stored(deps, ticket)
    assert claimed.desk is not None and claimed.desk.state is DeskState.CLAIMED and claimed.desk.escalation is None

    # And the next run escalates the claimed ticket
    assert escalate_at(warning + MINUTE)["escalated"] == 1
    after = stored(deps, ticket)
    assert after.desk is not None and after.desk.escalation == "team_lead" and after.desk.assignee == "ana"
