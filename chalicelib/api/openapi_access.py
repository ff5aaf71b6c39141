"""The requester's token rotation: its row of /openapi.json's route table (api/openapi.py adds
it to its own)."""

from __future__ import annotations

from chalicelib.api.contract.access import AccessTokenRotated
from chalicelib.api.openapi_rows import Answer, Operation, Parameter, refused

ROTATION_HOWTO = (
    "Send the current access token (not a notification link's token); the answer holds a new one, "
    "shown once, and the old one stops opening the ticket at once. A requester's token stops "
    "working REQUESTER_TOKEN_DAYS_AFTER_RESOLUTION days (30 by default) after the ticket is "
    "resolved, and works again if it is reopened."
)


def access_operations(ticket_id: Parameter) -> tuple[Operation, ...]:
    return (
        Operation(
            "post",
            "/tickets/{ticket_id}/access-token",
            "rotateAccessToken",
            "The requester swaps their access token for a new one",
            {
                "201": Answer("The new token; the one sent no longer works", AccessTokenRotated),
                "404": refused("Unknown ticket, or a missing, wrong, expired, link or agent token (the same answer)"),
                "409": refused("conflict: rotated by another request meanwhile; nothing changed"),
            },
            security=("accessToken",),
            parameters=(ticket_id,),
            throttled=True,
            extra={"description": ROTATION_HOWTO},
        ),
    )
