"""The policies the core calls through. Each is small and swappable; faults.py swaps one for a faulty one.

`Policies` is frozen: a server instance gets its set once, at start (`faults.build_policies`).
Areas owned elsewhere (console billing rules, ...) keep their policy objects in `extra` under a name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from msgflash_reference.keys import KeyGenerator
from msgflash_reference.plan_rules import PlanRules
from msgflash_reference.policies.access import DEFAULT_ACCESS_RULES, AccessRule, RouteKind
from msgflash_reference.policies.error_mapper import ErrorMapper
from msgflash_reference.policies.filters import MessageFilters
from msgflash_reference.policies.key_resolver import KeyResolver
from msgflash_reference.policies.ownership import Ownership
from msgflash_reference.policies.pagination import Pager
from msgflash_reference.policies.search import SearchMatcher
from msgflash_reference.quotas import QuotaPolicy
from msgflash_reference.ratelimit import RatePolicy


@dataclass(frozen=True)
class Policies:
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
    extra: Mapping[str, Any] = field(default_factory=dict)

    def with_extra(self, name: str, policy: Any) -> Policies:
        return replace(self, extra={**self.extra, name: policy})

    def with_access_rule(self, kind: RouteKind, rule: AccessRule) -> Policies:
        return replace(self, access_rules={**self.access_rules, kind: rule})
