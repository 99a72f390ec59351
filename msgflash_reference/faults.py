"""The fault registry: every injectable fault, the guarantee IDs it breaks, and the policy it swaps.

A fault is a realistic bug confined to one policy object (policies/, plan_rules.py, quotas.py, ratelimit.py,
keys.py): `apply(policies) -> policies` returns the set with that one piece replaced. The core never asks
"is fault X on?". Other areas may contribute faults: a module listed in EXTENSION_MODULES that defines
`FAULTS: tuple[Fault, ...]` (and optionally `POLICY_DEFAULTS: dict[str, object]` for `Policies.extra`).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from msgflash_reference.policies import Policies

EXTENSION_MODULES = ("msgflash_reference.policies.billing", "msgflash_reference.policies.console")


@dataclass(frozen=True)
class Fault:
    name: str  # kebab-case, what `--fault` takes
    breaks: tuple[str, ...]  # guarantee IDs (openapi/guarantees.yaml) a correct suite must fail on
    summary: str  # one line: the bug
    apply: Callable[[Policies], Policies]


# -- the core's faults (defined further down, grouped by the policy they swap) ------------------------------
CORE_FAULTS: tuple[Fault, ...] = ()


def _extension_modules() -> list:
    modules = []
    for name in EXTENSION_MODULES:
        if importlib.util.find_spec(name) is not None:
            modules.append(importlib.import_module(name))
    return modules


def all_faults() -> dict[str, Fault]:
    faults: dict[str, Fault] = {}
    for fault in (*CORE_FAULTS, *(f for m in _extension_modules() for f in getattr(m, "FAULTS", ()))):
        if fault.name in faults:
            raise RuntimeError(f"fault {fault.name!r} is registered twice")
        faults[fault.name] = fault
    return faults


class UnknownFault(ValueError):
    pass


def default_policies() -> Policies:
    policies = Policies()
    for module in _extension_modules():
        for name, policy in getattr(module, "POLICY_DEFAULTS", {}).items():
            policies = policies.with_extra(name, policy)
    return policies


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
