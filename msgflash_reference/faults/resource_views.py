"""Faults of the template, status, campaign, message, webhook, instance and lookup views and rules (TPL, STAT,
CMP, MSG-15, WH-02, INST, LKP): each swaps one part of `svc.policies.views`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from msgflash_reference.faults.fault import Apply, Fault, swap
from msgflash_reference.policies import Policies
from msgflash_reference.policies.resource_views import (
    CampaignChecks,
    CampaignViews,
    InstanceViews,
    LookupCounters,
    LookupViews,
    MessageViews,
    PreviewRules,
    StatusAnswer,
    TemplateRules,
    WebhookRules,
)


@dataclass(frozen=True)
class _PageFromZero(TemplateRules):
    """Counts pages from 0: page 1 skips the first `limit` templates."""

    def offset(self, page: int, limit: int) -> int:
        return page * limit


@dataclass(frozen=True)
class _PreviewWithoutCustom(TemplateRules):
    """The preview fills contact, user and instance variables but never reads the request's `variables`."""

    def preview_custom(self, variables: Mapping[str, Any] | None) -> Mapping[str, Any]:
        return {}


class _StatusAnswerWithoutProviderId(StatusAnswer):
    """Answers before the provider call returns: no providerMessageId."""

    def view(self, instance_id: str, provider_message_id: str) -> dict[str, Any]:
        return {"instanceId": instance_id}


class _StatsOfCountsOnly(CampaignViews):
    """Serializes the counters and leaves out the timestamps that are still unset."""

    def stats(self, stats: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in stats.items() if v is not None}


class _MessageDropsNulls(MessageViews):
    """Serializes a message without its null fields (contactId, campaignId, error, meta, ...)."""

    def read(self, view: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in view.items() if v is not None}


class _ListDropsNulls(InstanceViews):
    """The list serializer omits null fields (webhook, meta, deletedAt)."""

    def listed(self, view: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in view.items() if v is not None}


class _ReadIsTheState(InstanceViews):
    """GET /instances/{id} answers the connection summary instead of the instance."""

    def read(self, view: dict[str, Any]) -> dict[str, Any]:
        return {"id": view["id"], "status": view["status"]}


class _StateWithoutProviderState(InstanceViews):
    def state(self, view: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in view.items() if k != "providerState"}


_PROVIDER_WORDS = {"connected": "open", "connecting": "connecting", "disconnected": "close"}


class _ProviderStatusListed(InstanceViews):
    """Lists the provider's connection word (open, close) as the instance status."""

    def listed(self, view: dict[str, Any]) -> dict[str, Any]:
        return {**view, "status": _PROVIDER_WORDS.get(view["status"], view["status"])}


class _ProgressWithoutCounts(LookupViews):
    """The progress object stops at checkedCount: the per-outcome counters live in the result only."""

    def progress(self, view: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in view.items() if not k.endswith("WhatsAppCount") and k != "invalidCount"}


class _CancelledLookupsRun(LookupViews):
    """The worker picks every lookup that is not done or failed: a cancelled one goes on."""

    open_statuses = ("pending", "processing", "cancelled")


class _CustomFilledAtSend(PreviewRules):
    """Treats custom.* as 'given at send time': never reported missing, so the preview says valid."""

    def missing(self, missing: list[str]) -> list[str]:
        return [name for name in missing if not name.startswith("custom.")]


class _NotOnWhatsAppByDifference(LookupCounters):
    """Derives notOnWhatsAppCount as requested − onWhatsApp, so the invalid numbers are counted twice."""

    def sync(self, view: dict[str, Any]) -> dict[str, Any]:
        return {**view, "notOnWhatsAppCount": view["requested"] - view["onWhatsAppCount"]}


def campaign_checks_forgetting(*fields: str) -> Apply:
    """The campaign validator without the rules of these fields (on top of an earlier fault's)."""

    def apply(policies: Policies) -> Policies:
        checks = policies.views.campaign_checks
        return swap("views", campaign_checks=replace(checks, forgotten=checks.forgotten | frozenset(fields)))(policies)

    return apply


FAULTS: tuple[Fault, ...] = (
    Fault("text-template-body-optional", ("TPL-03",),
          "a text template without a body is accepted",
          swap("views", templates=TemplateRules(needs_body=frozenset()))),
    Fault("media-template-url-optional", ("TPL-04",),
          "a media template without mediaUrl is accepted (as a caption-only template)",
          swap("views", templates=TemplateRules(needs_media=frozenset()))),
    Fault("templates-page-from-zero", ("TPL-09", "PAGE-14"),
          "the templates list counts pages from 0: page 1 skips the first page of templates",
          swap("views", templates=_PageFromZero())),
    Fault("preview-ignores-variables", ("TPL-07",),
          "template preview never reads the request's variables: custom.* stay missing",
          swap("views", templates=_PreviewWithoutCustom())),
    Fault("status-answer-without-provider-id", ("STAT-01",),
          "publishing a status answers 201 without providerMessageId",
          swap("views", statuses=_StatusAnswerWithoutProviderId())),
    Fault("campaign-stats-partial", ("CMP-15",),
          "a campaign's stats leave out the timestamps that are not set yet",
          swap("views", campaigns=_StatsOfCountsOnly())),
    Fault("campaign-type-and-template-accepted", ("CMP-02",),
          "a campaign with both templateId and type is accepted (the template wins)",
          swap("views", campaign_checks=CampaignChecks(forgotten=frozenset({"templateId"})))),
    Fault("campaign-empty-accepted", ("CMP-03",),
          "a campaign with neither templateId nor type is accepted",
          swap("views", campaign_checks=CampaignChecks(forgotten=frozenset({"type"})))),
    Fault("campaign-content-unchecked", ("CMP-04",),
          "a direct campaign's content is not checked against its type (text without body, media without URL)",
          swap("views", campaign_checks=CampaignChecks(forgotten=frozenset({"body", "mediaUrl", "title", "description",
                                                                      "buttons"})))),
    Fault("campaign-recipients-unchecked", ("CMP-05",),
          "tags or explicit recipients with no entries are accepted",
          swap("views", campaign_checks=CampaignChecks(forgotten=frozenset({"recipients.value"})))),
    Fault("campaign-created-as-draft", ("CMP-01",),
          "a new campaign starts as draft instead of scheduled (and so never runs)",
          swap("views", campaign_checks=CampaignChecks(initial_status="draft"))),
    Fault("unknown-campaign-500", ("CMP-13", "ERR-03"),
          "an unknown campaign id is not checked: get, pause and resume crash on it (500)",
          swap("views", campaign_checks=CampaignChecks(unknown_id_checked=False))),
    Fault("message-get-drops-nulls", ("MSG-15",),
          "GET /api/v1/messages/{id} leaves out the message's null fields",
          swap("views", messages=_MessageDropsNulls())),
    Fault("webhook-events-unbounded", ("WH-02",),
          "a webhook endpoint accepts more than 50 events",
          swap("views", webhooks=WebhookRules(max_events=None))),
    Fault("instance-list-drops-nulls", ("INST-01",),
          "GET /api/v1/instances leaves out null fields (webhook, meta, deletedAt)",
          swap("views", instances=_ListDropsNulls())),
    Fault("instance-get-is-summary", ("INST-02",),
          "GET /api/v1/instances/{id} answers {id, status} instead of the instance",
          swap("views", instances=_ReadIsTheState())),
    Fault("instance-state-without-provider-state", ("INST-03",),
          "GET /api/v1/instances/{id}/state has no providerState",
          swap("views", instances=_StateWithoutProviderState())),
    Fault("instance-status-provider-words", ("INST-04",),
          "the instances list shows the provider's connection word (open, close) as status",
          swap("views", instances=_ProviderStatusListed())),
    Fault("lookup-progress-without-counts", ("LKP-06",),
          "a lookup's progress lacks onWhatsAppCount, notOnWhatsAppCount and invalidCount",
          swap("views", lookups=_ProgressWithoutCounts())),
    Fault("lookup-cancel-not-stopping", ("LKP-09",),
          "the lookup worker keeps checking cancelled lookups (they go back to processing)",
          swap("views", lookups=_CancelledLookupsRun())),
    Fault("preview-custom-never-missing", ("TPL-08",),
          "template preview never reports custom.* placeholders missing: a preview without the value says valid",
          swap("views", previews=_CustomFilledAtSend())),
    Fault("lookup-invalid-as-not-on-whatsapp", ("LKP-07",),
          "a sync lookup's notOnWhatsAppCount is requested − onWhatsApp: invalid numbers are counted there too",
          swap("views", lookup_counters=_NotOnWhatsAppByDifference())),
    Fault("campaign-group-id-optional", ("CMP-06",),
          "recipients {type: group} without groupId is accepted and the campaign gets an empty audience",
          campaign_checks_forgetting("recipients.groupId")),
)
