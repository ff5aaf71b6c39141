"""GET /dev/outbox: the e-mails the local stack "sent" through its embedded moto SES, newest
first. Registered only with MOVABLE_CLOCK on (the local stage), like /dev/clock; deployed
stages never have it, and moto is imported only when it is called."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.http import HttpError, json_response

dev_outbox_api = Blueprint(__name__)
OUTBOX_LIMIT = 50


@dev_outbox_api.route("/dev/outbox", methods=["GET"])
def read_outbox() -> Response:
    to = (dev_outbox_api.current_request.query_params or {}).get("to")
    mails = [mail for mail in _sent_mails() if to is None or to in mail["to"]]
    return json_response(200, {"emails": mails[:OUTBOX_LIMIT], "count": len(mails)})


def _sent_mails() -> list[dict[str, Any]]:
    try:
        from moto.ses.models import ses_backends
    except ImportError:
        raise HttpError(404, "not_found", "the outbox exists on the local stack only") from None
    mails: list[dict[str, Any]] = []
    for account in ses_backends.values():
        for backend in account.values():
            for message in backend.sent_messages:
                destinations = getattr(message, "destinations", {}) or {}
                mails.append(
                    {
                        "message_id": getattr(message, "id", None),
                        "from": getattr(message, "source", None),
                        "to": [address for addresses in destinations.values() for address in addresses],
                        "subject": getattr(message, "subject", None),
                        "body": getattr(message, "body", None),
                    }
                )
    return list(reversed(mails))
