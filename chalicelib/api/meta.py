"""Service routes: health and the OpenAPI document."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api import contract
from chalicelib.api.http import json_response
from chalicelib.composition_root import dependencies

meta_api = Blueprint(__name__)


@meta_api.route("/health", methods=["GET"])
def health() -> Response:
    settings = dependencies().settings
    return json_response(
        200, contract.Health(status="ok", stage=settings.stage, pivot_language=settings.pivot_language).dump()
    )


@meta_api.route("/openapi.json", methods=["GET"])
def openapi() -> Response:
    from chalicelib.api.openapi import openapi_document  # every model: loaded when the document is asked for

    # The local stage (MOVABLE_CLOCK) also documents its /dev/clock.
    return json_response(200, openapi_document(local_routes=dependencies().settings.movable_clock))
