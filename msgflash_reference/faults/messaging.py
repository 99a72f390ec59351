"""Faults of the messaging area (MSG, STAT, TPL, CMP, WH, LKP): destinations, the outbound quota gate and its
counting, feature gates, the send answer, template variables, webhook shapes and removal, campaign pause and
resume, number-lookup rules. Each swaps one part of `svc.policies.messaging`.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi.responses import JSONResponse

from msgflash_reference.envelopes import ok
from msgflash_reference.errors import ApiError
from msgflash_reference.faults.fault import Fault, swap
from msgflash_reference.policies.messaging import (
    CampaignRules,
    DestinationRule,
    FeatureGate,
    LookupRules,
    OutboundGate,
    SendResponse,
    TemplateVariables,
    WebhookDeletion,
    WebhookRemoval,
    WebhookShapes,
)
from msgflash_reference.policies.ownership import Ownership
from msgflash_reference.templating import placeholders


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


class _IdempotentWebhookDeletion(WebhookDeletion):
    """Treats DELETE as idempotent: an id it finds no live endpoint under counts as already deleted (200)."""

    def delete(self, conn: sqlite3.Connection, ownership: Ownership, removal: WebhookRemoval, webhook_id: str,
               workspace_id: str, now_iso: str) -> None:
        row = conn.execute(
            "SELECT id FROM webhooks WHERE id = ? AND workspace_id = ? AND deleted_at IS NULL",
            (webhook_id, workspace_id),
        ).fetchone()
        if row is not None:
            removal.remove(conn, row["id"], now_iso)


FAULTS: tuple[Fault, ...] = (
    Fault(
        "send-missing-field",
        ("MSG-01",),
        "the send answer is built before the insert: it has no status and no providerMessageId",
        swap("messaging", send_response=_ResponseFromRequestFields()),
    ),
    Fault(
        "invalid-destination-500",
        ("ERR-06",),
        "a `to` that is not a number crashes the country-code parser (500) instead of 422 INVALID_DESTINATION",
        swap("messaging", destination=_CountryCodeFirst()),
    ),
    Fault(
        "outbound-quota-unenforced",
        ("MSG-16", "PLAN-15"),
        "sends and statuses never check the monthly outbound quota (they are still counted)",
        swap("messaging", outbound=OutboundGate(enforced=False)),
    ),
    Fault(
        "template-variables-trusted",
        ("TPL-06",),
        "a template keeps the variables list the client sent instead of the one found in its body",
        swap("messaging", template_variables=_ClientVariablesKept()),
    ),
    Fault(
        "webhook-secret-in-list",
        ("WH-01",),
        "GET /api/v1/webhooks shows each endpoint's signing secret",
        swap("messaging", webhook_shapes=_SecretListed()),
    ),
    Fault(
        "webhook-list-shows-older-secrets",
        ("WH-01",),
        "GET /api/v1/webhooks shows the signing secret of the endpoints that existed before the server started "
        "(the seeded one), not of those created since",
        lambda p: swap("messaging", webhook_shapes=_OlderEndpointsFromTheRow())(p),  # one create cache per server
    ),
    Fault(
        "webhook-delete-echoes-secret",
        ("WH-01",),
        "DELETE /api/v1/webhooks/{id} answers the removed endpoint as created, signing secret included",
        swap("messaging", webhook_shapes=_RemovedEchoesTheEndpoint()),
    ),
    Fault(
        "webhook-delete-leaves-readable",
        ("WH-07",),
        "DELETE only deactivates the endpoint: it stays listed and a second DELETE succeeds again",
        swap("messaging", webhook_removal=_DeactivateOnly()),
    ),
    Fault(
        "campaign-plan-gate-off",
        ("CMP-14", "PLAN-10", "TEAM-12"),
        "campaigns are created whatever the plan",
        swap("messaging", features=FeatureGate(unchecked=frozenset({"campaigns"}))),
    ),
    Fault(
        "statuses-plan-gate-off",
        ("STAT-04", "PLAN-11", "PLAN-12"),
        "statuses are published whatever the plan",
        swap("messaging", features=FeatureGate(unchecked=frozenset({"statuses"}))),
    ),
    Fault(
        "campaign-pause-any-status",
        ("CMP-11",),
        "pause answers 200 whatever the campaign's status (pausing a paused campaign again included)",
        swap("messaging", campaigns=CampaignRules(pausable=frozenset({"scheduled", "running", "paused", "completed"}))),
    ),
    Fault(
        "lookup-sync-threshold-off-by-one",
        ("LKP-02",),
        "exactly 100 numbers are still checked synchronously (async only from 101)",
        swap("messaging", lookups=LookupRules(threshold_inclusive=False)),
    ),
    Fault(
        "lookup-import-all-numbers",
        ("LKP-08",),
        "import-contacts also turns the numbers that are not on WhatsApp into contacts",
        swap("messaging", lookups=_ImportEveryValidNumber()),
    ),
    Fault(
        "lookup-import-invalid-entries",
        ("LKP-08",),
        "import-contacts skips only the numbers not on WhatsApp: the lookup's invalid entries become contacts",
        swap("messaging", lookups=_ImportAllButNotOnWhatsApp()),
    ),
    Fault("sends-not-counted", ("MSG-17",),
          "a send is not counted on messagesCount (nor effectiveOutboundUsage)",
          swap("messaging", outbound=_OutboundSkipping(skipped="messages"))),
    Fault("statuses-not-counted", ("STAT-05",),
          "a published status is not counted on statusesCount (nor effectiveOutboundUsage)",
          swap("messaging", outbound=_OutboundSkipping(skipped="statuses"))),
    Fault("template-variables-without-namespace", ("TPL-01", "TPL-06"),
          "a template's variables list each placeholder without its namespace (firstName, not contact.firstName)",
          swap("messaging", template_variables=_VariablesWithoutNamespace())),
    Fault("template-any-namespace", ("TPL-02",),
          "templates accept placeholders of any namespace and unbalanced braces instead of 400 TEMPLATE_INVALID",
          swap("messaging", template_variables=_LoosePlaceholders())),
    Fault("campaign-resume-scheduled-only", ("CMP-12", "CMP-09"),
          "resume accepts only scheduled campaigns: a paused one answers 400 BAD_REQUEST",
          swap("messaging", campaigns=CampaignRules(resumable=frozenset({"scheduled"})))),
    Fault("campaign-pause-scheduled-only", ("CMP-10",),
          "pause accepts only campaigns that have not started: a running one answers 400 BAD_REQUEST",
          swap("messaging", campaigns=CampaignRules(pausable=frozenset({"scheduled"})))),
    Fault("lookup-always-async", ("LKP-01",),
          "the async threshold is 0 (an unset setting): even two numbers answer 202 and run in the background",
          swap("messaging", lookups=LookupRules(async_threshold=0))),
    Fault("webhook-delete-unknown-succeeds", ("ERR-05", "WH-07", "ERR-02"),
          "DELETE /api/v1/webhooks/{id} is idempotent: an unknown, deleted or foreign id answers 200 deleted",
          swap("messaging", webhook_deletion=_IdempotentWebhookDeletion())),
)
