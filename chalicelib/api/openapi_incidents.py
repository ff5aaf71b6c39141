"""The incident desk's rows of /openapi.json's route table (api/openapi.py adds them to its own).

Kept apart so the route table stays readable; built by a function that openapi.py calls once its
own types exist, so neither module needs the other at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from chalicelib.api.contract.incidents import (
    CandidateList,
    IncidentCreated,
    IncidentList,
    IncidentListing,
    IncidentView,
    NewIncident,
    NewIncidentUpdate,
    TicketIds,
    TicketsLinked,
    TicketsUnlinked,
    UpdateAccepted,
)

if TYPE_CHECKING:
    from chalicelib.api.openapi import Answer, Operation, Parameter


def incident_operations() -> tuple[Operation, ...]:
    return (*_writing(), *_reading())


def _agents(
    method: str,
    path: str,
    operation_id: str,
    summary: str,
    answers: dict[str, Answer],
    request: type[BaseModel] | None = None,
    query: tuple[Parameter, ...] = (),
) -> Operation:
    """An agent route: the token gate's answers, and the incident id when the path has one."""
    from chalicelib.api.openapi import Operation, Parameter

    with_id = (Parameter("incident_id", "path", str, required=True),) if "{incident_id}" in path else ()
    return Operation(
        method,
        path,
        operation_id,
        summary,
        answers,
        request=request,
        security=("agentToken",),
        parameters=(*with_id, *query),
    )


def _unknown() -> Answer:
    from chalicelib.api.openapi import refused

    return refused("Unknown incident, or one of regions the agent does not work (the same answer)")


def _writing() -> tuple[Operation, ...]:
    from chalicelib.api.openapi import Answer, refused

    bad_body = refused("Invalid body; nothing changed")
    linking = {"400": bad_body, "404": _unknown()}
    return (
        _agents(
            "post",
            "/incidents",
            "openIncident",
            "Open an incident (LIVE down in a region...) for regions the agent works; without regions, "
            "for every region (global agents only)",
            {
                "201": Answer("Opened, investigating", IncidentCreated),
                "400": bad_body,
                "403": refused("Regions the agent does not work"),
            },
            request=NewIncident,
        ),
        _agents(
            "post",
            "/incidents/{incident_id}/tickets",
            "linkTickets",
            "Link tickets that report the incident (1-500 ids); linking twice is a no-op. Tickets linked "
            "to a resolved incident get its final update at once",
            {"200": Answer("How many were newly linked, and which were skipped, why", TicketsLinked), **linking},
            request=TicketIds,
        ),
        _agents(
            "delete",
            "/incidents/{incident_id}/tickets",
            "unlinkTickets",
            "Unlink tickets from the incident: they get no more of its updates",
            {"200": Answer("How many were unlinked", TicketsUnlinked), **linking},
            request=TicketIds,
        ),
        _agents(
            "post",
            "/incidents/{incident_id}/updates",
            "postIncidentUpdate",
            "Post a status update: every linked requester is told in their language (a message and a "
            "notification); resolved also resolves the linked tickets still open, claimed or waiting",
            {
                "202": Answer("Stored; the linked requesters are told asynchronously", UpdateAccepted),
                "400": bad_body,
                "404": _unknown(),
                "409": refused("too_many_updates: the incident is full (open a new one)"),
                "503": refused("not_queued: stored, but not announced; post the same update again"),
            },
            request=NewIncidentUpdate,
        ),
    )


def _reading() -> tuple[Operation, ...]:
    from chalicelib.api.openapi import Answer, Parameter, refused

    return (
        _agents(
            "get",
            "/incidents",
            "listIncidents",
            "Incidents of the agent's regions (all for a global agent), newest first",
            {"200": Answer("Up to 100 incidents", IncidentList), "400": refused("Unknown status")},
            query=(Parameter("status", "query", IncidentListing, default="open"),),
        ),
        _agents(
            "get",
            "/incidents/{incident_id}",
            "readIncident",
            "An incident with its updates and the number of linked tickets",
            {"200": Answer("The incident", IncidentView), "404": _unknown()},
        ),
        _agents(
            "get",
            "/incidents/{incident_id}/candidates",
            "incidentCandidates",
            "Open, claimed and waiting tickets of the incident's regions and categories, written since it "
            "began and not linked yet, most alike first (compared in the pivot language, so reports in "
            "every language rank together)",
            {"200": Answer("Up to 100 candidates", CandidateList), "404": _unknown()},
        ),
    )
