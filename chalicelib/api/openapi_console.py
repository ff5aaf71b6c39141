"""The agent console's rows of /openapi.json's route table (api/openapi.py adds them to its own).

Built by a function that openapi.py calls once its own types exist, so neither module needs the
other at import time (as in openapi_incidents.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.contract.preview import ReplyPreview
from chalicelib.api.contract.requests import NewMessage

if TYPE_CHECKING:
    from chalicelib.api.openapi import Operation


def console_operations() -> tuple[Operation, ...]:
    from chalicelib.api.openapi import TICKET_ID, Answer, Operation, refused

    return (
        Operation(
            "post",
            "/tickets/{ticket_id}/replies/preview",
            "previewAgentReply",
            "What the requester would read if this reply were sent now: the same detection, masking, "
            "glossary, translation cache and provider chain as a real reply; nothing is stored",
            {
                "200": Answer("The draft's language and its translation for the requester", ReplyPreview),
                "400": refused("Invalid body"),
                "404": refused("Unknown ticket, a ticket of another region, or one not on a desk yet"),
            },
            request=NewMessage,
            security=("agentToken",),
            parameters=(TICKET_ID,),
        ),
    )
