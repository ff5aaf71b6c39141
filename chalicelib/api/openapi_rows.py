"""The rows of /openapi.json's route table, and the answers every row gets from what it is.

A row lists what its route decides (201, 404, 409...). What API Gateway and Chalice answer before
the route runs, and what every body reader answers, follows from the row's shape, so no row
writes it by hand and none can forget it (`implied_answers`):

| the row                                  | implied answers                                     |
|------------------------------------------|-----------------------------------------------------|
| every route                              | 415 (Chalice: a Content-Type the route does not take)|
| reads a JSON body (`request`, or `body`) | 400 (not JSON, not the schema), 413 (over 64 KiB)   |
| behind the agent authorizer              | 401 (no Authorization), 403 (the authorizer denies) |
| `throttled=True`                         | 429 with Retry-After                                |

Where a row lists the same status itself, its words lead; when the bodies differ (an agent
route's own 403 beside the authorizer's), the answer documents either body.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from chalicelib.api.contract import Error
from chalicelib.api.contract.gateway import FrameworkError, GatewayError

AUTHORIZER_SCHEME = "agentToken"  # the security scheme API Gateway's authorizer checks


@dataclass(frozen=True)
class Answer:
    description: str
    model: type[BaseModel] | tuple[type[BaseModel], ...] | None = None  # None: no body worth a schema
    headers: Mapping[str, Any] = field(default_factory=dict)  # name -> OpenAPI header object

    @property
    def models(self) -> tuple[type[BaseModel], ...]:
        if self.model is None:
            return ()
        return self.model if isinstance(self.model, tuple) else (self.model,)

    def beside(self, implied: Answer) -> Answer:
        """This (a row's own) answer, also documenting the body of the same status implied."""
        extra = tuple(model for model in implied.models if model not in self.models)
        if not extra:
            return Answer(self.description, self.model, {**implied.headers, **self.headers})
        models = (*self.models, *extra)
        return Answer(
            f"{self.description}; or {implied.description[0].lower()}{implied.description[1:]}",
            models if len(models) > 1 else models[0],
            {**implied.headers, **self.headers},
        )


@dataclass(frozen=True)
class Parameter:
    name: str
    location: Literal["path", "query", "header"]
    type_: Any  # documented through pydantic, like the models
    required: bool = False
    description: str | None = None
    default: str | None = None
    blank_is_default: bool = False  # `?name=` is taken as the parameter left out


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    answers: Mapping[str, Answer]
    request: type[BaseModel] | None = None
    request_required: bool = True
    security: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    local_only: bool = False  # /dev/clock exists only where MOVABLE_CLOCK is on
    extra: Mapping[str, Any] = field(default_factory=dict)
    body: bool | None = None  # reads a JSON body; None: when it has a `request` model
    throttled: bool = False  # rate limited: may answer 429 with Retry-After
    ignores_non_objects: bool = False  # a body that is not a JSON object is read as no body

    @property
    def reads_body(self) -> bool:
        return self.request is not None if self.body is None else self.body

    @property
    def behind_authorizer(self) -> bool:
        """Only an agent token opens it: API Gateway's authorizer runs before the route."""
        return self.security == (AUTHORIZER_SCHEME,)

    @property
    def all_answers(self) -> dict[str, Answer]:
        """The row's own answers with those its shape implies, by status."""
        merged = {status: answer for status, answer in implied_answers(self).items()}
        for status, answer in self.answers.items():
            merged[status] = answer.beside(merged[status]) if status in merged else answer
        return dict(sorted(merged.items()))


def refused(description: str) -> Answer:
    return Answer(description, Error)


NO_AGENT = Answer("No Authorization header (API Gateway's authorizer answers)", GatewayError)
NOT_AN_AGENT = Answer(
    "A token that is not a valid agent token, e.g. a requester's (the authorizer denies it)", GatewayError
)
TOO_LARGE = refused("Body over 64 KiB; nothing was stored")
BAD_BODY = refused("A body that is not JSON (or not UTF-8), or does not match the schema; nothing changed")
UNSUPPORTED_MEDIA_TYPE = Answer(
    "A Content-Type this route does not take (Chalice answers before the route runs)", FrameworkError
)
THROTTLED = Answer(
    "Too many requests from this caller; nothing was stored. Retry after Retry-After seconds",
    Error,
    {"Retry-After": {"description": "Seconds to wait", "required": True, "schema": {"type": "integer", "minimum": 0}}},
)


def implied_answers(operation: Operation) -> dict[str, Answer]:
    """What a route answers before (or besides) its own logic, from the row's shape."""
    implied = {"415": UNSUPPORTED_MEDIA_TYPE}
    if operation.reads_body:
        implied |= {"400": BAD_BODY, "413": TOO_LARGE}
    if operation.behind_authorizer:
        implied |= {"401": NO_AGENT, "403": NOT_AN_AGENT}
    if operation.throttled:
        implied["429"] = THROTTLED
    return implied
