"""Send / schedule policies (facts §11.3) and the inactive-subscription gate (AUTH-08), with their faults.

`svc.policies.send_rules`, `svc.policies.subscription_gate` and `svc.policies.scheduled_recheck`; faults:
`faults/sending.py`. The seams:

* `SendRules.checked(body)`: the content rules of a send body (one content mode, content per type);
* `SendRules.contact_context_required`: a template reading `contact.*` needs a usable contact (MSG-11);
* `SendRules.rendered_text(template_body, rendering)`: what a template send stores as the message body,
  refusing unresolved variables (MSG-10, MSG-12);
* `SendRules.schedule_status`: the status of a schedule answer (MSG-13);
* `SubscriptionGate.usable`: the subscription statuses that may send (AUTH-08);
* `ScheduledQuotaRecheck.check`: the monthly outbound quota checked again when a scheduled message falls due
  (PLAN-16; read by `delivery.py`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from msgflash_reference.errors import ApiError
from msgflash_reference.message_content import SendBody, check_send_mode, not_found_in_context
from msgflash_reference.plans import Plan
from msgflash_reference.policies.messaging import OutboundGate
from msgflash_reference.templating import Rendering

USABLE_SUBSCRIPTION_STATUSES = frozenset({"active", "trialing"})


class SendRules:
    contact_context_required: bool = True
    schedule_status: int = 201  # G2: a scheduled message is created like a sent one

    def checked(self, body: SendBody) -> SendBody:
        """The body, once its content rules hold (400 VALIDATION_ERROR otherwise)."""
        check_send_mode(body)
        return body

    def contact_context_missing(self) -> None:
        """A template reads `contact.*` and the send names no usable contact: 404 in the template context
        (MSG-11) while the rule holds."""
        if self.contact_context_required:
            raise not_found_in_context("contact")

    def rendered_text(self, template_body: str | None, rendering: Rendering) -> str | None:
        if not rendering.complete:
            raise ApiError(
                "TEMPLATE_VARIABLES_MISSING",
                "Template variables could not be resolved: " + ", ".join(rendering.missing),
                details=[{"field": name, "message": "no value"} for name in rendering.missing],
            )
        return rendering.text or None


@dataclass(frozen=True)
class SubscriptionGate:
    usable: frozenset[str] = USABLE_SUBSCRIPTION_STATUSES

    def check(self, status: str) -> None:
        """403 SUBSCRIPTION_INACTIVE unless the subscription's status may send (AUTH-08)."""
        if status not in self.usable:
            raise ApiError("SUBSCRIPTION_INACTIVE", "No active subscription for this action")


class ScheduledQuotaRecheck:
    """When a scheduled message falls due, the owner's monthly outbound quota is checked again (facts §5.3):
    a refusal (ApiError) fails the message with its code."""

    def check(self, gate: OutboundGate, conn: sqlite3.Connection, owner_id: str, plan: Plan, now: datetime) -> None:
        gate.check(conn, owner_id, plan, now)
