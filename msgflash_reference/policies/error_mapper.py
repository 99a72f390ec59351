"""Turns an ApiError into the HTTP response: `{"error": {"code", "message"[, "details"]}}` (facts §6)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from msgflash_reference.errors import ApiError


class ErrorMapper:
    def status(self, error: ApiError) -> int:
        return error.status

    def body(self, error: ApiError) -> dict[str, Any]:
        payload: dict[str, Any] = {"code": error.code, "message": error.message}
        if error.details is not None:
            payload["details"] = error.details
        return {"error": payload}

    def response(self, error: ApiError) -> JSONResponse:
        return JSONResponse(self.body(error), status_code=self.status(error), headers=error.headers or None)
