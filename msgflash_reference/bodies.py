"""JSON request bodies: parsed after authentication, validated strictly, 400 VALIDATION_ERROR with details.

Declare it after the auth dependency, so a missing key answers 401 before a body is judged:
`body: ContactCreate = Depends(json_body(ContactCreate))`. The model actually validated against is chosen per
request by the `request_bodies` policy (`svc.policies.request_bodies`, a `RequestBodies`): the declared model by
default; a fault substitutes a faulty variant of it (see `faults/request_bodies.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from msgflash_reference.errors import validation_error

M = TypeVar("M", bound=BaseModel)

MAX_BODY_BYTES = 2 * 1024 * 1024  # 10 000 UUIDs are ~400 KB


class StrictBody(BaseModel):
    """Request bodies: exact JSON types, unknown fields refused (spec: additionalProperties: false)."""

    model_config = ConfigDict(strict=True, extra="forbid")


class NonNullBody(StrictBody):
    """A request body whose optional fields may be left out but never sent as null (the spec types them
    string, object, ...; not `null`)."""

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: object) -> object:
        if isinstance(data, dict):
            nulls = sorted(str(key) for key, value in data.items() if value is None)
            if nulls:
                raise ValueError(f"{', '.join(nulls)} must not be null (leave the field out instead)")
        return data


def details_of(error: ValidationError) -> list[dict[str, str]]:
    details = []
    for item in error.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in item.get("loc", ())) or "body"
        details.append({"field": field, "message": str(item.get("msg", "invalid"))})
    return details


def parse_body(model: type[M], raw: bytes) -> M:
    if len(raw) > MAX_BODY_BYTES:
        raise validation_error([{"field": "body", "message": "body is too large"}])
    if not raw.strip():
        raise validation_error([{"field": "body", "message": "a JSON object body is required"}])
    try:
        return model.model_validate_json(raw)
    except ValidationError as err:
        raise validation_error(details_of(err)) from None


class RequestBodies:
    """The policy seam: which model a route's body is validated against."""

    def model(self, declared: type[M]) -> type[M]:
        return declared


DEFAULT_REQUEST_BODIES = RequestBodies()


def request_bodies(request: Request) -> RequestBodies:
    services = getattr(request.app.state, "services", None)
    if services is None:  # an app without services (a bare test app): the declared models
        return DEFAULT_REQUEST_BODIES
    return services.policies.request_bodies


def json_body(model: type[M]) -> Callable[[Request], Awaitable[M]]:
    async def dependency(request: Request) -> M:
        return parse_body(request_bodies(request).model(model), await request.body())

    dependency.__name__ = f"body_{model.__name__}"
    return dependency


def details_of_request_error(error: object) -> list[dict[str, str]]:
    """Details of FastAPI's RequestValidationError (parameters it validated itself)."""
    details = []
    for item in getattr(error, "errors", list)():
        loc = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path", "header")]
        details.append({"field": ".".join(loc) or "request", "message": str(item.get("msg", "invalid"))})
    return details
