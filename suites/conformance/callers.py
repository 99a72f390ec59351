"""The harness client of each conformance caller, built once per module and reused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fixtures.clients import Actor, Harness
from fixtures.errors import not_covered
from suites.conformance.plan import Caller


def make_clients(harness: Harness, identities: dict[str, Actor]) -> Callable[[Caller], Any]:
    cache: dict[Caller, Any] = {}

    def client(caller: Caller) -> Any:
        if caller not in cache:
            owner = identities.get("owner")
            if caller in (Caller.PERSONAL, Caller.CONSOLE) and owner is None:
                not_covered("the profile has no [identities.owner]")
            if caller == Caller.PERSONAL:
                cache[caller] = owner.api
            elif caller == Caller.CONSOLE:
                if not owner.identity.has_console:
                    not_covered("the owner has no console credentials (jwt or email+password)")
                cache[caller] = owner.console
            elif caller == Caller.TEAM:
                team = harness.profile.team
                if team is None or team.api_key is None:
                    not_covered("the profile has no [team] with an api_key")
                cache[caller] = harness.team_client()
            else:
                cache[caller] = harness.anonymous()
        return cache[caller]

    return client
