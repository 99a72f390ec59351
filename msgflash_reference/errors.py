"""ApiError: the one exception handlers raise to answer with an error envelope.

The status of each documented code lives in STATUS_BY_CODE (facts digest §7 and reference choices); the error
mapper policy (policies/error_mapper.py) turns an ApiError into the HTTP response.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

STATUS_BY_CODE: dict[str, int] = {
    "VALIDATION_ERROR": 400,
    "BAD_REQUEST": 400,
    "TEMPLATE_INVALID": 400,
    "TEMPLATE_VARIABLES_MISSING": 400,
    "TEMPLATE_CONTEXT_UNAVAILABLE": 400,
    "INVALID_PLAN_CHANGE": 400,
    "ALREADY_ON_FREE_PLAN": 400,
    "NO_SCHEDULED_CHANGE": 400,
    "UNAUTHORIZED": 401,
    "FORBIDDEN": 403,
    "SUBSCRIPTION_INACTIVE": 403,
    "MAX_INSTANCES_REACHED": 403,
    "API_KEYS_NOT_AVAILABLE_ON_PLAN": 403,
    "MAX_API_KEYS_REACHED": 403,
    "WEBHOOKS_NOT_AVAILABLE_ON_PLAN": 403,
    "MAX_WEBHOOK_ENDPOINTS_REACHED": 403,
    "CAMPAIGNS_NOT_AVAILABLE_ON_PLAN": 403,
    "STATUSES_NOT_AVAILABLE_ON_PLAN": 403,
    "MAX_CONTACT_GROUPS_REACHED": 403,
    "FEATURE_NOT_AVAILABLE_ON_PLAN": 403,
    "TEAM_KEY_REQUIRED": 403,
    "TEAM_KEY_NOT_ALLOWED": 403,
    "BILLING_TEAM_MUTATION_FORBIDDEN": 403,
    "BILLING_PAYMENTS_TEAM_OWNER_ONLY": 403,
    "EMAIL_NOT_VERIFIED": 403,
    "TEAM_ACCESS_DENIED": 403,
    "TEAM_FEATURE_UNAVAILABLE": 403,
    "TEAM_LIMIT_REACHED": 403,
    "TEAM_SEAT_LIMIT_REACHED": 403,
    "INSTANCE_NOT_ASSIGNED": 403,
    "INVITE_EMAIL_MISMATCH": 403,
    "NOT_FOUND": 404,
    "TEAM_NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "CONFLICT": 409,
    "INVITE_DUPLICATE_MEMBER": 409,
    "DOWNGRADE_ALREADY_SCHEDULED": 409,
    "PLAN_CHANGE_BLOCKED_ACTIVE_TEAMS": 409,  # decisions #2 default
    "INVITE_INVALID_OR_EXPIRED": 410,
    "INVALID_DESTINATION": 422,
    "API_RATE_LIMIT_EXCEEDED": 429,
    "MONTHLY_API_REQUEST_QUOTA_EXCEEDED": 429,
    "MONTHLY_OUTBOUND_QUOTA_EXCEEDED": 429,
    "INTERNAL_ERROR": 500,
    "PROVIDER_TIMEOUT": 502,
    "PROVIDER_UNAVAILABLE": 502,
    "PROVIDER_ERROR": 502,
}

# The one message every authentication failure of the public API carries (TEAM-02/03: "same message").
INVALID_KEY_MESSAGE = "Invalid or missing API key"


class ApiError(Exception):
    """An error answer. `status` defaults to the code's documented status."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        details: list[Any] | Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        if status is None and code not in STATUS_BY_CODE:
            raise ValueError(f"unknown error code {code!r}: add it to STATUS_BY_CODE or pass status=")
        self.code = code
        self.message = message
        self.status = status if status is not None else STATUS_BY_CODE[code]
        self.details = details
        self.headers = dict(headers or {})


def validation_error(details: list[dict[str, str]], message: str = "Invalid request data") -> ApiError:
    """400 VALIDATION_ERROR; `details` is a list of {field, message}."""
    return ApiError("VALIDATION_ERROR", message, details=details)


def invalid_field(field: str, message: str) -> ApiError:
    return validation_error([{"field": field, "message": message}])


def not_found(what: str = "Resource") -> ApiError:
    return ApiError("NOT_FOUND", f"{what} not found")
