"""What a policy may use of the running server, as a Protocol.

`services.Services` holds the policies, so a policy typed against `Services` would import its own holder: an
import cycle. Policies take a `ServerParts` instead; `Services` satisfies it structurally.
"""

from __future__ import annotations

from typing import Protocol

from msgflash_reference.clock import Clock
from msgflash_reference.config import ServerConfig
from msgflash_reference.db import Database
from msgflash_reference.plan_rules import PlanRules
from msgflash_reference.plans import PlanCatalogue
from msgflash_reference.policies.pagination import Pager


class CorePolicies(Protocol):
    """The part of the policy set a policy may call back into: the plan caps (seat counts of a downgrade) and
    the pager (the payments page)."""

    @property
    def plan_rules(self) -> PlanRules: ...

    @property
    def pager(self) -> Pager: ...


class ServerParts(Protocol):
    @property
    def config(self) -> ServerConfig: ...

    @property
    def db(self) -> Database: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def plans(self) -> PlanCatalogue: ...

    @property
    def policies(self) -> CorePolicies: ...
