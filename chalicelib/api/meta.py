"""Service routes: health and the OpenAPI document."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import json_response
from chalicelib.api.openapi import openapi_document
from chalicelib.services import get_services

meta_api = Blueprint(__name__)


@meta_api.route("/health", methods=["GET"])
def health() -> Response:
    settings = get_services().settings
    return json_response(200, {"status": "ok", "stage": settings.stage, "pivot_language": settings.pivot_language})


@meta_api.route("/openapi.json", methods=["GET"])
def openapi() -> Response:
    return json_response(200, openapi_document())
