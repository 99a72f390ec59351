"""Messaging-area policies (messages send/schedule, statuses, templates, campaigns, webhooks, number lookups)
and the faults that swap them. `faults.py` loads this module through its EXTENSION_MODULES hook: the defaults
land in `svc.policies.extra["messaging"]` (a `MessagingPolicies`), read with `messaging_policies(svc)`.

Each seam decides one thing a real implementation can get wrong; a fault replaces exactly one of them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi.responses import JSONResponse

from msgflash_reference.envelopes import deleted, ok
from msgflash_reference.errors import ApiError
from msgflash_reference.faults import Fault
from msgflash_reference.message_store import message_view
from msgflash_reference.phone_numbers import normalize_number
from msgflash_reference.plan_rules import PlanRules
from msgflash_reference.plans import Plan
from msgflash_reference.quotas import check_outbound, record_outbound
from msgflash_reference.templating import placeholders

if TYPE_CHECKING:
    from msgflash_reference.policies import Policies
    from msgflash_reference.services import Services


# -- the seams ------------------------------------------------------------------------------------------
class DestinationRule:
    """The recipient `to` of a message: its E.164 form, or 422 INVALID_DESTINATION."""

    def normalize(self, to: str) -> str:
        number = normalize_number(to)
        if number is None:
            raise ApiError("INVALID_DESTINATION", "The recipient number is not a valid international (E.164) number")
        return number


@dataclass(frozen=True)
class OutboundGate:
    """The monthly outbound quota (messages + statuses, facts §5.3) on the paying owner."""

    enforced: bool = True

    def check(self, conn: sqlite3.Connection, owner_id: str, plan: Plan, now: datetime, count: int = 1) -> None:
        if self.enforced:
            check_outbound(conn, owner_id, plan, now, count)

    def record(self, conn: sqlite3.Connection, owner_id: str, kind: str, now: datetime, count: int = 1) -> None:
        record_outbound(conn, owner_id, kind, now, count)


@dataclass(frozen=True)
class FeatureGate:
    """Plan features of the messaging routes (campaigns, statuses, webhooks, numberLookups), on the owner's plan."""

    unchecked: frozenset[str] = frozenset()

    def require(self, plan_rules: PlanRules, plan: Plan, feature: str) -> None:
        if feature not in self.unchecked:
            plan_rules.require_feature(plan, feature)


class SendResponse:
    """The body of a send / schedule answer: the stored message (G2)."""

    def view(self, row: sqlite3.Row) -> dict[str, Any]:
        return message_view(row)


class TemplateVariables:
    """A template's `variables`: recomputed from its body; a list the client sent is not authoritative (TPL-06)."""

    def variables(self, body: str | None, given: list[str] | None) -> list[str]:
        return placeholders(body)


class WebhookShapes:
    """G8: the secret appears in the create answer only."""

    def listed(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "url": row["url"],
            "events": json.loads(row["events"]),
            "active": bool(row["active"]),
            "createdAt": row["created_at"],
        }

    def created(self, row: sqlite3.Row) -> dict[str, Any]:
        listed = WebhookShapes.listed(self, row)
        return {"id": row["id"], "url": row["url"], "secret": row["secret"], **listed}

    def removed(self, webhook_id: str, row: sqlite3.Row | None) -> JSONResponse:
        """The DELETE answer (G4): `{id, deleted: true}`; `row` is the endpoint as it is now (deleted)."""
        return deleted(webhook_id)


class WebhookRemoval:
    def remove(self, conn: sqlite3.Connection, webhook_id: str, now_iso: str) -> None:
        conn.execute(
            "UPDATE webhooks SET deleted_at = ?, active = 0, updated_at = ? WHERE id = ?",
            (now_iso, now_iso, webhook_id),
        )


@dataclass(frozen=True)
class LookupRules:
    """Number lookups: when a request runs asynchronously, and which numbers an import turns into contacts."""

    async_threshold: int = 100  # this many numbers or more run as a background lookup (facts §10)
    threshold_inclusive: bool = True

    def is_async(self, count: int) -> bool:
        return count >= self.async_threshold if self.threshold_inclusive else count > self.async_threshold

    def importable(self, result: dict[str, list[str]]) -> list[str]:
        """`result`: the lookup's {onWhatsApp, notOnWhatsApp, invalid}; only the numbers on WhatsApp."""
        return list(result["onWhatsApp"])


@dataclass(frozen=True)
class CampaignRules:
    pausable: frozenset[str] = frozenset({"scheduled", "running"})
    resumable: frozenset[str] = frozenset({"paused"})


@dataclass(frozen=True)
class MessagingPolicies:
    destination: DestinationRule = field(default_factory=DestinationRule)
    outbound: OutboundGate = field(default_factory=OutboundGate)
    features: FeatureGate = field(default_factory=FeatureGate)
    send_response: SendResponse = field(default_factory=SendResponse)
    template_variables: TemplateVariables = field(default_factory=TemplateVariables)
    webhook_shapes: WebhookShapes = field(default_factory=WebhookShapes)
    webhook_removal: WebhookRemoval = field(default_factory=WebhookRemoval)
    lookups: LookupRules = field(default_factory=LookupRules)
    campaigns: CampaignRules = field(default_factory=CampaignRules)


DEFAULT_MESSAGING_POLICIES = MessagingPolicies()
POLICY_DEFAULTS: dict[str, object] = {"messaging": DEFAULT_MESSAGING_POLICIES}


def messaging_policies(svc: Services) -> MessagingPolicies:
    return svc.policies.extra.get("messaging", DEFAULT_MESSAGING_POLICIES)


# -- faulty pieces ----------------------------------------------------------------------------------------
class _CountryCodeFirst(DestinationRule):
    """Reads the country code with int() before validating the number: letters or an empty `to` crash (500)."""

    def normalize(self, to: str) -> str:
        digits = to.strip().lstrip("+")
        if int(digits[:3]) == 0:  # ValueError on "abc", "" or "+": unhandled
            raise ApiError("INVALID_DESTINATION", "Unknown country code")
        return super().normalize(to)


class _ResponseFromRequestFields(SendResponse):
    """Builds the answer from what it inserted, before the row's defaults: no status, no providerMessageId."""

    def view(self, row: sqlite3.Row) -> dict[str, Any]:
        return {k: v for k, v in super().view(row).items() if k not in ("status", "providerMessageId")}


class _ClientVariablesKept(TemplateVariables):
    def variables(self, body: str | None, given: list[str] | None) -> list[str]:
        detected = placeholders(body)  # still validated
        return list(given) if given is not None else detected


class _SecretListed(WebhookShapes):
    """The list reuses the create serializer."""

    def listed(self, row: sqlite3.Row) -> dict[str, Any]:
        return {**super().listed(row), "secret": row["secret"]}


class _OlderEndpointsFromTheRow(WebhookShapes):
    """The list serialises the endpoints this process created from its create cache (no secret) and the older
    ones (there before the server started: the seed's) from the whole row, secret included."""

    def __init__(self) -> None:
        self.made_here: set[str] = set()

    def created(self, row: sqlite3.Row) -> dict[str, Any]:
        self.made_here.add(row["id"])
        return super().created(row)

    def listed(self, row: sqlite3.Row) -> dict[str, Any]:
        view = super().listed(row)
        return view if row["id"] in self.made_here else {**view, "secret": row["secret"]}


class _RemovedEchoesTheEndpoint(WebhookShapes):
    """The DELETE answer reuses the create serializer for "what was removed": the secret comes back too."""

    def removed(self, webhook_id: str, row: sqlite3.Row | None) -> JSONResponse:
        if row is None:
            return super().removed(webhook_id, row)
        return ok({"id": webhook_id, "deleted": True, "webhook": self.created(row)})


class _DeactivateOnly(WebhookRemoval):
    """ "Deletes" by switching the endpoint off: it stays listed, and deleting it again succeeds again."""

    def remove(self, conn: sqlite3.Connection, webhook_id: str, now_iso: str) -> None:
        conn.execute("UPDATE webhooks SET active = 0, updated_at = ? WHERE id = ?", (now_iso, webhook_id))


@dataclass(frozen=True)
class _ImportEveryValidNumber(LookupRules):
    def importable(self, result: dict[str, list[str]]) -> list[str]:
        return [*result["onWhatsApp"], *result["notOnWhatsApp"]]


@dataclass(frozen=True)
class _ImportAllButNotOnWhatsApp(LookupRules):
    """Imports by exclusion: every entry of the lookup but those reported not on WhatsApp, so the invalid
    entries become contacts too (as given)."""

    def importable(self, result: dict[str, list[str]]) -> list[str]:
        return [*result["onWhatsApp"], *result["invalid"]]


def _messaging(**changes: Any) -> Callable[[Policies], Policies]:
    def apply(policies: Policies) -> Policies:
        current = policies.extra.get("messaging", DEFAULT_MESSAGING_POLICIES)
        return policies.with_extra("messaging", replace(current, **changes))

    return apply


def _webhooks_cap_off_by_one(policies: Policies) -> Policies:
    cap = policies.plan_rules.caps["webhooks"]
    return replace(policies, plan_rules=policies.plan_rules.with_cap(replace(cap, reached=lambda c, limit: c > limit)))


FAULTS: tuple[Fault, ...] = (
    Fault(
        "send-missing-field",
        ("MSG-01",),
        "the send answer is built before the insert: it has no status and no providerMessageId",
        _messaging(send_response=_ResponseFromRequestFields()),
    ),
    Fault(
        "invalid-destination-500",
        ("ERR-06",),
        "a `to` that is not a number crashes the country-code parser (500) instead of 422 INVALID_DESTINATION",
        _messaging(destination=_CountryCodeFirst()),
    ),
    Fault(
        "outbound-quota-unenforced",
        ("MSG-16", "PLAN-15"),
        "sends and statuses never check the monthly outbound quota (they are still counted)",
        _messaging(outbound=OutboundGate(enforced=False)),
    ),
    Fault(
        "template-variables-trusted",
        ("TPL-06",),
        "a template keeps the variables list the client sent instead of the one found in its body",
        _messaging(template_variables=_ClientVariablesKept()),
    ),
    Fault(
        "webhook-secret-in-list",
        ("WH-01",),
        "GET /api/v1/webhooks shows each endpoint's signing secret",
        _messaging(webhook_shapes=_SecretListed()),
    ),
    Fault(
        "webhook-list-shows-older-secrets",
        ("WH-01",),
        "GET /api/v1/webhooks shows the signing secret of the endpoints that existed before the server started "
        "(the seeded one), not of those created since",
        lambda p: _messaging(webhook_shapes=_OlderEndpointsFromTheRow())(p),  # one create cache per server
    ),
    Fault(
        "webhook-delete-echoes-secret",
        ("WH-01",),
        "DELETE /api/v1/webhooks/{id} answers the removed endpoint as created, signing secret included",
        _messaging(webhook_shapes=_RemovedEchoesTheEndpoint()),
    ),
    Fault(
        "webhook-delete-leaves-readable",
        ("WH-07",),
        "DELETE only deactivates the endpoint: it stays listed and a second DELETE succeeds again",
        _messaging(webhook_removal=_DeactivateOnly()),
    ),
    Fault(
        "webhooks-cap-off-by-one",
        ("WH-06", "PLAN-09"),
        "one webhook endpoint more than the plan allows is accepted",
        _webhooks_cap_off_by_one,
    ),
    Fault(
        "campaign-plan-gate-off",
        ("CMP-14", "PLAN-10", "TEAM-12"),
        "campaigns are created whatever the plan",
        _messaging(features=FeatureGate(unchecked=frozenset({"campaigns"}))),
    ),
    Fault(
        "statuses-plan-gate-off",
        ("STAT-04", "PLAN-11", "PLAN-12"),
        "statuses are published whatever the plan",
        _messaging(features=FeatureGate(unchecked=frozenset({"statuses"}))),
    ),
    Fault(
        "campaign-pause-any-status",
        ("CMP-11",),
        "pause answers 200 whatever the campaign's status (pausing a paused campaign again included)",
        _messaging(campaigns=CampaignRules(pausable=frozenset({"scheduled", "running", "paused", "completed"}))),
    ),
    Fault(
        "lookup-sync-threshold-off-by-one",
        ("LKP-02",),
        "exactly 100 numbers are still checked synchronously (async only from 101)",
        _messaging(lookups=LookupRules(threshold_inclusive=False)),
    ),
    Fault(
        "lookup-import-all-numbers",
        ("LKP-08",),
        "import-contacts also turns the numbers that are not on WhatsApp into contacts",
        _messaging(lookups=_ImportEveryValidNumber()),
    ),
    Fault(
        "lookup-import-invalid-entries",
        ("LKP-08",),
        "import-contacts skips only the numbers not on WhatsApp: the lookup's invalid entries become contacts",
        _messaging(lookups=_ImportAllButNotOnWhatsApp()),
    ),
)
