"""GET/POST /dev/clock: move the local stage's clock forward. Registered only when
MOVABLE_CLOCK is on (the local stage); deployed stages never have the route."""

from __future__ import annotations

from datetime import timedelta

from chalice import Blueprint, Response

from chalicelib.api import contract
from chalicelib.api.http import HttpError, answers_errors, json_response, read_json_body
from chalicelib.domain.clock import movable_clock
from chalicelib.domain.ticket import parse_iso

dev_clock_api = Blueprint(__name__)


@dev_clock_api.route("/dev/clock", methods=["GET"])
def read_clock() -> Response:
    return json_response(200, _state())


@dev_clock_api.route("/dev/clock", methods=["POST"], content_types=["application/json", "text/plain"])
@answers_errors
def move_clock() -> Response:
    """{"advance_seconds": 3600}, {"advance_hours": 20}, {"to": "2026-12-01T09:00:00Z"} or {"reset": true}."""
    body = read_json_body(dev_clock_api.current_request)
    if not isinstance(body, dict) or len(body) != 1:
        raise HttpError(400, "invalid_body", "send one of advance_seconds, advance_hours, to, reset")
    ((name, value),) = body.items()
    try:
        if name == "advance_seconds":
            movable_clock.advance(timedelta(seconds=float(value)))
        elif name == "advance_hours":
            movable_clock.advance(timedelta(hours=float(value)))
        elif name == "to":
            movable_clock.move_to(parse_iso(str(value)))
        elif name == "reset" and value is True:
            movable_clock.reset()
        else:
            raise HttpError(
                400, "invalid_body", "send one of advance_seconds, advance_hours, to, reset", contract.printable(name)
            )
    except (TypeError, ValueError, OverflowError) as error:
        raise HttpError(400, "invalid_value", contract.printable(str(error)), contract.printable(name)) from None
    return json_response(200, _state())


def _state() -> dict[str, object]:
    return contract.ClockState.of(movable_clock(), movable_clock.offset).dump()
