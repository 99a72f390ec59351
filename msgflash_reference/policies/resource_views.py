"""Views and small rules of templates, statuses, campaigns, instances and number lookups (facts §11.4–§11.13),
as seams with the documented behaviour by default: `svc.policies.views` (faults: `faults/resource_views.py`).

* `templates`: which types need a body or a media URL, the page offset, the preview's custom variables;
  `previews`: which unfilled placeholders a template preview reports missing (TPL-08);
* `statuses`: the publish answer;
* `campaigns`: the `stats` object; `campaign_checks`: the rules of the create body;
* `instances`: an instance as listed and read, its state; `messages`: a message read by id;
* `webhooks`: how many events an endpoint takes;
* `lookups`: the progress object, and which lookups the worker still runs; `lookup_counters`: the counters of a
  synchronous number lookup (LKP-07).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from msgflash_reference.errors import ApiError, invalid_field
from msgflash_reference.policies.ownership import Ownership

MEDIA_TEMPLATE_TYPES = frozenset({"image", "video", "audio", "document"})


@dataclass(frozen=True)
class TemplateRules:
    needs_body: frozenset[str] = frozenset({"text"})
    needs_media: frozenset[str] = MEDIA_TEMPLATE_TYPES

    def check_content(self, kind: str, body: str | None, media_url: str | None) -> None:
        if kind in self.needs_body and (body is None or not body.strip()):
            raise invalid_field("body", "is required for a text template")
        if kind in self.needs_media and (media_url is None or not media_url.strip()):
            raise invalid_field("mediaUrl", f"is required for a {kind} template")

    def offset(self, page: int, limit: int) -> int:
        return (page - 1) * limit

    def preview_custom(self, variables: Mapping[str, Any] | None) -> Mapping[str, Any]:
        return variables or {}


class StatusAnswer:
    def view(self, instance_id: str, provider_message_id: str) -> dict[str, Any]:
        return {"instanceId": instance_id, "providerMessageId": provider_message_id}


class CampaignViews:
    def stats(self, stats: dict[str, Any]) -> dict[str, Any]:
        return stats


@dataclass(frozen=True)
class CampaignChecks:
    """The create validator's rules, by the field each reports; a rule left out lets its violations through."""

    forgotten: frozenset[str] = frozenset()
    initial_status: str = "scheduled"
    unknown_id_checked: bool = True  # an unknown campaign id is 404 NOT_FOUND

    def load(self, ownership: Ownership, conn: sqlite3.Connection, campaign_id: str, workspace_id: str) -> Any:
        """The campaign a by-id route acts on: through the ownership policy (404 for an unknown or foreign id).
        Without the rule the row, or None, goes to the handler as it is."""
        if not self.unknown_id_checked:
            return conn.execute(
                "SELECT * FROM campaigns WHERE id = ? AND workspace_id = ?", (campaign_id, workspace_id)
            ).fetchone()
        return ownership.load(conn, "campaigns", campaign_id, workspace_id, "Campaign")

    def tolerates(self, error: ApiError) -> bool:
        fields = {d.get("field") for d in error.details or [] if isinstance(d, dict)}
        return error.code == "VALIDATION_ERROR" and bool(fields) and fields <= self.forgotten


class MessageViews:
    def read(self, view: dict[str, Any]) -> dict[str, Any]:
        """GET /messages/{id}: the stored message, every documented field (null ones included)."""
        return view


@dataclass(frozen=True)
class WebhookRules:
    max_events: int | None = 50  # 1 to 50 events (the lower bound is the body model's)

    def check_events(self, count: int) -> None:
        if self.max_events is not None and count > self.max_events:
            raise invalid_field("events", f"at most {self.max_events} events")


class InstanceViews:
    def listed(self, view: dict[str, Any]) -> dict[str, Any]:
        return view

    def read(self, view: dict[str, Any]) -> dict[str, Any]:
        return view

    def state(self, view: dict[str, Any]) -> dict[str, Any]:
        return view


class LookupViews:
    open_statuses: tuple[str, ...] = ("pending", "processing")

    def progress(self, view: dict[str, Any]) -> dict[str, Any]:
        return view


class PreviewRules:
    def missing(self, missing: list[str]) -> list[str]:
        """The placeholders a preview reports missing: every one it could not fill."""
        return missing


class LookupCounters:
    def sync(self, view: dict[str, Any]) -> dict[str, Any]:
        """The synchronous answer: counters are the lengths of the result lists."""
        return view


@dataclass(frozen=True)
class ResourceViews:
    templates: TemplateRules = field(default_factory=TemplateRules)
    statuses: StatusAnswer = field(default_factory=StatusAnswer)
    campaigns: CampaignViews = field(default_factory=CampaignViews)
    campaign_checks: CampaignChecks = field(default_factory=CampaignChecks)
    instances: InstanceViews = field(default_factory=InstanceViews)
    messages: MessageViews = field(default_factory=MessageViews)
    webhooks: WebhookRules = field(default_factory=WebhookRules)
    lookups: LookupViews = field(default_factory=LookupViews)
    previews: PreviewRules = field(default_factory=PreviewRules)
    lookup_counters: LookupCounters = field(default_factory=LookupCounters)
