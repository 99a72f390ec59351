"""Faults of the answer envelopes and error bodies (ENV, ERR-10): the error mapper's status and body, and the
success envelope of `/api/v1/me` (`svc.policies.account_answers`).
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from msgflash_reference.errors import ApiError
from msgflash_reference.faults.fault import Fault, swap
from msgflash_reference.policies.account import AccountAnswers
from msgflash_reference.policies.error_mapper import ErrorMapper


class _Validation422(ErrorMapper):
    """The framework's default status for schema errors leaks through."""

    def status(self, error: ApiError) -> int:
        return 422 if error.code == "VALIDATION_ERROR" else error.status


class _FlatEnvelope(ErrorMapper):
    def body(self, error: ApiError) -> dict[str, Any]:
        return super().body(error)["error"]


class _MessageAsDetail(ErrorMapper):
    def body(self, error: ApiError) -> dict[str, Any]:
        payload = dict(super().body(error)["error"])
        payload["detail"] = payload.pop("message")
        return {"error": payload}


class _HandBuiltMe(AccountAnswers):
    def me(self, view: dict[str, Any]) -> JSONResponse:
        return JSONResponse(view)


FAULTS: tuple[Fault, ...] = (
    Fault(
        "validation-error-422",
        ("ERR-10", "ENV-03", "CNT-01", "GRP-02"),
        "VALIDATION_ERROR is answered with status 422 instead of 400",
        swap("error_mapper", _Validation422()),
    ),
    Fault(
        "error-envelope-flat",
        ("ENV-02",),
        "errors come as {code, message} without the `error` wrapper",
        swap("error_mapper", _FlatEnvelope()),
    ),
    Fault(
        "error-message-as-detail",
        ("ENV-02",),
        "error bodies name their text `detail` instead of `message`",
        swap("error_mapper", _MessageAsDetail()),
    ),
    Fault(
        "me-answers-bare-object",
        ("ENV-01",),
        "GET /api/v1/me answers the account object without the top-level `data` envelope",
        swap("account_answers", _HandBuiltMe()),
    ),
)
