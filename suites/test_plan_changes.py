"""Plan changes in the console (`/api/billing/*`, [S] routes): a downgrade the target plan cannot host is
refused with the blocking teams (BILL-17), one that fits is scheduled for the period end (BILL-15), undoing a
scheduled change clears it (BILL-16), a cancellation keeps the paid plan until the period end and then falls
back to Free (BILL-14), and a checkout opens a payment page (BILL-18).

Every check here changes a subscription, so it runs only where the profile allows billing probes: on the
embedded sandbox as the admin put on the plan the check needs (and put back), on a real target as the owner
when it already is where the check starts. The subscription guard undoes whatever a check leaves behind;
moving past the period end needs the sandbox clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from fixtures.assertions import check, expect_ok
from fixtures.checks import error_of
from fixtures.clients import Actor, Harness
from fixtures.errors import ContractViolation, not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.contract.plans import Plan, plans_for
from suites.billing.guard import BillingGuard, billing_guard  # noqa: F401  (the session fixture)
from suites.billing.routes import PUBLIC_SUBSCRIPTION_PATH, BillingRoute, Schedule
from suites.billing.sandbox import move_clock, plan_code, request_room, reset_clock, sandbox_plan, set_counters
from suites.billing.shapes import obj, parse_time
from suites.billing.teams import TeamMaker, owned_team_ids

pytestmark = [pytest.mark.usefixtures("billing_guard"), pytest.mark.serial]  # checked alone: moves plans

BLOCKED = "PLAN_CHANGE_BLOCKED_ACTIVE_TEAMS"
CLOCK_MARGIN = timedelta(minutes=1)


@dataclass
class Subject:
    """The account a check changes: its actor, its console (personal workspace) and its plan now."""

    actor: Actor
    console: httpx.Client
    plan: str

    @property
    def name(self) -> str:
        return self.actor.name

    def post(self, route: BillingRoute, plan_code: str = "") -> httpx.Response:
        return self.console.post(route.path, json=route.body(plan_code))

    def read(self) -> dict[str, Any]:
        return obj(expect_ok(self.console.get(BillingRoute.SUBSCRIPTION.path)))


@pytest.fixture
def subject(harness: Harness, identities: dict[str, Actor], billing_guard: BillingGuard,  # noqa: F811
            settings) -> Iterator[Callable[[str | None], Subject]]:
    """`subject("pro")`: the account a check changes. Sandbox: the admin, put on that plan and put back
    afterwards (`subject(None)`: the owner as it is); real target with billing probes: the owner as it is
    (each check then says which plan it needs)."""
    profile = harness.profile
    if not profile.billing_probes:
        not_covered("changes a subscription: billing probes are off for this target ([safety] billing_probes)")
    made: list[Subject] = []
    put_back: list[tuple[str, int]] = []  # (e-mail, API request count) to restore

    def on_plan(wanted: str | None) -> Subject:
        name = "admin" if profile.sandbox.enabled and wanted is not None else "owner"
        actor = identities.get(name)
        if actor is None or not actor.identity.has_console:
            not_covered(f"needs the {name}'s console login")
        billing_guard.watch(name)
        if name == "admin":
            if actor.email is None:
                not_covered("needs the admin's email (the sandbox plan control names accounts by e-mail)")
            sandbox_plan(harness, actor.email, str(wanted))
            quota = next(p for p in plans_for(settings) if p.code == wanted).limits.monthlyApiRequestQuota
            used = request_room(harness, actor.email, quota)
            if used is not None:
                put_back.append((actor.email, used))
        made.append(Subject(actor, actor.client("console"), plan_code(actor)))
        return made[-1]

    yield on_plan
    for done in made:
        billing_guard.undo(done.name)  # plan (sandbox) and scheduled change as they were
        done.console.close()
    for email, used in put_back:
        set_counters(harness, email, apiRequests=used)


def _lineup(settings) -> tuple[Plan, ...]:
    return plans_for(settings)


def _below(settings, code: str) -> Plan | None:
    plans = _lineup(settings)
    index = [p.code for p in plans].index(code)
    return plans[index - 1] if index > 0 else None


def _wrong_success(response: httpx.Response, guard: BillingGuard, who: str, expected: str,
                   guarantee: str) -> None:
    if response.is_success:
        raise ContractViolation(f"POST {response.request.url.path} answered {response.status_code}; expected "
                                f"{expected}. The change was undone: {guard.undo(who)}", [guarantee])


def _blocked_ids(response: httpx.Response, settings, guard: BillingGuard, who: str) -> list[str]:
    status = settings.plan_change_blocked_status
    _wrong_success(response, guard, who, f"{status} {BLOCKED}", "BILL-17")
    error = error_of(response) or {}
    check(response.status_code == status and error.get("code") == BLOCKED,
          f"POST {BillingRoute.DOWNGRADE.path}: expected {status} {BLOCKED}, got {response.status_code} "
          f"{error.get('code') or ''}", guarantee="BILL-17")
    ids = obj(error.get("details")).get("teamIds")
    check(isinstance(ids, list) and all(isinstance(i, str) for i in ids),
          f"{BLOCKED}: error.details.teamIds is not a list of team ids ({ids!r})", guarantee="BILL-17")
    return ids


def _scheduled_at_period_end(data: dict[str, Any], action: str, target: str | None, before: str,
                             guarantee: str) -> None:
    """The subscription answer shows `action` (to `target`, when given) at the end of the period, the plan
    unchanged."""
    schedule, period_end = Schedule.of(data), obj(data.get("period")).get("end")
    check(schedule.action == action and (target is None or schedule.scheduled_plan == target),
          f"after {action}: {schedule}; expected {action} scheduled" + (f" to {target}" if target else ""),
          guarantee=guarantee)
    check(parse_time(schedule.scheduled_at) is not None and parse_time(schedule.scheduled_at) == parse_time(period_end),
          f"after {action}: scheduledPlanAt {schedule.scheduled_at!r} is not the period end {period_end!r}",
          guarantee=guarantee)
    check(schedule.plan == before, f"after {action}: the plan is {schedule.plan}, expected {before} until the "
                                   "period end", guarantee=guarantee)


# -- BILL-17: a downgrade the target plan cannot host ----------------------------------------------------------


@pytest.mark.guarantee("BILL-17")
def test_downgrade_names_exactly_the_blocking_teams(subject, settings, factory: DataFactory,
                                                    billing_guard: BillingGuard) -> None:  # noqa: F811
    """Sandbox: the admin on the top plan owns a small team and one with a seat more than the plan below
    allows; a downgrade to that plan is blocked by the big team only, one to a plan without teams by both."""
    top = next((p for p in reversed(_lineup(settings)) if p.limits.teams), None)
    lower = _below(settings, top.code) if top else None
    if top is None or lower is None or lower.limits.teams is None:
        not_covered("the line-up has no two plans with teams of different seat caps")
    who = subject(top.code)
    if who.name != "admin":
        not_covered("needs the sandbox (an account put on the top plan to own teams made for the check)")
    maker = TeamMaker(who.console, factory)
    try:
        small = maker.create(seats=2)
        big = maker.create(seats=lower.limits.teams.seatsPerTeam + 1)
        ids = _blocked_ids(who.post(BillingRoute.DOWNGRADE, lower.code), settings, billing_guard, who.name)
        check(sorted(ids) == [big], f"downgrade to {lower.code}: details.teamIds {ids}, expected only the team "
                                    f"with more seats than {lower.code} allows ({big})", guarantee="BILL-17")
        teamless = next(p for p in reversed(_lineup(settings)) if p.limits.teams is None)
        ids = _blocked_ids(who.post(BillingRoute.DOWNGRADE, teamless.code), settings, billing_guard, who.name)
        check(sorted(ids) == sorted([small, big]), f"downgrade to {teamless.code} (no teams): details.teamIds "
                                                   f"{ids}, expected both teams {sorted([small, big])}",
              guarantee="BILL-17")
    finally:
        maker.delete_all()


@pytest.mark.guarantee("BILL-17")
def test_downgrade_below_the_owners_teams_is_blocked(subject, settings, billing_guard: BillingGuard  # noqa: F811
                                                     ) -> None:
    """The owner as it is: owning teams, a downgrade to a plan without teams is blocked by all of them."""
    who = subject(None)
    owned = owned_team_ids(who.console)
    teamless = next((p for p in reversed(_lineup(settings)) if p.limits.teams is None), None)
    plans = [p.code for p in _lineup(settings)]
    if not owned or teamless is None or who.plan not in plans or plans.index(teamless.code) >= plans.index(who.plan):
        not_covered(f"needs the owner owning teams on a plan above one without teams (on {who.plan}, "
                    f"{len(owned)} teams)")
    ids = _blocked_ids(who.post(BillingRoute.DOWNGRADE, teamless.code), settings, billing_guard, who.name)
    check(sorted(ids) == sorted(owned), f"downgrade to {teamless.code}: details.teamIds {sorted(ids)}, the owner's "
                                        f"teams are {sorted(owned)}", guarantee="BILL-17")


# -- BILL-15, BILL-16: a downgrade that fits, and undoing it ------------------------------------------------------


def _fitting_downgrade(subject, settings) -> tuple[Subject, Plan]:
    plans = _lineup(settings)
    who = subject(plans[-2].code if len(plans) > 2 else plans[-1].code)
    target = _below(settings, who.plan)
    if target is None:
        not_covered(f"{who.name} is on the cheapest plan: nothing to downgrade to")
    if owned_team_ids(who.console) and target.limits.teams is None:
        not_covered(f"{who.name} owns teams that {target.code} cannot host")
    return who, target


@pytest.mark.guarantee("BILL-15")
def test_downgrade_is_scheduled_for_the_period_end(subject, settings) -> None:
    who, target = _fitting_downgrade(subject, settings)
    answer = obj(expect_ok(who.post(BillingRoute.DOWNGRADE, target.code), guarantee="BILL-15"))
    _scheduled_at_period_end(answer, "downgrade", target.code, who.plan, "BILL-15")
    _scheduled_at_period_end(who.read(), "downgrade", target.code, who.plan, "BILL-15")


@pytest.mark.guarantee("BILL-16", "BILL-05")
def test_cancel_scheduled_change_clears_it(subject, settings, billing_guard: BillingGuard) -> None:  # noqa: F811
    who, target = _fitting_downgrade(subject, settings)
    response = who.post(BillingRoute.DOWNGRADE, target.code)
    if not response.is_success:
        not_covered(f"the downgrade to {target.code} this check undoes was refused ({response.status_code})")
    answer = obj(expect_ok(who.post(BillingRoute.CANCEL_SCHEDULED_CHANGE), guarantee="BILL-16"))
    for where, data in (("the answer", answer), ("a new read", who.read())):
        schedule = Schedule.of(data)
        sub = obj(data.get("subscription"))
        if not all(f in sub and sub[f] is None for f in ("scheduledPlan", "scheduledPlanAt", "scheduledAction")):
            # with scheduledAction null nothing is scheduled, and then the other two must be null too (BILL-05)
            broken = ["BILL-16"] + (["BILL-05"] if sub.get("scheduledAction") is None else [])
            raise ContractViolation(f"after cancel-scheduled-change, {where} shows {schedule}; expected the three "
                                    "scheduled fields null", broken)
        check(schedule.plan == who.plan, f"after cancel-scheduled-change the plan is {schedule.plan}, was "
                                         f"{who.plan}", guarantee="BILL-16")


# -- BILL-14: cancel at the period end, then Free ----------------------------------------------------------------


def _public_plan(actor: Actor) -> tuple[str | None, Any]:
    data = obj(expect_ok(actor.api.get(PUBLIC_SUBSCRIPTION_PATH), guarantee="BILL-14"))
    plan_obj = obj(obj(data.get("subscription")).get("plan"))
    return plan_obj.get("code"), plan_obj.get("limits")


@pytest.mark.guarantee("BILL-14")
def test_cancel_keeps_the_plan_until_the_period_end(subject, settings, harness: Harness) -> None:
    plans = _lineup(settings)
    who = subject(plans[-2].code if len(plans) > 2 else plans[-1].code)
    paid = next((p for p in plans if p.code == who.plan), None)
    if paid is None or paid.priceMonthly == 0:
        not_covered(f"{who.name} is not on a paid plan")
    answer = obj(expect_ok(who.post(BillingRoute.CANCEL), guarantee="BILL-14"))
    _scheduled_at_period_end(answer, "cancel", None, who.plan, "BILL-14")  # scheduledPlan of a cancel: unstated
    code, limits = _public_plan(who.actor)
    check(code == paid.code and obj(limits).get("maxApiKeys") == paid.limits.maxApiKeys,
          f"right after cancel the plan is {code} with limits {limits}; expected {paid.code}'s until the period end",
          guarantee="BILL-14")
    if not harness.profile.sandbox.enabled:
        return  # moving past the period end needs the sandbox clock
    end = parse_time(obj(answer.get("period")).get("end"))
    check(end is not None, "the cancel answer has no period.end", guarantee="BILL-14")
    try:
        move_clock(harness, (end - CLOCK_MARGIN).isoformat())
        code, _ = _public_plan(who.actor)
        check(code == paid.code, f"a minute before the period end the plan is already {code}", guarantee="BILL-14")
        move_clock(harness, (end + CLOCK_MARGIN).isoformat())
        code, limits = _public_plan(who.actor)
        free = plans[0]
        check(code == free.code and {k: obj(limits).get(k) for k in free.limits.api_limits()}
              == free.limits.api_limits(),
              f"after the period end the plan is {code} with limits {limits}; expected {free.code} with "
              f"{free.limits.api_limits()}", guarantee="BILL-14")
    finally:
        reset_clock(harness)


# -- BILL-18: checkout --------------------------------------------------------------------------------------------


@pytest.mark.guarantee("BILL-18")
def test_checkout_opens_a_payment_page(subject, settings) -> None:
    plans = _lineup(settings)
    who = subject(plans[0].code if len(plans) > 1 else None)
    codes = [p.code for p in plans]
    if who.plan not in codes or codes.index(who.plan) == len(codes) - 1:
        not_covered(f"{who.name} is on the top plan: no upgrade to check out")
    upgrade = codes[codes.index(who.plan) + 1]
    data = obj(expect_ok(who.post(BillingRoute.CHECKOUT, upgrade), guarantee="BILL-18"))
    url = data.get("checkoutUrl")
    check(isinstance(url, str) and url.startswith(("https://", "http://")),
          f"POST {BillingRoute.CHECKOUT.path} {{planCode: {upgrade}}}: data.checkoutUrl is {url!r}, not a URL",
          guarantee="BILL-18")
