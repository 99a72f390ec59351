"""Seams and faults for the last MUST guarantees without one: the send-time quota re-check of a scheduled
message (PLAN-16), media sent from the client's own host (MEDIA-04) and the success envelope of `/api/v1/me`
(ENV-01).

Loaded by `faults.py` through EXTENSION_MODULES: the defaults land in `svc.policies.extra` under
`scheduled_recheck` (read by `delivery.py` when a scheduled message falls due) and `account_answers` (read by
`routes/account.py`). The MEDIA-04 fault needs no new seam: it swaps the existing `send_rules`.

* `scheduled-send-skips-quota-recheck`: the worker trusts the quota check made when the message was accepted,
  so a message scheduled before the quota ran out is still sent (PLAN-16);
* `media-url-upload-host-only`: a send's `mediaUrl` must point at the platform's own upload host, so a file
  the client hosts itself is refused with 400 (MEDIA-04);
* `me-answers-bare-object`: GET /api/v1/me builds its JSON response by hand and forgets the `data` envelope
  (ENV-01).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi.responses import JSONResponse

from msgflash_reference.envelopes import ok
from msgflash_reference.errors import ApiError
from msgflash_reference.faults import Fault
from msgflash_reference.message_content import MEDIA_TYPES, SendBody
from msgflash_reference.plans import Plan
from msgflash_reference.policies.messaging import OutboundGate
from msgflash_reference.policies.send_rules import SendRules

if TYPE_CHECKING:
    from msgflash_reference.policies import Policies
    from msgflash_reference.services import Services

UPLOAD_HOST_PREFIX = "https://media.msgflash.com/"  # where the console's media upload would put files


# -- the seams (correct defaults) ------------------------------------------------------------------------------
class ScheduledQuotaRecheck:
    """When a scheduled message falls due, the owner's monthly outbound quota is checked again (facts §5.3):
    a refusal (ApiError) fails the message with its code."""

    def check(self, gate: OutboundGate, conn: sqlite3.Connection, owner_id: str, plan: Plan, now: datetime) -> None:
        gate.check(conn, owner_id, plan, now)


class AccountAnswers:
    """The success answer of GET /api/v1/me: the account view in the `data` envelope."""

    def me(self, view: dict[str, Any]) -> JSONResponse:
        return ok(view)


DEFAULT_SCHEDULED_RECHECK = ScheduledQuotaRecheck()
DEFAULT_ACCOUNT_ANSWERS = AccountAnswers()
POLICY_DEFAULTS: dict[str, object] = {
    "scheduled_recheck": DEFAULT_SCHEDULED_RECHECK,
    "account_answers": DEFAULT_ACCOUNT_ANSWERS,
}


def scheduled_recheck(svc: Services) -> ScheduledQuotaRecheck:
    return svc.policies.extra.get("scheduled_recheck", DEFAULT_SCHEDULED_RECHECK)


def account_answers(svc: Services) -> AccountAnswers:
    return svc.policies.extra.get("account_answers", DEFAULT_ACCOUNT_ANSWERS)


# -- faulty pieces --------------------------------------------------------------------------------------------
class _AcceptedAtScheduleTime(ScheduledQuotaRecheck):
    """"It was checked when we accepted it": the due message goes out whatever the quota says now."""

    def check(self, gate: OutboundGate, conn: sqlite3.Connection, owner_id: str, plan: Plan, now: datetime) -> None:
        return None


class _UploadHostMediaOnly(SendRules):
    """Media must come from the platform's upload host (a check meant for the console's uploads)."""

    def checked(self, body: SendBody) -> SendBody:
        url = body.mediaUrl
        if body.type in MEDIA_TYPES and url and not url.startswith(UPLOAD_HOST_PREFIX):
            raise ApiError(
                "VALIDATION_ERROR",
                "Request validation failed",
                details=[{"field": "mediaUrl", "message": "upload the file first (POST /api/media/upload)"}],
            )
        return super().checked(body)


class _HandBuiltMe(AccountAnswers):
    def me(self, view: dict[str, Any]) -> JSONResponse:
        return JSONResponse(view)


def _extra(name: str, value: object) -> Callable[[Policies], Policies]:
    return lambda p: p.with_extra(name, value)


FAULTS: tuple[Fault, ...] = (
    Fault(
        "scheduled-send-skips-quota-recheck",
        ("PLAN-16",),
        "a scheduled message is sent at its time even when the monthly outbound quota ran out since it was accepted",
        _extra("scheduled_recheck", _AcceptedAtScheduleTime()),
    ),
    Fault(
        "media-url-upload-host-only",
        ("MEDIA-04",),
        "a media send whose mediaUrl is not on the platform's upload host is refused (400) instead of sent",
        _extra("send_rules", _UploadHostMediaOnly()),
    ),
    Fault(
        "me-answers-bare-object",
        ("ENV-01",),
        "GET /api/v1/me answers the account object without the top-level `data` envelope",
        _extra("account_answers", _HandBuiltMe()),
    ),
)
