"""Workspace-area answers (groups, templates, lookups, contacts) and the SHOULD-level faults that swap them.

`faults.py` loads this module through EXTENSION_MODULES: the defaults land in `svc.policies.extra["workspace"]`
(a `WorkspaceRules`, read with `workspace_rules(svc)`), FAULTS join the registry. Each seam decides one thing a
real implementation can get wrong; a fault replaces exactly one of them:

* `groups`: the SQL column that counts a group's members (GRP-09);
* `members`: the answer of a synchronous add-members call (GRP-04);
* `previews`: which unfilled placeholders a template preview reports missing (TPL-08);
* `lookups`: the counters of a synchronous number lookup (LKP-07);
* `contacts`: the answer of a contact create (CNT-02).

Two more faults reuse other modules' seams: the campaign validator's rules (`resource_views`, CMP-06) and the
request-body models (`body_faults`, WH-03). This module imports no route module at load time: the routes import
its seams, and `body_faults` imports routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from pydantic import Field

from msgflash_reference.faults import Fault
from msgflash_reference.policies.resource_views import DEFAULT_VIEWS, CampaignChecks

if TYPE_CHECKING:
    from msgflash_reference.policies import Policies
    from msgflash_reference.services import Services

# Live count of a group's members; `g` is the contact_groups row of the query.
LIVE_MEMBER_COUNT = "(SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id)"


# -- the seams ------------------------------------------------------------------------------------------
class GroupCounts:
    def columns(self) -> str:
        """The select list of a group read: the row and its member count as `contact_count`."""
        return f"g.*, {self.member_count()} AS contact_count"

    def member_count(self) -> str:
        return LIVE_MEMBER_COUNT


class MemberAnswers:
    def added(self, counts: dict[str, int], requested: int) -> dict[str, int]:
        """{added, alreadyInGroup, notFound, total} of a synchronous add."""
        return {**counts, "total": requested}


class PreviewRules:
    def missing(self, missing: list[str]) -> list[str]:
        """The placeholders a preview reports missing: every one it could not fill."""
        return missing


class LookupCounters:
    def sync(self, view: dict[str, Any]) -> dict[str, Any]:
        """The synchronous answer: counters are the lengths of the result lists."""
        return view


class ContactAnswers:
    def created(self, view: dict[str, Any]) -> dict[str, Any]:
        """The create answer: the contact as GET shows it."""
        return view


@dataclass(frozen=True)
class WorkspaceRules:
    groups: GroupCounts = field(default_factory=GroupCounts)
    members: MemberAnswers = field(default_factory=MemberAnswers)
    previews: PreviewRules = field(default_factory=PreviewRules)
    lookups: LookupCounters = field(default_factory=LookupCounters)
    contacts: ContactAnswers = field(default_factory=ContactAnswers)


DEFAULT_WORKSPACE_RULES = WorkspaceRules()
POLICY_DEFAULTS: dict[str, object] = {"workspace": DEFAULT_WORKSPACE_RULES}


def workspace_rules(svc: Services) -> WorkspaceRules:
    return svc.policies.extra.get("workspace", DEFAULT_WORKSPACE_RULES)


# -- faulty pieces ----------------------------------------------------------------------------------------
class _CountAsOfLastSave(GroupCounts):
    """A counter kept on the group row and refreshed only when the group itself is saved (create, PUT): members
    added since are not counted. Modelled as the members added no later than the group's updated_at."""

    def member_count(self) -> str:
        return ("(SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id "
                "AND m.added_at <= g.updated_at)")


class _AttemptsCountedAsAdded(MemberAnswers):
    """Counts every existing contact it tried to insert as added (INSERT OR IGNORE, rowcount not read)."""

    def added(self, counts: dict[str, int], requested: int) -> dict[str, int]:
        tried = counts["added"] + counts["alreadyInGroup"]
        return {**counts, "added": tried, "alreadyInGroup": 0, "total": requested}


class _CustomFilledAtSend(PreviewRules):
    """Treats custom.* as 'given at send time': never reported missing, so the preview says valid."""

    def missing(self, missing: list[str]) -> list[str]:
        return [name for name in missing if not name.startswith("custom.")]


class _NotOnWhatsAppByDifference(LookupCounters):
    """Derives notOnWhatsAppCount as requested − onWhatsApp, so the invalid numbers are counted twice."""

    def sync(self, view: dict[str, Any]) -> dict[str, Any]:
        return {**view, "notOnWhatsAppCount": view["requested"] - view["onWhatsAppCount"]}


class _IdOnlyCreate(ContactAnswers):
    """Answers the insert's id only, as an ORM's `insert().returning(id)` would."""

    def created(self, view: dict[str, Any]) -> dict[str, Any]:
        return {"id": view["id"]}


def _workspace(**changes: Any) -> Callable[[Policies], Policies]:
    def apply(policies: Policies) -> Policies:
        current = policies.extra.get("workspace", DEFAULT_WORKSPACE_RULES)
        return policies.with_extra("workspace", replace(current, **changes))

    return apply


def _group_id_optional(policies: Policies) -> Policies:
    """The campaign validator has no rule for recipients.groupId: a group campaign without one is created and
    resolves to an empty audience (the create handler looks a group up only when an id is given)."""
    views = policies.extra.get("views", DEFAULT_VIEWS)
    current = views.campaign_checks
    checks: CampaignChecks = replace(current, forgotten=current.forgotten | {"recipients.groupId"})
    return policies.with_extra("views", replace(views, campaign_checks=checks))


def _webhook_events_free(policies: Policies) -> Policies:
    """The webhook body types `events` as a list of strings: any event name is stored."""
    # Imported here: body_faults imports route modules, which import this module's seams.
    from msgflash_reference.policies.body_faults import _bodies, _variant
    from msgflash_reference.routes.webhooks import WebhookCreate

    free = _variant(WebhookCreate, events=(list[str], Field(min_length=1)))
    return _bodies({WebhookCreate: free})(policies)


FAULTS: tuple[Fault, ...] = (
    Fault("campaign-group-id-optional", ("CMP-06",),
          "recipients {type: group} without groupId is accepted and the campaign gets an empty audience",
          _group_id_optional),
    Fault("webhook-events-unchecked", ("WH-03",),
          "webhook events are not checked against the documented set: an unknown event name is stored",
          _webhook_events_free),
    Fault("group-count-stale", ("GRP-09",),
          "a group's contactCount is refreshed only when the group is saved: members added later are not counted",
          _workspace(groups=_CountAsOfLastSave())),
    Fault("add-members-already-as-added", ("GRP-04",),
          "adding members counts contacts already in the group as added (alreadyInGroup always 0)",
          _workspace(members=_AttemptsCountedAsAdded())),
    Fault("preview-custom-never-missing", ("TPL-08",),
          "template preview never reports custom.* placeholders missing: a preview without the value says valid",
          _workspace(previews=_CustomFilledAtSend())),
    Fault("lookup-invalid-as-not-on-whatsapp", ("LKP-07",),
          "a sync lookup's notOnWhatsAppCount is requested − onWhatsApp: invalid numbers are counted there too",
          _workspace(lookups=_NotOnWhatsAppByDifference())),
    Fault("contact-create-id-only", ("CNT-02",),
          "creating a contact answers {id} only instead of the contact",
          _workspace(contacts=_IdOnlyCreate())),
)
