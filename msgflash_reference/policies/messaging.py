"""Messaging-area policies (messages send/schedule, statuses, templates, campaigns, webhooks, number lookups):
`svc.policies.messaging`, a `MessagingPolicies`.

Each seam decides one thing a real implementation can get wrong; a fault (`faults/messaging.py`) replaces
exactly one of them. `webhook_deletion` decides which endpoint a `DELETE /api/v1/webhooks/{id}` removes (an id
the workspace has no live endpoint under is 404, ERR-05); `webhook_removal` how it is removed.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi.responses import JSONResponse

from msgflash_reference.envelopes import deleted
from msgflash_reference.errors import ApiError
from msgflash_reference.message_store import message_view
from msgflash_reference.phone_numbers import normalize_number
from msgflash_reference.plan_rules import PlanRules
from msgflash_reference.plans import Plan
from msgflash_reference.policies.ownership import Ownership
from msgflash_reference.quotas import check_outbound, record_outbound
from msgflash_reference.templating import placeholders


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

    def check_pause(self, status: str) -> None:
        if status not in self.pausable:
            raise ApiError("BAD_REQUEST", f"A {status} campaign cannot be paused")

    def check_resume(self, status: str) -> None:
        if status not in self.resumable:
            raise ApiError("BAD_REQUEST", f"A {status} campaign cannot be resumed; only a paused one")


class WebhookDeletion:
    """DELETE /api/v1/webhooks/{id}: the workspace's live endpoint with that id, or 404 NOT_FOUND."""

    def delete(self, conn: sqlite3.Connection, ownership: Ownership, removal: WebhookRemoval, webhook_id: str,
               workspace_id: str, now_iso: str) -> None:
        row = ownership.load(conn, "webhooks", webhook_id, workspace_id, "Webhook")
        removal.remove(conn, row["id"], now_iso)


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
    webhook_deletion: WebhookDeletion = field(default_factory=WebhookDeletion)
