"""More faults of the messaging area (messages, statuses, templates, campaigns, webhooks, number lookups), each
swapping one seam of `policies/messaging.py` (or a plan cap) for a subclass that gets one thing wrong the way a
real implementation would. Loaded by `faults.py` through EXTENSION_MODULES.

* `sends-not-counted` / `statuses-not-counted`: the outbound counter skips one kind (MSG-17, STAT-05);
* `template-variables-without-namespace`: detected variables lose their namespace (TPL-01, TPL-06);
* `template-any-namespace`: the placeholder check accepts any `{{word.word}}` and ignores stray braces (TPL-02);
* `campaign-resume-scheduled-only`, `campaign-pause-scheduled-only`: the status rules of resume and pause
  confuse "not started" with "paused" / "running" (CMP-12, CMP-09, CMP-10);
* `lookup-always-async`: an unset async threshold (0) runs every lookup in the background (LKP-01);
* `unknown-instance-not-connected`: a missing instance is reported as disconnected (MSG-09, STAT-03, LKP-04);
* `webhooks-gate-as-cap`: the plan gate is only the endpoint cap, so Free answers the cap's code (WH-05).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from msgflash_reference.errors import ApiError
from msgflash_reference.faults import Fault
from msgflash_reference.policies.messaging import (
    DEFAULT_MESSAGING_POLICIES,
    CampaignRules,
    LookupRules,
    OutboundGate,
    TemplateVariables,
)
from msgflash_reference.policies.ownership import Ownership
from msgflash_reference.templating import placeholders

if TYPE_CHECKING:
    import sqlite3

    from msgflash_reference.policies import Policies

_LOOSE_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+\.[A-Za-z0-9_.]+)\s*\}\}")


@dataclass(frozen=True)
class _OutboundSkipping(OutboundGate):
    """Records every outbound kind but one (a counter column left out of the UPDATE)."""

    skipped: str = "messages"

    def record(self, conn: sqlite3.Connection, owner_id: str, kind: str, now: datetime, count: int = 1) -> None:
        if kind != self.skipped:
            super().record(conn, owner_id, kind, now, count)


class _VariablesWithoutNamespace(TemplateVariables):
    """Lists each placeholder by its field only (`firstName`), as a form builder would label it."""

    def variables(self, body: str | None, given: list[str] | None) -> list[str]:
        return [name.split(".", 1)[1] for name in placeholders(body)]


class _LoosePlaceholders(TemplateVariables):
    """Finds placeholders with a permissive pattern: any namespace is accepted and stray braces are ignored."""

    def variables(self, body: str | None, given: list[str] | None) -> list[str]:
        return list(dict.fromkeys(m.group(1) for m in _LOOSE_PLACEHOLDER.finditer(body or "")))


class _UnknownInstanceNotConnected(Ownership):
    """Reports an instance the workspace does not have as one that is not connected (400)."""

    def load(self, conn: sqlite3.Connection, table: str, row_id: str, workspace_id: str, what: str) -> sqlite3.Row:
        try:
            return super().load(conn, table, row_id, workspace_id, what)
        except ApiError:
            if table == "instances":
                raise ApiError("BAD_REQUEST", "The instance is not connected") from None
            raise


def _messaging(**changes: Any) -> Callable[[Policies], Policies]:
    def apply(policies: Policies) -> Policies:
        current = policies.extra.get("messaging", DEFAULT_MESSAGING_POLICIES)
        return policies.with_extra("messaging", replace(current, **changes))

    return apply


def _webhooks_gate_as_cap(policies: Policies) -> Policies:
    cap = policies.plan_rules.caps["webhooks"]
    return replace(policies, plan_rules=policies.plan_rules.with_cap(replace(cap, unavailable_code=None)))


FAULTS: tuple[Fault, ...] = (
    Fault("sends-not-counted", ("MSG-17",),
          "a send is not counted on messagesCount (nor effectiveOutboundUsage)",
          _messaging(outbound=_OutboundSkipping(skipped="messages"))),
    Fault("statuses-not-counted", ("STAT-05",),
          "a published status is not counted on statusesCount (nor effectiveOutboundUsage)",
          _messaging(outbound=_OutboundSkipping(skipped="statuses"))),
    Fault("template-variables-without-namespace", ("TPL-01", "TPL-06"),
          "a template's variables list each placeholder without its namespace (firstName, not contact.firstName)",
          _messaging(template_variables=_VariablesWithoutNamespace())),
    Fault("template-any-namespace", ("TPL-02",),
          "templates accept placeholders of any namespace and unbalanced braces instead of 400 TEMPLATE_INVALID",
          _messaging(template_variables=_LoosePlaceholders())),
    Fault("campaign-resume-scheduled-only", ("CMP-12", "CMP-09"),
          "resume accepts only scheduled campaigns: a paused one answers 400 BAD_REQUEST",
          _messaging(campaigns=CampaignRules(resumable=frozenset({"scheduled"})))),
    Fault("campaign-pause-scheduled-only", ("CMP-10",),
          "pause accepts only campaigns that have not started: a running one answers 400 BAD_REQUEST",
          _messaging(campaigns=CampaignRules(pausable=frozenset({"scheduled"})))),
    Fault("lookup-always-async", ("LKP-01",),
          "the async threshold is 0 (an unset setting): even two numbers answer 202 and run in the background",
          _messaging(lookups=LookupRules(async_threshold=0))),
    Fault("unknown-instance-not-connected", ("MSG-09", "STAT-03", "LKP-04", "ERR-04"),
          "an instance the workspace does not have answers 400 BAD_REQUEST (not connected) instead of 404",
          lambda p: replace(p, ownership=_UnknownInstanceNotConnected())),
    Fault("webhooks-gate-as-cap", ("WH-05", "PLAN-08"),
          "the webhooks plan gate is only the endpoint cap: Free answers MAX_WEBHOOK_ENDPOINTS_REACHED",
          _webhooks_gate_as_cap),
)
