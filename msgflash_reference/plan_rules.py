"""Every plan cap and feature gate of facts §5, with its 403 code, in one place.

A cap is: which plan number limits it, how the current count is taken (always on the paying owner, so team
workspaces share the owner's pool), and when the count has "reached" the limit. The core calls
`PlanRules.enforce(...)` before creating anything capped; faults swap one Cap's count or comparison.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from msgflash_reference.errors import ApiError
from msgflash_reference.plans import Plan


@dataclass(frozen=True)
class CapScope:
    """What a count is taken over: the paying owner, the workspace acted in, a team (seats), the clock."""

    owner_id: str
    workspace_id: str | None = None
    team_id: str | None = None
    now_iso: str | None = None


def _at_or_over(count: int, limit: int) -> bool:
    return count >= limit


@dataclass(frozen=True)
class Cap:
    name: str
    code: str  # 403 when the count has reached the limit
    message: str
    limit: Callable[[Plan], int | None]  # None = unlimited
    count: Callable[[sqlite3.Connection, CapScope], int]
    unavailable_code: str | None = None  # 403 when the plan's limit is 0 (the feature is not on the plan)
    unavailable_message: str = ""
    reached: Callable[[int, int], bool] = _at_or_over


# -- counts (one SQL each; all on the owner) -----------------------------------------------------------
def count_api_keys(conn: sqlite3.Connection, scope: CapScope) -> int:
    """One pool per owner: personal keys plus the keys of every live team the owner owns ([S] PLAN-05)."""
    row = conn.execute(
        """SELECT COUNT(*) FROM api_keys k
           WHERE k.revoked_at IS NULL AND (
             (k.team_id IS NULL AND k.user_id = :owner)
             OR k.team_id IN (SELECT id FROM teams WHERE owner_user_id = :owner AND deleted_at IS NULL))""",
        {"owner": scope.owner_id},
    ).fetchone()
    return int(row[0])


def count_groups_of_owner(conn: sqlite3.Connection, scope: CapScope) -> int:
    """Account-wide: personal and team workspaces of the owner together ([S] PLAN-14)."""
    return int(conn.execute("SELECT COUNT(*) FROM contact_groups WHERE owner_id = ?", (scope.owner_id,)).fetchone()[0])


def count_webhooks(conn: sqlite3.Connection, scope: CapScope) -> int:
    return int(
        conn.execute(
            "SELECT COUNT(*) FROM webhooks WHERE owner_id = ? AND deleted_at IS NULL", (scope.owner_id,)
        ).fetchone()[0]
    )


def count_instances(conn: sqlite3.Connection, scope: CapScope) -> int:
    return int(
        conn.execute(
            "SELECT COUNT(*) FROM instances WHERE owner_id = ? AND deleted_at IS NULL", (scope.owner_id,)
        ).fetchone()[0]
    )


def count_owned_teams(conn: sqlite3.Connection, scope: CapScope) -> int:
    return int(
        conn.execute(
            "SELECT COUNT(*) FROM teams WHERE owner_user_id = ? AND deleted_at IS NULL", (scope.owner_id,)
        ).fetchone()[0]
    )


def count_seats(conn: sqlite3.Connection, scope: CapScope) -> int:
    """Active members (owner included) plus live pending invitations (G21: a pending invite holds a seat)."""
    members = conn.execute(
        "SELECT COUNT(*) FROM team_members WHERE team_id = ? AND removed_at IS NULL", (scope.team_id,)
    ).fetchone()[0]
    pending = conn.execute(
        "SELECT COUNT(*) FROM team_invitations WHERE team_id = ? AND status = 'pending' AND expires_at > ?",
        (scope.team_id, scope.now_iso or ""),
    ).fetchone()[0]
    return int(members) + int(pending)


DEFAULT_CAPS: dict[str, Cap] = {
    "api_keys": Cap(
        "api_keys",
        "MAX_API_KEYS_REACHED",
        "API key limit reached for your plan",
        lambda p: p.max_api_keys,
        count_api_keys,
        "API_KEYS_NOT_AVAILABLE_ON_PLAN",
        "API keys are not available on your plan",
    ),
    "groups": Cap(
        "groups",
        "MAX_CONTACT_GROUPS_REACHED",
        "Contact group limit reached for your plan",
        lambda p: p.max_contact_groups,
        count_groups_of_owner,
    ),
    "webhooks": Cap(
        "webhooks",
        "MAX_WEBHOOK_ENDPOINTS_REACHED",
        "Webhook endpoint limit reached for your plan",
        lambda p: p.max_webhook_endpoints if p.webhooks else 0,
        count_webhooks,
        "WEBHOOKS_NOT_AVAILABLE_ON_PLAN",
        "Webhooks are not available on your plan",
    ),
    "instances": Cap(
        "instances",
        "MAX_INSTANCES_REACHED",
        "Instance limit reached for your plan",
        lambda p: p.max_instances,
        count_instances,
    ),
    "teams": Cap(
        "teams",
        "TEAM_LIMIT_REACHED",
        "You already own the maximum number of teams for your plan",
        lambda p: p.max_teams,
        count_owned_teams,
        "TEAM_FEATURE_UNAVAILABLE",
        "Teams require a Pro or Plus subscription",
    ),
    "seats": Cap(
        "seats",
        "TEAM_SEAT_LIMIT_REACHED",
        "This team has no free seat left",
        lambda p: p.seats_per_team,
        count_seats,
    ),
}

# Feature gates: feature name on Plan.features() -> the code refusing it.
FEATURE_GATES: dict[str, tuple[str, str]] = {
    "campaigns": ("CAMPAIGNS_NOT_AVAILABLE_ON_PLAN", "Campaigns are not available on your plan"),
    "statuses": ("STATUSES_NOT_AVAILABLE_ON_PLAN", "WhatsApp statuses are not available on your plan"),
    "webhooks": ("WEBHOOKS_NOT_AVAILABLE_ON_PLAN", "Webhooks are not available on your plan"),
    "voiceNotes": ("FEATURE_NOT_AVAILABLE_ON_PLAN", "Voice notes are not available on your plan"),
    "numberLookups": ("FEATURE_NOT_AVAILABLE_ON_PLAN", "Number lookups are not available on your plan"),
}


@dataclass(frozen=True)
class PlanRules:
    caps: Mapping[str, Cap] = field(default_factory=lambda: dict(DEFAULT_CAPS))

    def enforce(self, conn: sqlite3.Connection, cap_name: str, plan: Plan, scope: CapScope) -> None:
        """Raise the cap's 403 when one more would not fit the plan; return when it fits."""
        cap = self.caps[cap_name]
        limit = cap.limit(plan)
        if limit is None:
            return
        if limit == 0 and cap.unavailable_code:
            raise ApiError(cap.unavailable_code, cap.unavailable_message)
        if cap.reached(cap.count(conn, scope), limit):
            raise ApiError(cap.code, cap.message)

    def count(self, conn: sqlite3.Connection, cap_name: str, scope: CapScope) -> int:
        return self.caps[cap_name].count(conn, scope)

    def require_feature(self, plan: Plan, feature: str) -> None:
        if not plan.features()[feature]:
            code, message = FEATURE_GATES[feature]
            raise ApiError(code, message)

    def with_cap(self, cap: Cap) -> PlanRules:
        return replace(self, caps={**self.caps, cap.name: cap})
