"""Plan caps at their boundary: the last item a plan allows is accepted, the next one refused with its exact
403 code. API keys per plan (PLAN-01..04) from one pool for personal and team keys (PLAN-05); contact groups
per plan (PLAN-13), counted on the owner across workspaces (PLAN-14); teams per owner and seats per team
(TEAM-21..24, the boundary's other side of `test_team_context.py`).

An account on the plan a check needs: on the sandbox the admin (or, for PLAN-14, the owner) is put there and
back; on a real target an identity already on it. A check that needs more than a couple of creations runs
only where billing probes are allowed. Whatever a check creates, it deletes as soon as it is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from fixtures.assertions import expect_error
from fixtures.checks import error_code_of
from fixtures.clients import Actor, Harness
from fixtures.errors import ContractViolation, HarnessError, not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.contract.plans import Plan, TeamCaps, plans_for
from msgflash_compliance.profile import TargetProfile
from suites.billing.caps import GROUPS_PATH, PERSONAL_KEYS_PATH, Made, group_count, key_pool, team_keys_path
from suites.billing.guard import BillingGuard, billing_guard  # noqa: F401  (the session fixture)
from suites.billing.sandbox import plan_code, request_room, sandbox_plan, set_counters
from suites.billing.teams import TEAMS_PATH, TeamMaker, invite, owned_team_ids

# Checked alone: moves plans and fills caps.
pytestmark = [pytest.mark.usefixtures("billing_guard"), pytest.mark.serial]

FEW_CREATIONS = 2  # a check needing more runs only with billing probes (or on the sandbox)
KEY_CAP_CODES = frozenset({"MAX_API_KEYS_REACHED", "API_KEYS_NOT_AVAILABLE_ON_PLAN"})


def _plan(settings, codes: tuple[str, ...]) -> Plan:
    found = next((p for p in plans_for(settings) if p.code in codes), None)
    if found is None:
        not_covered(f"the line-up {settings.plan_lineup} has no plan {' or '.join(codes)}")
    return found


def _allow(creations: int, profile: TargetProfile) -> None:
    if creations > FEW_CREATIONS and not profile.billing_probes:
        not_covered(f"needs {creations} creations on a real account: billing probes are off "
                    "([safety] billing_probes)")


def _console(actor: Actor) -> httpx.Client:
    if not actor.identity.has_console:
        not_covered(f"needs the {actor.name}'s console login")
    return actor.console


@pytest.fixture
def account_on(harness: Harness, identities: dict[str, Actor], billing_guard: BillingGuard,  # noqa: F811
               settings) -> Iterator[Callable[[str], Actor]]:
    """`account_on("starter")`: sandbox: the admin put on that plan (and back afterwards); real target: the
    first identity already on it."""
    moved: list[tuple[str, str, int | None]] = []  # (identity, e-mail, API request count to put back)

    def on(code: str) -> Actor:
        admin = identities.get("admin")
        if harness.profile.sandbox.enabled and admin is not None and admin.email is not None:
            billing_guard.watch("admin")
            sandbox_plan(harness, admin.email, code)
            quota = _plan(settings, (code,)).limits.monthlyApiRequestQuota
            moved.append(("admin", admin.email, request_room(harness, admin.email, quota)))
            return admin
        for name in ("outsider", "collaborator", "admin", "owner"):
            actor = identities.get(name)
            if actor is not None and plan_code(actor) == code:
                return actor
        not_covered(f"no identity of the profile is on the {code} plan")
        raise AssertionError  # unreachable: not_covered raises

    yield on
    for name, email, requests in moved:
        billing_guard.undo(name)
        if requests is not None:
            set_counters(harness, email, apiRequests=requests)


def _below_cap(response: httpx.Response, what: str, n: int, cap: int, codes: frozenset[str], guarantee: str
               ) -> None:
    """A creation below the cap must succeed; a cap refusal there is a violation, anything else breaks."""
    if response.status_code == 201:
        return
    if response.status_code == 403 and error_code_of(response) in codes:
        raise ContractViolation(f"{what} number {n} of a cap of {cap} was refused: {response.status_code} "
                                f"{error_code_of(response)} (the last one the plan allows must be accepted)",
                                [guarantee])
    raise HarnessError(f"{what} number {n} (below the cap) answered {response.status_code} "
                       f"{error_code_of(response) or ''}")


# -- API keys ----------------------------------------------------------------------------------------------------

KEY_CAPS = (("PLAN-01", ("free",)), ("PLAN-02", ("starter",)), ("PLAN-03", ("pro",)), ("PLAN-04", ("plus", "max")))


@pytest.mark.parametrize(("guarantee", "codes"),
                         [pytest.param(g, c, id=g, marks=pytest.mark.guarantee(g)) for g, c in KEY_CAPS])
def test_api_key_cap(guarantee: str, codes: tuple[str, ...], account_on, settings, profile: TargetProfile,
                     factory: DataFactory) -> None:
    chosen = _plan(settings, codes)
    cap = chosen.limits.maxApiKeys
    actor = account_on(chosen.code)
    console, start = _console(actor), key_pool(actor)
    if start > cap:
        not_covered(f"{actor.name} already holds {start} keys, over the {chosen.code} cap of {cap}")
    _allow(cap - start, profile)
    made = Made(factory)
    try:
        for n in range(start + 1, cap + 1):
            _below_cap(made.post(console, PERSONAL_KEYS_PATH, "key"), "API key", n, cap, KEY_CAP_CODES, guarantee)
        response = made.post(console, PERSONAL_KEYS_PATH, "key")
        expect_error(response, 403, "MAX_API_KEYS_REACHED", guarantee=guarantee)
    finally:
        made.undo()


@pytest.mark.guarantee("PLAN-05")
def test_personal_and_team_keys_share_one_pool(owner: Actor, team, settings, profile: TargetProfile,
                                               factory: DataFactory) -> None:
    """Personal keys fill the owner's pool to one below the cap; a team key takes the last slot; then
    neither workspace gets another."""
    console = _console(owner)
    cap = _plan(settings, (plan_code(owner),)).limits.maxApiKeys
    start = key_pool(owner)
    if start >= cap:
        not_covered(f"the owner's key pool is full already ({start} of {cap})")
    _allow(cap - start, profile)
    made = Made(factory)
    try:
        for n in range(start + 1, cap):
            _below_cap(made.post(console, PERSONAL_KEYS_PATH, "key"), "personal API key", n, cap, KEY_CAP_CODES,
                       "PLAN-05")
        _below_cap(made.post(console, team_keys_path(team.id), "team-key"), "team API key", cap, cap,
                   KEY_CAP_CODES, "PLAN-05")
        for what, path in (("personal", PERSONAL_KEYS_PATH), ("team", team_keys_path(team.id))):
            response = made.post(console, path, f"{what}-key")
            expect_error(response, 403, "MAX_API_KEYS_REACHED", guarantee="PLAN-05")
    finally:
        made.undo()


# -- contact groups ------------------------------------------------------------------------------------------------


@pytest.mark.guarantee("PLAN-13")
def test_contact_group_cap(account_on, settings, profile: TargetProfile, factory: DataFactory) -> None:
    free = _plan(settings, ("free",))
    cap = free.limits.maxContactGroups
    if cap is None:
        not_covered("the Free plan has no contact group cap in this line-up")
    actor = account_on(free.code)
    start = group_count(actor.api)
    if start > cap:
        not_covered(f"{actor.name} already has {start} groups, over the cap of {cap}")
    _allow(cap - start, profile)
    made = Made(factory)
    codes = frozenset({"MAX_CONTACT_GROUPS_REACHED"})
    try:
        for n in range(start + 1, cap + 1):
            _below_cap(made.post(actor.api, GROUPS_PATH, "group"), "contact group", n, cap, codes, "PLAN-13")
        expect_error(made.post(actor.api, GROUPS_PATH, "group"), 403, "MAX_CONTACT_GROUPS_REACHED",
                     guarantee="PLAN-13")
    finally:
        made.undo()


@pytest.mark.guarantee("PLAN-14")
def test_group_cap_counts_the_owners_workspaces_together(owner: Actor, team, team_client: httpx.Client,
                                                         harness: Harness, settings, factory: DataFactory,
                                                         billing_guard: BillingGuard) -> None:  # noqa: F811
    """Team groups fill the owner's cap (the last one accepted); then a personal group is refused too."""
    profile = harness.profile
    put_back: int | None = None
    count = group_count(owner.api) + group_count(team_client)
    others = set(owned_team_ids(_console(owner))) - {team.id}
    if others and not profile.sandbox.enabled:
        not_covered("the owner owns other teams whose groups this check cannot count")
    if profile.sandbox.enabled and owner.email is not None:
        fitting = [p for p in plans_for(settings)
                   if p.limits.maxContactGroups is not None and p.limits.maxContactGroups >= count + 1]
        if not fitting:
            not_covered(f"the owner has {count} groups: no plan's cap is above that")
        chosen = fitting[0]
        billing_guard.watch("owner")
        sandbox_plan(harness, owner.email, chosen.code)
        put_back = request_room(harness, owner.email, chosen.limits.monthlyApiRequestQuota)
    else:
        chosen = _plan(settings, (plan_code(owner),))
    cap = chosen.limits.maxContactGroups
    made = Made(factory)
    codes = frozenset({"MAX_CONTACT_GROUPS_REACHED"})
    try:
        if cap is None or cap <= count:
            not_covered(f"the owner's {chosen.code} plan has no reachable group cap ({count} groups, cap {cap})")
        _allow(cap - count, profile)
        for n in range(count + 1, cap + 1):
            _below_cap(made.post(team_client, GROUPS_PATH, "group"), "team contact group", n, cap, codes,
                       "PLAN-14")
        for where, client in (("personal", owner.api), ("team", team_client)):
            expect_error(made.post(client, GROUPS_PATH, f"{where}-group"), 403, "MAX_CONTACT_GROUPS_REACHED",
                         guarantee="PLAN-14")
    finally:
        made.undo()
        if profile.sandbox.enabled and owner.email is not None:
            billing_guard.undo("owner")
            if put_back is not None:
                set_counters(harness, owner.email, apiRequests=put_back)


# -- teams and seats (sandbox: the admin put on the plan) -------------------------------------------------------------

TEAM_CAPS = (("TEAM-21", ("pro",)), ("TEAM-22", ("plus", "max")))
SEAT_CAPS = (("TEAM-23", ("pro",)), ("TEAM-24", ("plus", "max")))


def _team_caps(chosen: Plan) -> TeamCaps:
    if chosen.limits.teams is None:
        not_covered(f"the {chosen.code} plan cannot own teams")
    return chosen.limits.teams


def _sandbox_admin(account_on, harness: Harness, code: str) -> Actor:
    if not harness.profile.sandbox.enabled:
        not_covered("filling a plan's teams needs the sandbox ([sandbox] enabled = true)")
    return account_on(code)


@pytest.mark.parametrize(("guarantee", "codes"),
                         [pytest.param(g, c, id=g, marks=pytest.mark.guarantee(g)) for g, c in TEAM_CAPS])
def test_owned_team_cap(guarantee: str, codes: tuple[str, ...], account_on, harness: Harness, settings,
                        factory: DataFactory) -> None:
    chosen = _plan(settings, codes)
    cap = _team_caps(chosen).maxOwnedTeams
    admin = _sandbox_admin(account_on, harness, chosen.code)
    maker = TeamMaker(_console(admin), factory)
    codes_refused = frozenset({"TEAM_LIMIT_REACHED", "TEAM_FEATURE_UNAVAILABLE"})
    try:
        for n in range(len(owned_team_ids(maker.console)) + 1, cap + 1):
            _below_cap(maker.post(seats=2), "owned team", n, cap, codes_refused, guarantee)
        expect_error(maker.post(seats=2), 403, "TEAM_LIMIT_REACHED", guarantee=guarantee)
    finally:
        maker.delete_all()


@pytest.mark.parametrize(("guarantee", "codes"),
                         [pytest.param(g, c, id=g, marks=pytest.mark.guarantee(g)) for g, c in SEAT_CAPS])
def test_seat_cap(guarantee: str, codes: tuple[str, ...], account_on, harness: Harness, settings,
                  factory: DataFactory) -> None:
    """A team one seat short of the cap (owner + pending invitations, G21) takes one more invitation, not two."""
    chosen = _plan(settings, codes)
    seats = _team_caps(chosen).seatsPerTeam
    admin = _sandbox_admin(account_on, harness, chosen.code)
    maker = TeamMaker(_console(admin), factory)
    try:
        team_id = maker.create(seats=seats - 1)
        path = f"{TEAMS_PATH}/{team_id}/invitations"
        _below_cap(maker.console.post(path, json=invite(factory)), "seat", seats, seats,
                   frozenset({"TEAM_SEAT_LIMIT_REACHED"}), guarantee)
        expect_error(maker.console.post(path, json=invite(factory)), 403, "TEAM_SEAT_LIMIT_REACHED",
                     guarantee=guarantee)
    finally:
        maker.delete_all()
