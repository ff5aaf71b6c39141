"""What every contract model shares: the two base classes, timestamps, and enums documented
from data without refusing an answer over them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema
from pydantic_core import CoreSchema

# "2030-01-02T03:04:05.000Z", as the domain writes them (`ticket.iso`): kept as text, so an
# answer repeats the stored value byte for byte.
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


def one_of(values: Iterable[str], description: str | None = None) -> Any:
    """A string documented as one of `values` (categories, regions, languages: lists that come
    from data). Answers are not checked against the list: a value the data gained later is
    served, never turned into a 500."""
    extra: dict[str, Any] = {"enum": list(values)}
    return Annotated[str, Field(description=description, json_schema_extra=extra)]


class RequestModel(BaseModel):
    """A request body: strict (a number where text is expected is refused, never converted),
    unknown fields refused. Validation errors become the contract's 400 (errors.py)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)


class ViewModel(BaseModel):
    """An answer, built from domain objects by a classmethod `of(...)` and written by `dump()`:
    keys in field order, nulls kept, fields left MISSING omitted."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_by_name=True, serialize_by_alias=True, defer_build=True
    )

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class SchemaGenerator(GenerateJsonSchema):
    """pydantic's JSON Schema without a title on every property ("Ticket Id" beside "ticket_id"
    says nothing); models keep theirs."""

    def field_title_should_be_set(self, schema: CoreSchema) -> bool:
        return False


REF_TEMPLATE = "#/components/schemas/{model}"


def component_schemas(
    requests: Iterable[type[BaseModel]], responses: Iterable[type[BaseModel]]
) -> tuple[dict[type[BaseModel], dict[str, str]], dict[str, Any]]:
    """Each model's `$ref`, and the JSON Schemas for /openapi.json's components: request bodies
    as they are validated, answers as they are written, with every model and enum they use."""
    keyed: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        *((model, "validation") for model in dict.fromkeys(requests)),
        *((model, "serialization") for model in dict.fromkeys(responses)),
    ]
    refs, definitions = models_json_schema(keyed, ref_template=REF_TEMPLATE, schema_generator=SchemaGenerator)
    return {model: ref for (model, _), ref in refs.items()}, definitions.get("$defs", {})
