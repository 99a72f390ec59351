"""Send / schedule policies (facts §11.3) and the inactive-subscription gate (AUTH-08), with their faults.

`faults.py` loads this module through EXTENSION_MODULES: the defaults land in `svc.policies.extra["send_rules"]`
and `svc.policies.extra["subscription_gate"]`. The seams:

* `SendRules.checked(body)`: the content rules of a send body (one content mode, content per type);
* `SendRules.contact_context_required`: a template reading `contact.*` needs a usable contact (MSG-11);
* `SendRules.rendered_text(template_body, rendering)`: what a template send stores as the message body,
  refusing unresolved variables (MSG-10, MSG-12);
* `SendRules.schedule_status`: the status of a schedule answer (MSG-13);
* `SubscriptionGate.usable`: the subscription statuses that may send (AUTH-08).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from msgflash_reference.errors import ApiError
from msgflash_reference.faults import Fault
from msgflash_reference.message_content import SendBody, check_send_mode
from msgflash_reference.templating import Rendering

if TYPE_CHECKING:
    from msgflash_reference.policies import Policies
    from msgflash_reference.services import Services

USABLE_SUBSCRIPTION_STATUSES = frozenset({"active", "trialing"})


class SendRules:
    contact_context_required: bool = True
    schedule_status: int = 201  # G2: a scheduled message is created like a sent one

    def checked(self, body: SendBody) -> SendBody:
        """The body, once its content rules hold (400 VALIDATION_ERROR otherwise)."""
        check_send_mode(body)
        return body

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


DEFAULT_SEND_RULES = SendRules()
DEFAULT_SUBSCRIPTION_GATE = SubscriptionGate()
POLICY_DEFAULTS: dict[str, object] = {"send_rules": DEFAULT_SEND_RULES, "subscription_gate": DEFAULT_SUBSCRIPTION_GATE}


def send_rules(svc: Services) -> SendRules:
    return svc.policies.extra.get("send_rules", DEFAULT_SEND_RULES)


def subscription_gate(svc: Services) -> SubscriptionGate:
    return svc.policies.extra.get("subscription_gate", DEFAULT_SUBSCRIPTION_GATE)


# -- faulty pieces ----------------------------------------------------------------------------------------
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


def _extra(name: str, policy: object) -> Callable[[Policies], Policies]:
    return lambda policies: policies.with_extra(name, policy)


FAULTS: tuple[Fault, ...] = (
    Fault("send-type-defaults-to-text", ("MSG-04",),
          "a send with neither type nor templateId is taken for a text message instead of 400 VALIDATION_ERROR",
          _extra("send_rules", _TypeDefaultsToText())),
    Fault("location-coordinates-optional", ("MSG-06",),
          "a location message without latitude or longitude is accepted",
          _extra("send_rules", _CoordinatesOptional())),
    Fault("buttons-max-unchecked", ("MSG-07",),
          "a buttons message with more than 2 buttons is accepted",
          _extra("send_rules", _ButtonsUnbounded())),
    Fault("template-contact-context-optional", ("MSG-11",),
          "a template reading contact.* is rendered without the contact when contactId is unknown (then its "
          "variables are missing) instead of 400 TEMPLATE_CONTEXT_UNAVAILABLE",
          _extra("send_rules", _ContactContextOptional())),
    Fault("template-unresolved-variables-sent", ("MSG-10",),
          "a template send with unresolved variables goes out with the placeholders as written",
          _extra("send_rules", _UnresolvedKept())),
    Fault("template-send-stores-raw-body", ("MSG-12",),
          "a template send stores the template's body with its placeholders instead of the rendered text",
          _extra("send_rules", _RawBodyStored())),
    Fault("schedule-answers-202", ("MSG-13",),
          "scheduling a message answers 202 Accepted instead of 201 Created",
          _extra("send_rules", _ScheduleAccepted())),
    Fault("past-due-subscription-usable", ("AUTH-08",),
          "a past_due subscription may still send (a grace period the docs do not have)",
          _extra("subscription_gate", SubscriptionGate(usable=USABLE_SUBSCRIPTION_STATUSES | {"past_due"}))),
)
