"""What a fault is, and the one way a fault changes the policy set.

A fault is a realistic bug confined to one policy: `apply(policies) -> policies` returns the set with that one
piece replaced. The core never asks "is fault X on?".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from msgflash_reference.policies import Policies

Apply = Callable[[Policies], Policies]


@dataclass(frozen=True)
class Fault:
    name: str  # kebab-case, what `--fault` takes
    breaks: tuple[str, ...]  # guarantee IDs (openapi/guarantees.yaml) a correct suite must fail on
    summary: str  # one line: the bug
    apply: Apply


def swap(field: str, policy: Any = None, /, **parts: Any) -> Apply:
    """The apply of a fault: `swap("pager", _NoTieBreak())` puts a faulty policy in one field of the set;
    `swap("contacts", jobs=_SparseJobView())` replaces parts of a composite policy (a dataclass), keeping the
    rest as earlier faults left it."""
    if (policy is None) == (not parts):
        raise TypeError("swap() takes either a policy or the parts to replace, not both or neither")

    def apply(policies: Policies) -> Policies:
        new = policy if policy is not None else replace(getattr(policies, field), **parts)
        return replace(policies, **{field: new})

    return apply


def chain(*applies: Apply) -> Apply:
    """A fault that swaps more than one policy (a bug spread over two seams), in order."""

    def apply(policies: Policies) -> Policies:
        for step in applies:
            policies = step(policies)
        return policies

    return apply
