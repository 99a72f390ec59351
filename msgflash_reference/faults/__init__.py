"""The fault registry: every injectable fault of the reference server, by area.

A fault (`fault.Fault`) is a realistic bug confined to one policy of `msgflash_reference.policies.Policies`;
its `apply` swaps that one field for a faulty variant (`fault.swap`). The core never asks "is fault X on?".

One module per area, each holding the faulty variants of that area's policies and their registry entries as
`FAULTS: tuple[Fault, ...]`:

* public API: `api_keys` (key resolver, key generator, access rules, key lists), `pagination`, `ownership`,
  `envelopes`, `plan_limits`, `rate_limits`, `contacts`, `resource_views`, `listings`, `messaging`, `sending`,
  `request_bodies`, `public_billing`;
* console: `console` (sign-in, workspace resolution, team deletion), `roles`, `teams`, `invitations`,
  `billing`.

To add a fault: write the faulty policy in its area's module and add a `Fault` to that module's FAULTS; a new
area module also goes into AREAS below.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from msgflash_reference.faults import (
    api_keys,
    billing,
    console,
    contacts,
    envelopes,
    invitations,
    listings,
    messaging,
    ownership,
    pagination,
    plan_limits,
    public_billing,
    rate_limits,
    request_bodies,
    resource_views,
    roles,
    sending,
    teams,
)
from msgflash_reference.faults.fault import Fault
from msgflash_reference.policies import Policies

AREAS: tuple[ModuleType, ...] = (
    api_keys, pagination, ownership, envelopes, plan_limits, rate_limits, contacts, resource_views, listings,
    messaging, sending, request_bodies, public_billing, console, roles, teams, invitations, billing,
)

__all__ = ["AREAS", "Fault", "UnknownFault", "all_faults", "build_policies", "default_policies"]


class UnknownFault(ValueError):
    pass


def all_faults() -> dict[str, Fault]:
    faults: dict[str, Fault] = {}
    for area in AREAS:
        for fault in area.FAULTS:
            if fault.name in faults:
                raise RuntimeError(f"fault {fault.name!r} is registered twice")
            faults[fault.name] = fault
    return faults


def default_policies() -> Policies:
    return Policies()


def build_policies(names: Iterable[str]) -> Policies:
    """The default policies with each named fault applied, in order; UnknownFault lists the valid names."""
    registry = all_faults()
    policies = default_policies()
    for name in names:
        fault = registry.get(name)
        if fault is None:
            raise UnknownFault(f"unknown fault {name!r}; valid faults: {', '.join(sorted(registry))}")
        policies = fault.apply(policies)
    return policies
