"""The fault registry: every injectable fault, the guarantee IDs it breaks, and the policy it swaps.

A fault is a realistic bug confined to one policy object (policies/, plan_rules.py, quotas.py, ratelimit.py,
keys.py): `apply(policies) -> policies` returns the set with that one piece replaced. The core never asks
"is fault X on?". Other areas may contribute faults: a module listed in EXTENSION_MODULES that defines
`FAULTS: tuple[Fault, ...]` (and optionally `POLICY_DEFAULTS: dict[str, object]` for `Policies.extra`).
"""

from __future__ import annotations

import importlib
import importlib.util
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from msgflash_reference.errors import ApiError
from msgflash_reference.keys import KeyGenerator, hash_secret
from msgflash_reference.plan_rules import CapScope
from msgflash_reference.policies import Policies
from msgflash_reference.policies.access import RouteKind
from msgflash_reference.policies.error_mapper import ErrorMapper
from msgflash_reference.policies.filters import MessageFilters
from msgflash_reference.policies.key_resolver import KeyIdentity, KeyResolver, Workspace
from msgflash_reference.policies.ownership import Ownership
from msgflash_reference.policies.pagination import Page, Pager, SortSpec

EXTENSION_MODULES = (
    "msgflash_reference.policies.billing",
    "msgflash_reference.policies.console",
    "msgflash_reference.policies.public_billing",
    "msgflash_reference.policies.pagination_faults",
    "msgflash_reference.policies.messaging",
    "msgflash_reference.policies.envelope_faults",
    "msgflash_reference.policies.contact_rules",
    "msgflash_reference.policies.messaging_faults",
    "msgflash_reference.policies.send_rules",
    "msgflash_reference.policies.resource_views",
    "msgflash_reference.policies.cap_faults",
    "msgflash_reference.policies.body_faults",
    "msgflash_reference.policies.list_shape_faults",
    "msgflash_reference.policies.lineup_faults",
    "msgflash_reference.policies.workspace_faults",
    "msgflash_reference.policies.late_faults",
    "msgflash_reference.policies.team_faults",
    "msgflash_reference.policies.workspace_scope",
)


@dataclass(frozen=True)
class Fault:
    name: str  # kebab-case, what `--fault` takes
    breaks: tuple[str, ...]  # guarantee IDs (openapi/guarantees.yaml) a correct suite must fail on
    summary: str  # one line: the bug
    apply: Callable[[Policies], Policies]


# ====================================================================================================
# The core's faults, grouped by the policy they swap. Each faulty policy gets one thing wrong, the way a
# real implementation would.
# ====================================================================================================


# -- key resolver (AUTH, TEAM) ----------------------------------------------------------------------
class _MissingKeyForbidden(KeyResolver):
    """Treats "no key" as "not allowed" instead of "not authenticated"."""

    def authenticate(self, conn: sqlite3.Connection, headers: Any) -> KeyIdentity:
        if not self.read_secret(headers):
            raise ApiError("FORBIDDEN", "API key required")
        return super().authenticate(conn, headers)


class _UncheckedKeyLookup(KeyResolver):
    """Checks revocation on the fetched row but forgot that an unknown key fetches nothing."""

    def find_key(self, conn: sqlite3.Connection, secret: str) -> sqlite3.Row | None:
        row = conn.execute("SELECT * FROM api_keys WHERE key_hash = ?", (hash_secret(secret),)).fetchone()
        if row["revoked_at"] is not None:  # TypeError on None: 500
            return None
        return row


class _RevocationIgnored(KeyResolver):
    def find_key(self, conn: sqlite3.Connection, secret: str) -> sqlite3.Row | None:
        return conn.execute("SELECT * FROM api_keys WHERE key_hash = ?", (hash_secret(secret),)).fetchone()


class _BearerFallback(KeyResolver):
    """Also reads `Authorization: Bearer <key>` ("be lenient with clients")."""

    def read_secret(self, headers: Any) -> str | None:
        found = super().read_secret(headers)
        if found:
            return found
        scheme, _, token = (headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return token.strip() or None


class _TeamHeaderOptional(KeyResolver):
    """A team key without X-Team-Id falls back to the key's own team."""

    def team_header_matches(self, key_team_id: str, header: str | None) -> bool:
        return header is None or header.lower() == key_team_id


class _TeamHeaderPresenceOnly(KeyResolver):
    """Checks that X-Team-Id is sent, not that it names the key's team."""

    def team_header_matches(self, key_team_id: str, header: str | None) -> bool:
        return header is not None


class _TeamHeaderOwnMessage(KeyResolver):
    """Refuses correctly but with its own message, so the failure tells a prober more than "invalid key"."""

    def team_header_error(self) -> ApiError:
        return ApiError("UNAUTHORIZED", "X-Team-Id does not match the team of this API key")


class _TeamDataInOwnerWorkspace(KeyResolver):
    """Maps a team key to the owner's account and forgets the team: team and personal data mix."""

    def workspace_of(self, identity: KeyIdentity) -> Workspace:
        if identity.kind == "team" and identity.team_owner_id:
            return Workspace(identity.team_owner_id, identity.team_owner_id, None)
        return super().workspace_of(identity)


def _resolver(resolver: KeyResolver) -> Callable[[Policies], Policies]:
    return lambda p: replace(p, key_resolver=resolver)


def _access(kind: RouteKind, **changes: bool) -> Callable[[Policies], Policies]:
    return lambda p: p.with_access_rule(kind, replace(p.access_rules[kind], **changes))


# -- pager (PAGE) -------------------------------------------------------------------------------------
class _InclusiveKeyset(Pager):
    """`<=` where `<` belongs: the last row of a page opens the next one again."""

    def after(self, sort: SortSpec, key: str, row_id: str) -> tuple[str, list[str]]:
        op, op_id = ("<", "<=") if sort.descending else (">", ">=")
        return (f"({sort.column} {op} ? OR ({sort.column} = ? AND {sort.id_column} {op_id} ?))", [key, key, row_id])


class _NoTieBreak(Pager):
    """Orders and seeks on the sort key alone: rows sharing a timestamp or name get skipped between pages."""

    def order_by(self, sort: SortSpec) -> str:
        return f"{sort.column} {'DESC' if sort.descending else 'ASC'}"

    def after(self, sort: SortSpec, key: str, row_id: str) -> tuple[str, list[str]]:
        return f"{sort.column} {'<' if sort.descending else '>'} ?", [key]


class _HasMoreWhenNotEmpty(Pager):
    """`hasMore = bool(items)`: the last page still offers a cursor, which leads to an empty page."""

    def page(self, rows: Any, limit: int, cursor_of: Callable[[sqlite3.Row], str]) -> Page:
        items = list(rows[:limit])
        return Page(items, cursor_of(items[-1]) if items else None, bool(items))


class _FixedDefaultLimit(Pager):
    """One default page size for every listing."""

    def __init__(self, default: int) -> None:
        self.fixed_default = default

    def parse_limit(self, raw: str | None, *, default: int, maximum: int) -> int:
        return super().parse_limit(raw, default=self.fixed_default, maximum=maximum)


class _LimitClampedTo50(Pager):
    """A stale constant: pages never exceed 50 whatever `limit` asks (and 100 is allowed)."""

    def parse_limit(self, raw: str | None, *, default: int, maximum: int) -> int:
        return min(50, super().parse_limit(raw, default=default, maximum=maximum))


class _LimitMaxUnchecked(Pager):
    def parse_limit(self, raw: str | None, *, default: int, maximum: int) -> int:
        return super().parse_limit(raw, default=default, maximum=10**6)


class _SortParamIgnored(Pager):
    """Validates `sort` and echoes it, but always orders by creation date."""

    def resolve_sort(self, raw: str | None, allowed: Any, default: SortSpec) -> SortSpec:
        chosen = super().resolve_sort(raw, allowed, default)
        return replace(default, name=chosen.name)


class _PageOffsetOffByOne(Pager):
    def offset(self, page: int, limit: int) -> int:
        return page * limit


# -- ownership, errors (ERR, ENV) ----------------------------------------------------------------------
class _ForeignIdForbidden(Ownership):
    """Finds the row by id first, then refuses another workspace's with 403 — confirming that it exists."""

    def load(self, conn: sqlite3.Connection, table: str, row_id: str, workspace_id: str, what: str) -> sqlite3.Row:
        row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        if row is not None and row["workspace_id"] != workspace_id:
            raise ApiError("FORBIDDEN", f"{what} belongs to another workspace")
        return super().load(conn, table, row_id, workspace_id, what)


class _UnknownIdUnchecked(Ownership):
    """Returns the lookup result without checking it; callers then crash on None (500)."""

    def load(self, conn: sqlite3.Connection, table: str, row_id: str, workspace_id: str, what: str) -> sqlite3.Row:
        return conn.execute(
            f"SELECT * FROM {table} WHERE id = ? AND workspace_id = ?", (row_id, workspace_id)
        ).fetchone()


class _Validation422(ErrorMapper):
    """The framework's default status for schema errors leaks through."""

    def status(self, error: ApiError) -> int:
        return 422 if error.code == "VALIDATION_ERROR" else error.status


class _FlatEnvelope(ErrorMapper):
    def body(self, error: ApiError) -> dict[str, Any]:
        return super().body(error)["error"]


# -- caps and quotas (PLAN, RATE-05, TEAM-11) ---------------------------------------------------------------
def _groups_cap(**changes: Any) -> Callable[[Policies], Policies]:
    def apply(p: Policies) -> Policies:
        return replace(p, plan_rules=p.plan_rules.with_cap(replace(p.plan_rules.caps["groups"], **changes)))

    return apply


def _count_groups_of_workspace(conn: sqlite3.Connection, scope: CapScope) -> int:
    return int(
        conn.execute("SELECT COUNT(*) FROM contact_groups WHERE workspace_id = ?", (scope.workspace_id,)).fetchone()[0]
    )


def _quota(**changes: Any) -> Callable[[Policies], Policies]:
    return lambda p: replace(p, quota=replace(p.quota, **changes))


def _rate(**changes: Any) -> Callable[[Policies], Policies]:
    return lambda p: replace(p, rate=replace(p.rate, **changes))


CORE_FAULTS: tuple[Fault, ...] = (
    # AUTH
    Fault(
        "missing-key-403",
        ("AUTH-01",),
        "a request without x-api-key gets 403 FORBIDDEN instead of 401",
        _resolver(_MissingKeyForbidden()),
    ),
    Fault(
        "unknown-key-crashes",
        ("AUTH-02",),
        "a well-formed key that was never issued crashes the lookup (500)",
        _resolver(_UncheckedKeyLookup()),
    ),
    Fault(
        "revoked-key-still-works", ("AUTH-03",), "the key lookup ignores revocation", _resolver(_RevocationIgnored())
    ),
    Fault(
        "bearer-key-accepted",
        ("AUTH-04",),
        "an API key sent as Authorization: Bearer authenticates",
        _resolver(_BearerFallback()),
    ),
    Fault(
        "personal-key-short",
        ("AUTH-05",),
        "new key secrets carry 32 hex characters instead of 64",
        lambda p: replace(p, key_generator=KeyGenerator(hex_chars=32)),
    ),
    Fault(
        "team-key-live-prefix",
        ("AUTH-06",),
        "new team keys start with msgf_live_ like personal keys",
        lambda p: replace(p, key_generator=KeyGenerator(team_prefix="msgf_live_")),
    ),
    # TEAM (public API)
    Fault(
        "personal-key-team-header-ignored",
        ("TEAM-01",),
        "a personal key with X-Team-Id is served its personal workspace instead of 403 TEAM_KEY_REQUIRED",
        _access(RouteKind.WORKSPACE, refuse_personal_key_with_team_header=False),
    ),
    Fault(
        "team-key-without-team-header",
        ("TEAM-02",),
        "a team key without X-Team-Id opens its own team",
        _resolver(_TeamHeaderOptional()),
    ),
    Fault(
        "team-key-foreign-team-header",
        ("TEAM-03",),
        "a team key is accepted with any X-Team-Id and opens its own team",
        _resolver(_TeamHeaderPresenceOnly()),
    ),
    Fault(
        "team-header-error-distinct",
        ("TEAM-02", "TEAM-03"),
        "a team key with a missing or foreign X-Team-Id gets 401 with a message of its own",
        _resolver(_TeamHeaderOwnMessage()),
    ),
    Fault(
        "team-key-on-personal-routes",
        ("TEAM-04", "TEAM-05", "TEAM-06", "TEAM-07", "TEAM-08"),
        "team keys are served /me, /usage and the billing reads (the owner's data)",
        _access(RouteKind.PERSONAL_ONLY, team_key_allowed=True),
    ),
    Fault(
        "team-key-plans-refused",
        ("TEAM-09",),
        "GET /api/v1/billing/plans refuses team keys (403)",
        _access(RouteKind.OPEN, team_key_allowed=False),
    ),
    Fault(
        "team-data-in-personal-workspace",
        ("TEAM-10",),
        "a team key reads and writes the owner's personal workspace",
        _resolver(_TeamDataInOwnerWorkspace()),
    ),
    Fault(
        "team-usage-on-key-holder",
        ("TEAM-11",),
        "team-key requests are counted on whoever created the key, not on the team owner",
        _quota(charge_to="actor"),
    ),
    # PAGE
    Fault(
        "cursor-off-by-one",
        ("PAGE-04",),
        "the next page starts with the previous page's last item",
        lambda p: replace(p, pager=_InclusiveKeyset()),
    ),
    Fault(
        "cursor-ties-unbroken",
        ("PAGE-04", "PAGE-05"),
        "pages are ordered and cut on the sort key alone: rows sharing it are skipped",
        lambda p: replace(p, pager=_NoTieBreak()),
    ),
    Fault(
        "has-more-on-last-page",
        ("PAGE-04",),
        "the last page says hasMore: true with a cursor to an empty page",
        lambda p: replace(p, pager=_HasMoreWhenNotEmpty()),
    ),
    Fault(
        "default-limit-20",
        ("PAGE-01", "PAGE-10"),
        "contacts and groups default to 20 per page instead of 50",
        lambda p: replace(p, pager=_FixedDefaultLimit(20)),
    ),
    Fault(
        "default-limit-50",
        ("PAGE-11", "BILL-10"),
        "bulk jobs, messages and payments default to 50 per page",
        lambda p: replace(p, pager=_FixedDefaultLimit(50)),
    ),
    Fault(
        "limit-capped-at-50",
        ("PAGE-02",),
        "limit=100 is accepted but pages stop at 50 items",
        lambda p: replace(p, pager=_LimitClampedTo50()),
    ),
    Fault(
        "limit-max-unenforced",
        ("PAGE-03", "PAGE-02", "PAGE-10"),  # PAGE-03 is INFO; the page echoing limit 101 breaks "max 100"
        "limit above 100 is served in full instead of refused",
        lambda p: replace(p, pager=_LimitMaxUnchecked()),
    ),
    Fault(
        "name-sort-ignored",
        ("PAGE-06",),
        "sort=name_asc is echoed but the contacts come newest first",
        lambda p: replace(p, pager=_SortParamIgnored()),
    ),
    Fault(
        "search-case-sensitive",
        ("PAGE-09",),
        "search matches case-sensitively",
        lambda p: replace(p, search=replace(p.search, function="cs_contains")),
    ),
    Fault(
        "groups-search-name-only",
        ("PAGE-10",),
        "group search ignores the description",
        lambda p: replace(p, search=replace(p.search, fields={**p.search.fields, "groups": ("name",)})),
    ),
    Fault(
        "messages-status-filter-ignored",
        ("PAGE-12",),
        "GET /api/v1/messages?status= returns every status",
        lambda p: replace(p, message_filters=MessageFilters(by_status=False)),
    ),
    Fault(
        "messages-instance-filter-ignored",
        ("PAGE-13",),
        "GET /api/v1/messages?instanceId= returns every instance",
        lambda p: replace(p, message_filters=MessageFilters(by_instance=False)),
    ),
    Fault(
        "payments-page-off-by-one",
        ("PAGE-15",),
        "page N of payments starts at item N*limit (page 1 skips a page)",
        lambda p: replace(p, pager=_PageOffsetOffByOne()),
    ),
    # ERR, ENV
    Fault(
        "foreign-id-403",
        ("ERR-02",),
        "another workspace's id answers 403 FORBIDDEN instead of 404 NOT_FOUND",
        lambda p: replace(p, ownership=_ForeignIdForbidden()),
    ),
    Fault(
        "unknown-id-500",
        ("ERR-01", "ERR-04", "CNT-09", "JOB-06", "GRP-10"),
        "an unknown id is not checked and crashes the handler (500)",
        lambda p: replace(p, ownership=_UnknownIdUnchecked()),
    ),
    Fault(
        "validation-error-422",
        ("ERR-10", "ENV-03", "CNT-01", "GRP-02"),
        "VALIDATION_ERROR is answered with status 422 instead of 400",
        lambda p: replace(p, error_mapper=_Validation422()),
    ),
    Fault(
        "error-envelope-flat",
        ("ENV-02",),
        "errors come as {code, message} without the `error` wrapper",
        lambda p: replace(p, error_mapper=_FlatEnvelope()),
    ),
    # PLAN
    Fault(
        "groups-cap-off-by-one",
        ("PLAN-13", "GRP-03"),
        "one contact group more than the plan allows is accepted",
        _groups_cap(reached=lambda count, limit: count > limit),
    ),
    Fault(
        "groups-cap-per-workspace",
        ("PLAN-14",),
        "the group cap counts the workspace's groups, so each team gets its own pool",
        _groups_cap(count=_count_groups_of_workspace),
    ),
    Fault(
        "api-quota-off-by-one",
        ("PLAN-17",),
        "one API request over the monthly quota is still served",
        _quota(allow_one_over=True),
    ),
    Fault(
        "api-quota-wrong-code",
        ("RATE-05", "PLAN-17"),
        "an exhausted monthly API quota answers API_RATE_LIMIT_EXCEEDED",
        _quota(api_quota_code="API_RATE_LIMIT_EXCEEDED", api_quota_message="Too many API requests"),
    ),
    # RATE
    Fault(
        "rate-limit-per-account",
        ("RATE-03",),
        "the 10/s limit is shared by all keys of one paying account (personal and team keys together)",
        _rate(scope="account"),
    ),
    Fault("rate-limit-global", ("RATE-03",), "one 10/s window for every key of every account", _rate(scope="global")),
    Fault(
        "rate-limit-reads-unlimited",
        ("RATE-01", "RATE-04", "ENV-06"),
        "only writes are rate limited; GETs never",
        _rate(limited_methods=frozenset({"POST", "PUT", "PATCH", "DELETE"})),
    ),
    Fault(
        "rate-limit-window-10s",
        ("RATE-02",),
        "the window is 10 s long: 10 requests per 10 s instead of per second",
        _rate(window_seconds=10.0),
    ),
    Fault(
        "rate-limit-monthly-code",
        ("RATE-04", "ENV-06"),
        "a burst gets MONTHLY_API_REQUEST_QUOTA_EXCEEDED instead of API_RATE_LIMIT_EXCEEDED",
        _rate(code="MONTHLY_API_REQUEST_QUOTA_EXCEEDED", message="Monthly API request quota exceeded"),
    ),
)


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
