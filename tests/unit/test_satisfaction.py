"""Satisfaction surveys as pure rules: one per resolution, a reopen cancels it, the link's
token opens only that survey."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import desk
from chalicelib.domain.satisfaction import (
    AlreadyAnswered,
    SurveyStatus,
    answered,
    current_resolution,
    schedule_survey,
    still_holds,
    survey_token,
    survey_token_matches,
)
from tests.integration.builders import T0, received_ticket, routed


def resolved_ticket(times: int = 1):
    ticket = routed(received_ticket(), T0)
    for round_ in range(times):
        if round_:
            ticket = desk.reopen(ticket, "requester", T0 + timedelta(hours=round_))
        ticket = desk.resolve(ticket, "ana", T0 + timedelta(hours=round_, minutes=30))
    return ticket


def test_each_resolution_has_its_own_survey_due_after_the_delay():
    first, second = resolved_ticket(1), resolved_ticket(2)
    assert current_resolution(first) == 1 and current_resolution(second) == 2
    survey = schedule_survey(second, T0, timedelta(hours=24))
    assert survey.resolution == 2 and survey.status is SurveyStatus.SCHEDULED
    assert survey.due_at == "2030-01-03T03:04:05.000Z"


def test_a_reopened_ticket_has_nothing_to_rate_and_its_survey_no_longer_holds():
    ticket = resolved_ticket()
    survey = schedule_survey(ticket, T0, timedelta(hours=24))
    reopened = desk.reopen(ticket, "requester", T0 + timedelta(hours=2))
    assert current_resolution(reopened) is None
    assert still_holds(survey, ticket) and not still_holds(survey, reopened)


def test_a_survey_is_answered_once():
    survey = answered(schedule_survey(resolved_ticket(), T0, timedelta(0)), 5, None, T0)
    assert survey.rating == 5 and survey.status is SurveyStatus.ANSWERED
    with pytest.raises(AlreadyAnswered):
        answered(survey, 1, None, T0)


def test_the_survey_token_opens_one_resolution_of_one_ticket():
    token = survey_token("key", "T1", 1)
    assert survey_token_matches("key", "T1", 1, token)
    assert not survey_token_matches("key", "T1", 2, token)
    assert not survey_token_matches("key", "T2", 1, token)
    assert not survey_token_matches("other key", "T1", 1, token)
