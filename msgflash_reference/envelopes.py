"""Success envelopes (facts §6): every success body is `{"data": ...}`."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse


def ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"data": data}, status_code=status)


def created(data: Any) -> JSONResponse:
    return ok(data, 201)


def accepted(data: Any) -> JSONResponse:
    return ok(data, 202)


def deleted(resource_id: str) -> JSONResponse:
    """G4: DELETE of a public resource answers 200 {data: {id, deleted: true}}."""
    return ok({"id": resource_id, "deleted": True})
