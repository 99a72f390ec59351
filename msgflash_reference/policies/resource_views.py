"""Views and small rules of templates, statuses, campaigns, instances and number lookups (facts §11.4–§11.13),
as seams with the documented behaviour by default, and the faults that swap them.

`faults.py` loads this module through EXTENSION_MODULES; the defaults land in `svc.policies.extra["views"]`
(a `ResourceViews`, read with `resource_views(svc)`):

* `templates`: which types need a body or a media URL, the page offset, the preview's custom variables;
* `statuses`: the publish answer;
* `campaigns`: the `stats` object; `campaign_checks`: the rules of the create body;
* `instances`: an instance as listed and read, its state; `messages`: a message read by id;
* `webhooks`: how many events an endpoint takes;
* `lookups`: the progress object, and which lookups the worker still runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from msgflash_reference.errors import ApiError, invalid_field
from msgflash_reference.faults import Fault

if TYPE_CHECKING:
    from msgflash_reference.policies import Policies
    from msgflash_reference.services import Services

MEDIA_TEMPLATE_TYPES = frozenset({"image", "video", "audio", "document"})


# -- the seams ------------------------------------------------------------------------------------------
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


DEFAULT_VIEWS = ResourceViews()
POLICY_DEFAULTS: dict[str, object] = {"views": DEFAULT_VIEWS}


def resource_views(svc: Services) -> ResourceViews:
    return svc.policies.extra.get("views", DEFAULT_VIEWS)


# -- faulty pieces ----------------------------------------------------------------------------------------
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


def _views(**changes: Any) -> Callable[[Policies], Policies]:
    def apply(policies: Policies) -> Policies:
        current = policies.extra.get("views", DEFAULT_VIEWS)
        return policies.with_extra("views", replace(current, **changes))

    return apply


FAULTS: tuple[Fault, ...] = (
    Fault("text-template-body-optional", ("TPL-03",),
          "a text template without a body is accepted",
          _views(templates=TemplateRules(needs_body=frozenset()))),
    Fault("media-template-url-optional", ("TPL-04",),
          "a media template without mediaUrl is accepted (as a caption-only template)",
          _views(templates=TemplateRules(needs_media=frozenset()))),
    Fault("templates-page-from-zero", ("TPL-09", "PAGE-14"),
          "the templates list counts pages from 0: page 1 skips the first page of templates",
          _views(templates=_PageFromZero())),
    Fault("preview-ignores-variables", ("TPL-07",),
          "template preview never reads the request's variables: custom.* stay missing",
          _views(templates=_PreviewWithoutCustom())),
    Fault("status-answer-without-provider-id", ("STAT-01",),
          "publishing a status answers 201 without providerMessageId",
          _views(statuses=_StatusAnswerWithoutProviderId())),
    Fault("campaign-stats-partial", ("CMP-15",),
          "a campaign's stats leave out the timestamps that are not set yet",
          _views(campaigns=_StatsOfCountsOnly())),
    Fault("campaign-type-and-template-accepted", ("CMP-02",),
          "a campaign with both templateId and type is accepted (the template wins)",
          _views(campaign_checks=CampaignChecks(forgotten=frozenset({"templateId"})))),
    Fault("campaign-empty-accepted", ("CMP-03",),
          "a campaign with neither templateId nor type is accepted",
          _views(campaign_checks=CampaignChecks(forgotten=frozenset({"type"})))),
    Fault("campaign-content-unchecked", ("CMP-04",),
          "a direct campaign's content is not checked against its type (text without body, media without URL)",
          _views(campaign_checks=CampaignChecks(forgotten=frozenset({"body", "mediaUrl", "title", "description",
                                                                      "buttons"})))),
    Fault("campaign-recipients-unchecked", ("CMP-05",),
          "tags or explicit recipients with no entries are accepted",
          _views(campaign_checks=CampaignChecks(forgotten=frozenset({"recipients.value"})))),
    Fault("campaign-created-as-draft", ("CMP-01",),
          "a new campaign starts as draft instead of scheduled (and so never runs)",
          _views(campaign_checks=CampaignChecks(initial_status="draft"))),
    Fault("unknown-campaign-500", ("CMP-13", "ERR-03"),
          "an unknown campaign id is not checked: get, pause and resume crash on it (500)",
          _views(campaign_checks=CampaignChecks(unknown_id_checked=False))),
    Fault("message-get-drops-nulls", ("MSG-15",),
          "GET /api/v1/messages/{id} leaves out the message's null fields",
          _views(messages=_MessageDropsNulls())),
    Fault("webhook-events-unbounded", ("WH-02",),
          "a webhook endpoint accepts more than 50 events",
          _views(webhooks=WebhookRules(max_events=None))),
    Fault("instance-list-drops-nulls", ("INST-01",),
          "GET /api/v1/instances leaves out null fields (webhook, meta, deletedAt)",
          _views(instances=_ListDropsNulls())),
    Fault("instance-get-is-summary", ("INST-02",),
          "GET /api/v1/instances/{id} answers {id, status} instead of the instance",
          _views(instances=_ReadIsTheState())),
    Fault("instance-state-without-provider-state", ("INST-03",),
          "GET /api/v1/instances/{id}/state has no providerState",
          _views(instances=_StateWithoutProviderState())),
    Fault("instance-status-provider-words", ("INST-04",),
          "the instances list shows the provider's connection word (open, close) as status",
          _views(instances=_ProviderStatusListed())),
    Fault("lookup-progress-without-counts", ("LKP-06",),
          "a lookup's progress lacks onWhatsAppCount, notOnWhatsAppCount and invalidCount",
          _views(lookups=_ProgressWithoutCounts())),
    Fault("lookup-cancel-not-stopping", ("LKP-09",),
          "the lookup worker keeps checking cancelled lookups (they go back to processing)",
          _views(lookups=_CancelledLookupsRun())),
)
