"""The policies the server calls through: one `Policies` set per running server, a typed field per seam.

Every decision a fault may get wrong goes through one of these small objects; `msgflash_reference.faults`
builds the set at start by swapping single fields for faulty variants (`faults.fault.swap`). The set is
frozen: a server instance gets its policies once.

The tree, one module per area (the compliant seams only; their faults live in `faults/<area>.py`):

* core request pipeline: `key_resolver`, `access`, `pagination`, `search`, `ownership`, `error_mapper`,
  `filters` (and, outside this package, `plan_rules.PlanRules`, `quotas.QuotaPolicy`, `ratelimit.RatePolicy`,
  `keys.KeyGenerator`, `bodies.RequestBodies`);
* public API areas: `contacts` (contacts, groups, members, bulk jobs), `resource_views` (templates, statuses,
  campaigns, instances, messages, webhooks, lookups), `messaging`, `send_rules`, `instance_reference`,
  `listings`, `public_billing`, `account`;
* console areas: `console` (sign-in, workspace resolution, team deletion), `roles`, `teams`, `invitations`,
  `key_lists`, `billing`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from msgflash_reference.bodies import RequestBodies
from msgflash_reference.keys import KeyGenerator
from msgflash_reference.plan_rules import PlanRules
from msgflash_reference.policies.access import DEFAULT_ACCESS_RULES, AccessRule, RouteKind
from msgflash_reference.policies.account import AccountAnswers
from msgflash_reference.policies.billing import BillingRules
from msgflash_reference.policies.console import AuthRules, ConsoleWorkspaceResolver, TeamLifecycle
from msgflash_reference.policies.contacts import ContactPolicies
from msgflash_reference.policies.error_mapper import ErrorMapper
from msgflash_reference.policies.filters import MessageFilters
from msgflash_reference.policies.instance_reference import InstanceReference
from msgflash_reference.policies.invitations import AcceptRules, InvitationRules, InviteChecks
from msgflash_reference.policies.key_lists import KeyListView
from msgflash_reference.policies.key_resolver import KeyResolver
from msgflash_reference.policies.listings import Listings
from msgflash_reference.policies.messaging import MessagingPolicies
from msgflash_reference.policies.ownership import Ownership
from msgflash_reference.policies.pagination import Pager
from msgflash_reference.policies.public_billing import PublicBillingViews
from msgflash_reference.policies.resource_views import ResourceViews
from msgflash_reference.policies.roles import RoleMatrix
from msgflash_reference.policies.search import SearchMatcher
from msgflash_reference.policies.send_rules import ScheduledQuotaRecheck, SendRules, SubscriptionGate
from msgflash_reference.policies.teams import AssignmentGate, TeamAnswers, TeamCreationRules
from msgflash_reference.quotas import QuotaPolicy
from msgflash_reference.ratelimit import RatePolicy


@dataclass(frozen=True)
class Policies:
    # -- core: the request pipeline, listings, errors, caps ---------------------------------------------
    key_resolver: KeyResolver = field(default_factory=KeyResolver)
    access_rules: Mapping[RouteKind, AccessRule] = field(default_factory=lambda: dict(DEFAULT_ACCESS_RULES))
    pager: Pager = field(default_factory=Pager)
    search: SearchMatcher = field(default_factory=SearchMatcher)
    ownership: Ownership = field(default_factory=Ownership)
    error_mapper: ErrorMapper = field(default_factory=ErrorMapper)
    rate: RatePolicy = field(default_factory=RatePolicy)
    plan_rules: PlanRules = field(default_factory=PlanRules)
    quota: QuotaPolicy = field(default_factory=QuotaPolicy)
    key_generator: KeyGenerator = field(default_factory=KeyGenerator)
    message_filters: MessageFilters = field(default_factory=MessageFilters)
    request_bodies: RequestBodies = field(default_factory=RequestBodies)
    # -- public API areas --------------------------------------------------------------------------------
    contacts: ContactPolicies = field(default_factory=ContactPolicies)
    views: ResourceViews = field(default_factory=ResourceViews)
    listings: Listings = field(default_factory=Listings)
    messaging: MessagingPolicies = field(default_factory=MessagingPolicies)
    send_rules: SendRules = field(default_factory=SendRules)
    subscription_gate: SubscriptionGate = field(default_factory=SubscriptionGate)
    scheduled_recheck: ScheduledQuotaRecheck = field(default_factory=ScheduledQuotaRecheck)
    instance_reference: InstanceReference = field(default_factory=InstanceReference)
    public_billing: PublicBillingViews = field(default_factory=PublicBillingViews)
    account_answers: AccountAnswers = field(default_factory=AccountAnswers)
    # -- console areas -----------------------------------------------------------------------------------
    console_auth: AuthRules = field(default_factory=AuthRules)
    workspace_resolver: ConsoleWorkspaceResolver = field(default_factory=ConsoleWorkspaceResolver)
    team_lifecycle: TeamLifecycle = field(default_factory=TeamLifecycle)
    roles: RoleMatrix = field(default_factory=RoleMatrix)
    billing: BillingRules = field(default_factory=BillingRules)
    invitations: InvitationRules = field(default_factory=InvitationRules)
    invite_checks: InviteChecks = field(default_factory=InviteChecks)
    accept_rules: AcceptRules = field(default_factory=AcceptRules)
    assignment_gate: AssignmentGate = field(default_factory=AssignmentGate)
    team_answers: TeamAnswers = field(default_factory=TeamAnswers)
    team_creation: TeamCreationRules = field(default_factory=TeamCreationRules)
    key_list_view: KeyListView = field(default_factory=KeyListView)

    def with_access_rule(self, kind: RouteKind, rule: AccessRule) -> Policies:
        return replace(self, access_rules={**self.access_rules, kind: rule})
