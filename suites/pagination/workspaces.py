"""A workspace the pagination suites write into, with the clients they need for it: the paced client,
raw clients (for a create burst), housekeeping clients (for cleanup, outside the budget and the evidence)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from fixtures.clients import Actor, Harness, HarnessClient
from fixtures.errors import not_covered


@dataclass(frozen=True)
class Workspace:
    name: str  # owner, team, outsider
    api: httpx.Client
    credential: str  # the throttle bucket's label
    make: Callable[..., HarnessClient]  # make(raw=..., housekeeping=...)


def personal_workspace(actor: Actor) -> Workspace:
    return Workspace(actor.name, actor.api, f"{actor.name}.api_key",
                     lambda **options: actor.client(**options))


def team_workspace(harness: Harness) -> Workspace:
    team = harness.profile.team
    if team is None or team.api_key is None:
        not_covered("the profile has no [team] with an api_key")
    return Workspace("team", harness.team_client(), "team.api_key",
                     lambda **options: harness.team_client(**options))


def writable(harness: Harness) -> None:
    if harness.profile.safety.read_only:
        not_covered("the profile is read_only (safety.read_only = true): pagination checks create their data")
