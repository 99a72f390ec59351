"""Faults of sending and scheduling messages (MSG-04..14, MEDIA-04, AUTH-08, PLAN-16): the content rules of a send,
template rendering, the schedule answer, which subscriptions may send, and the quota re-check when a scheduled
message falls due.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from msgflash_reference.errors import ApiError
from msgflash_reference.faults.fault import Fault, swap
from msgflash_reference.message_content import MEDIA_TYPES, SendBody
from msgflash_reference.plans import Plan
from msgflash_reference.policies.messaging import OutboundGate
from msgflash_reference.policies.send_rules import (
    USABLE_SUBSCRIPTION_STATUSES,
    ScheduledQuotaRecheck,
    SendRules,
    SubscriptionGate,
)
from msgflash_reference.templating import Rendering

UPLOAD_HOST_PREFIX = "https://media.msgflash.com/"  # where the console's media upload would put files


class _TypeDefaultsToText(SendRules):
    """A body with neither type nor templateId is taken for a text message."""

    def checked(self, body: SendBody) -> SendBody:
        if body.type is None and body.templateId is None:
            body = body.model_copy(update={"type": "text"})
        return super().checked(body)


class _CoordinatesOptional(SendRules):
    """A location without coordinates passes (the provider is left to geocode the name)."""

    def checked(self, body: SendBody) -> SendBody:
        try:
            return super().checked(body)
        except ApiError as err:
            fields = {d.get("field") for d in err.details or [] if isinstance(d, dict)}
            if body.type == "location" and fields <= {"latitude", "longitude"}:
                return body
            raise


class _ScheduleAccepted(SendRules):
    """Answers a scheduled message 202 Accepted (it is only queued for later)."""

    schedule_status = 202


class _ButtonsUnbounded(SendRules):
    """Checks each button but not how many there are."""

    def checked(self, body: SendBody) -> SendBody:
        try:
            return super().checked(body)
        except ApiError as err:
            problems = [d for d in err.details or [] if isinstance(d, dict)]
            if problems and all(d.get("field") == "buttons" and "at most" in str(d.get("message")) for d in problems):
                return body
            raise


class _ContactContextOptional(SendRules):
    contact_context_required = False


class _UnresolvedKept(SendRules):
    """Sends the text with the placeholders it could not fill left as written."""

    def rendered_text(self, template_body: str | None, rendering: Rendering) -> str | None:
        return rendering.text or None


class _RawBodyStored(SendRules):
    """Checks the rendering but stores the template's body as written (the rendering goes to the provider)."""

    def rendered_text(self, template_body: str | None, rendering: Rendering) -> str | None:
        super().rendered_text(template_body, rendering)
        return template_body


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


FAULTS: tuple[Fault, ...] = (
    Fault("send-type-defaults-to-text", ("MSG-04",),
          "a send with neither type nor templateId is taken for a text message instead of 400 VALIDATION_ERROR",
          swap("send_rules", _TypeDefaultsToText())),
    Fault("location-coordinates-optional", ("MSG-06",),
          "a location message without latitude or longitude is accepted",
          swap("send_rules", _CoordinatesOptional())),
    Fault("buttons-max-unchecked", ("MSG-07",),
          "a buttons message with more than 2 buttons is accepted",
          swap("send_rules", _ButtonsUnbounded())),
    Fault("template-contact-context-optional", ("MSG-11",),
          "a template reading contact.* is rendered without the contact when contactId is unknown (then its "
          "variables are missing) instead of 400 TEMPLATE_CONTEXT_UNAVAILABLE",
          swap("send_rules", _ContactContextOptional())),
    Fault("template-unresolved-variables-sent", ("MSG-10",),
          "a template send with unresolved variables goes out with the placeholders as written",
          swap("send_rules", _UnresolvedKept())),
    Fault("template-send-stores-raw-body", ("MSG-12",),
          "a template send stores the template's body with its placeholders instead of the rendered text",
          swap("send_rules", _RawBodyStored())),
    Fault("schedule-answers-202", ("MSG-13",),
          "scheduling a message answers 202 Accepted instead of 201 Created",
          swap("send_rules", _ScheduleAccepted())),
    Fault("past-due-subscription-usable", ("AUTH-08",),
          "a past_due subscription may still send (a grace period the docs do not have)",
          swap("subscription_gate", SubscriptionGate(usable=USABLE_SUBSCRIPTION_STATUSES | {"past_due"}))),
    Fault(
        "scheduled-send-skips-quota-recheck",
        ("PLAN-16",),
        "a scheduled message is sent at its time even when the monthly outbound quota ran out since it was accepted",
        swap("scheduled_recheck", _AcceptedAtScheduleTime()),
    ),
    Fault(
        "media-url-upload-host-only",
        ("MEDIA-04",),
        "a media send whose mediaUrl is not on the platform's upload host is refused (400) instead of sent",
        swap("send_rules", _UploadHostMediaOnly()),
    ),
)
