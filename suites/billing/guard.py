"""The subscription guard: billing probes leave every account's subscription as they found it.

`billing_guard` (session fixture, used by every billing and plan suite) snapshots the owner's plan and
scheduled change before the first check; `watch(name)` adds another identity before a probe that may touch
its subscription. A mutation that succeeds where it must not is undone at once with `undo(name)` (the
account's `cancel-scheduled-change`, then its original change scheduled again; a changed plan is put back
only through the sandbox plan control), and the check reports it as a violation. When the session ends, each
watched subscription is compared with its snapshot and restored; a difference found then (whoever caused
it) is a cleanup note of the run in compliance.json, saying whether it could be restored, so a real target's
owner learns about it.

Several suite modules import the fixture, so pytest may instantiate it once per module: the state lives in
one `BillingGuard` per pytest config (`config.stash`), and `finish()` runs once.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from fixtures.checks import error_code_of, json_body
from fixtures.clients import Actor, Harness
from fixtures.errors import HarnessError
from fixtures.factories import DataFactory
from suites.billing.routes import PUBLIC_SUBSCRIPTION_PATH, BillingRoute, Schedule
from suites.key_scoping.sandbox_controls import sandbox_plan

GUARD_KEY = pytest.StashKey["BillingGuard"]()


class BillingGuard:
    def __init__(self, harness: Harness, identities: dict[str, Actor], factory: DataFactory) -> None:
        self.harness = harness
        self.identities = identities
        self.factory = factory
        self.start: dict[str, Schedule] = {}
        self.finished = False
        self._consoles: dict[str, httpx.Client] = {}

    @property
    def sandbox(self) -> bool:
        return self.harness.profile.sandbox.enabled

    # -- reading -------------------------------------------------------------------------------------------

    def _console(self, name: str) -> httpx.Client | None:
        actor = self.identities.get(name)
        if actor is None or not actor.identity.has_console:
            return None
        if name not in self._consoles:
            self._consoles[name] = actor.client("console")
        return self._consoles[name]

    def read(self, name: str) -> Schedule:
        """The account's plan and scheduled change now (console read, else its personal key)."""
        actor = self.identities[name]
        console = self._console(name)
        response = (console.get(BillingRoute.SUBSCRIPTION.path) if console is not None
                    else actor.client(housekeeping=True).get(PUBLIC_SUBSCRIPTION_PATH))
        body = json_body(response)
        if response.status_code != 200 or not isinstance(body, dict):
            raise HarnessError(f"subscription guard: cannot read {name}'s subscription "
                               f"({response.status_code} {error_code_of(response) or ''})")
        return Schedule.of(body.get("data"))

    def watch(self, name: str) -> None:
        """Snapshot this identity's subscription (once) before a probe that may change it."""
        if name in self.identities and name not in self.start:
            self.start[name] = self.read(name)

    # -- putting back --------------------------------------------------------------------------------------

    def undo(self, name: str) -> str:
        """Put a watched account back as it was now; returns what happened, for a violation message."""
        if name not in self.start:
            return f"{name}'s subscription was not watched: not restored"
        problem = self._restore(name)
        return f"restore of {name}'s subscription failed: {problem}" if problem else \
            f"{name}'s subscription restored ({self.start[name]})"

    def _restore(self, name: str) -> str | None:
        start, now = self.start[name], self.read(name)
        if now == start:
            return None
        if now.plan != start.plan:
            actor = self.identities[name]
            if not self.sandbox or actor.email is None:
                return f"plan is {now.plan}, was {start.plan}; only the account owner can change it back"
            sandbox_plan(self.harness, actor.email, str(start.plan))  # also clears any scheduled change
            now = self.read(name)
        if (now.action, now.scheduled_plan) != (start.action, start.scheduled_plan):
            console = self._console(name)
            if console is None:
                return f"now {now}, was {start}; no console login to undo it"
            if now.has_change:
                console.post(BillingRoute.CANCEL_SCHEDULED_CHANGE.path)
            if start.action == "cancel":
                console.post(BillingRoute.CANCEL.path)
            elif start.action is not None:
                console.post(BillingRoute.DOWNGRADE.path, json={"plan": start.scheduled_plan})
            now = self.read(name)
        return None if now == start else f"now {now}, was {start}"

    def finish(self) -> None:
        """End of the session: every watched subscription compared with its snapshot and restored."""
        if self.finished:
            return
        self.finished = True
        for name, start in self.start.items():
            try:
                end = self.read(name)
                problem = self._restore(name) if end != start else None
            except Exception as err:  # the session's end must go on
                end, problem = None, f"{err.__class__.__name__}: {err}"
            if end == start and problem is None:
                continue
            outcome = f"could not be restored ({problem})" if problem else "was restored"
            self.factory.cleanup_problems.append(
                f"billing: {name}'s subscription at the end of the run ({end}) differed from its start ({start}) "
                f"and {outcome}")
        for client in self._consoles.values():
            client.close()


@pytest.fixture(scope="session")
def billing_guard(request: pytest.FixtureRequest, harness: Harness, identities: dict[str, Actor],
                  factory: DataFactory) -> Iterator[BillingGuard]:
    guard = request.config.stash.get(GUARD_KEY, None)
    if guard is None:
        guard = BillingGuard(harness, identities, factory)
        request.config.stash[GUARD_KEY] = guard
        guard.watch("owner")
    yield guard
    guard.finish()

