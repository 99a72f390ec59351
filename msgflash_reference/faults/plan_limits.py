"""Faults of the plan caps, feature gates and monthly quotas (PLAN, TEAM-20..24, WH-05/06, INST-05, RATE-05): each
cap's count, comparison and "not on this plan" code (`svc.policies.plan_rules`), and the API quota's threshold
and refusal (`svc.policies.quota`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import Any

from msgflash_reference.faults.fault import Apply, Fault, swap
from msgflash_reference.plan_rules import DEFAULT_CAPS, CapScope
from msgflash_reference.policies import Policies


def _cap(name: str, **changes: Any) -> Apply:
    """One cap of the plan rules changed (its count, its comparison, its "not on this plan" code)."""

    def apply(policies: Policies) -> Policies:
        cap = replace(policies.plan_rules.caps[name], **changes)
        return swap("plan_rules", policies.plan_rules.with_cap(cap))(policies)

    return apply


def _default_cap(name: str, **changes: Any) -> Apply:
    """Like `_cap`, but starting from the documented cap (whatever an earlier fault did to it)."""

    def apply(policies: Policies) -> Policies:
        return swap("plan_rules", policies.plan_rules.with_cap(replace(DEFAULT_CAPS[name], **changes)))(policies)

    return apply


def _one_over(count: int, limit: int) -> bool:
    """`>` where `>=` belongs: one more than the cap gets through."""
    return count > limit


def _one_early(count: int, limit: int) -> bool:
    return count + 1 >= limit





def _count_groups_of_workspace(conn: sqlite3.Connection, scope: CapScope) -> int:
    return int(
        conn.execute("SELECT COUNT(*) FROM contact_groups WHERE workspace_id = ?", (scope.workspace_id,)).fetchone()[0]
    )


def _count_keys_of_workspace(conn: sqlite3.Connection, scope: CapScope) -> int:
    """The key count of the workspace acted in only (personal keys, or one team's): the pool split apart."""
    if scope.team_id:
        sql, arg = "SELECT COUNT(*) FROM api_keys WHERE team_id = ? AND revoked_at IS NULL", scope.team_id
    else:
        sql = "SELECT COUNT(*) FROM api_keys WHERE team_id IS NULL AND user_id = ? AND revoked_at IS NULL"
        arg = scope.owner_id
    return int(conn.execute(sql, (arg,)).fetchone()[0])


FAULTS: tuple[Fault, ...] = (
    Fault(
        "groups-cap-off-by-one",
        ("PLAN-13", "GRP-03"),
        "one contact group more than the plan allows is accepted",
        _cap("groups", reached=_one_over),
    ),
    Fault(
        "groups-cap-per-workspace",
        ("PLAN-14",),
        "the group cap counts the workspace's groups, so each team gets its own pool",
        _cap("groups", count=_count_groups_of_workspace),
    ),
    Fault("groups-cap-one-early", ("PLAN-13",),
          "the contact group cap refuses the last group the plan allows",
          _cap("groups", reached=_one_early)),
    Fault(
        "api-quota-off-by-one",
        ("PLAN-17",),
        "one API request over the monthly quota is still served",
        swap("quota", allow_one_over=True),
    ),
    Fault(
        "api-quota-wrong-code",
        ("RATE-05", "PLAN-17"),
        "an exhausted monthly API quota answers API_RATE_LIMIT_EXCEEDED",
        swap("quota", api_quota_code="API_RATE_LIMIT_EXCEEDED", api_quota_message="Too many API requests"),
    ),
    Fault("api-key-cap-off-by-one", ("PLAN-01", "PLAN-02", "PLAN-03", "PLAN-04"),
          "one API key more than the plan allows is accepted",
          _cap("api_keys", reached=_one_over)),
    Fault("api-key-cap-one-early", ("PLAN-02", "PLAN-03", "PLAN-04"),
          "the API key cap refuses the last key the plan allows (count + 1 >= cap)",
          _cap("api_keys", reached=_one_early)),
    Fault(
        "api-key-cap-per-workspace",
        ("PLAN-05",),
        "the key cap counts the workspace's keys only: personal and team keys get a pool each",
        _default_cap("api_keys", count=_count_keys_of_workspace),
    ),
    Fault("team-cap-off-by-one", ("TEAM-21", "TEAM-22"),
          "an owner may own one team more than the plan allows",
          _cap("teams", reached=_one_over)),
    Fault("seat-cap-off-by-one", ("TEAM-23", "TEAM-24"),
          "a team accepts one seat (member or pending invitation) more than the plan allows",
          _cap("seats", reached=_one_over)),
    Fault(
        "team-plan-gate-as-cap",
        ("TEAM-20",),
        "Free/Starter creating a team get 403 TEAM_LIMIT_REACHED instead of TEAM_FEATURE_UNAVAILABLE",
        _default_cap("teams", unavailable_code=None),
    ),
    Fault(
        "webhooks-cap-off-by-one",
        ("WH-06", "PLAN-09"),
        "one webhook endpoint more than the plan allows is accepted",
        _cap("webhooks", reached=_one_over),
    ),
    Fault("webhooks-gate-as-cap", ("WH-05", "PLAN-08"),
          "the webhooks plan gate is only the endpoint cap: Free answers MAX_WEBHOOK_ENDPOINTS_REACHED",
          _cap("webhooks", unavailable_code=None)),
    Fault(
        "instances-cap-off-by-one",
        ("PLAN-07", "INST-05"),
        "one instance more than the plan allows is created",
        _cap("instances", reached=_one_over),
    ),
)
