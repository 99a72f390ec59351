"""Who may call which console billing route: ONE declarative table (facts §3, §4.2; decisions #3; G13).

A cell of the role matrix is (identity, route, X-Team-Id). The identity's relation to the team named by the
header gives its workspace role: `owner`, `admin`, `collaborator`, `non-member` (→ 404 TEAM_NOT_FOUND), or
`personal` when no header is sent (the caller's own account). `TABLE[(role, kind)]` then says the outcome:
an exact status, the `error.code` wherever the docs give one, and the guarantee the cell checks.

`ACCEPTED` cells are the controls: the call gets past the role rules (never 401, never a role refusal,
never 404 TEAM_NOT_FOUND, never a 5xx) but its business answer depends on the account (an upgrade-only
checkout, nothing to cancel, ...). A personal cell is the control of the same identity's team cell: a route
that refused everyone would otherwise pass every refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from suites.billing.routes import BillingRoute, Kind

IDENTITIES = ("owner", "admin", "collaborator", "outsider")
HEADERS = ("team", "other_team", "none")
ACCEPTED = None  # status of a control cell: any answer that is not a refusal by role or team

# Each identity's place in each profile team (profile convention: admin and collaborator are members of
# [team] only, the outsider of none). The owner's place in [other_team] is not stated by the profile: the
# matrix asks the target's team list for it (`discovered`).
MEMBERSHIP: dict[tuple[str, str], str] = {
    ("owner", "team"): "owner",
    ("admin", "team"): "admin",
    ("collaborator", "team"): "collaborator",
}
DISCOVERED = frozenset({("owner", "other_team")})


@dataclass(frozen=True)
class Rule:
    guarantee: str
    status: int | None  # ACCEPTED (None): a control
    code: str | None = None  # asserted when the docs give one
    shows_owner: bool = False  # a 200 read shows the team owner's subscription / usage


# (workspace role, route kind) -> (guarantee, shows the owner's data). The status and code of each come
# from the guarantee's catalog entry; the owner's mutations are the controls of ROLE-03.
TABLE: dict[tuple[str, Kind], tuple[str, bool]] = {
    ("owner", Kind.READ): ("ROLE-01", True),
    ("owner", Kind.PAYMENTS): ("ROLE-08", False),
    ("owner", Kind.MUTATION): ("ROLE-03", False),
    ("admin", Kind.READ): ("ROLE-02", True),
    ("admin", Kind.PAYMENTS): ("ROLE-04", False),
    ("admin", Kind.MUTATION): ("ROLE-03", False),
    ("collaborator", Kind.READ): ("ROLE-07", True),
    ("collaborator", Kind.PAYMENTS): ("ROLE-06", False),
    ("collaborator", Kind.MUTATION): ("ROLE-05", False),
    ("non-member", Kind.READ): ("TEAM-14", False),
    ("non-member", Kind.PAYMENTS): ("TEAM-14", False),
    ("non-member", Kind.MUTATION): ("TEAM-14", False),
}
CONTROLS = frozenset({("owner", Kind.MUTATION)})


def rules(catalog: Any, collaborator_billing_reads: str) -> dict[tuple[str, Kind], Rule]:
    """TABLE with each cell's status and code from the catalog, under decisions #3: when collaborators may
    read (`collaborator_billing_reads = allowed`) their reads are 200 with the owner's data."""
    built = {}
    for key, (guarantee, shows_owner) in TABLE.items():
        entry = catalog.get(guarantee).expected
        status, code = (ACCEPTED, None) if key in CONTROLS else (entry.status, entry.code)
        if guarantee == "ROLE-07" and collaborator_billing_reads == "allowed":
            status, code = 200, None
        built[key] = Rule(guarantee, status, code, shows_owner and status == 200)
    return built


def role_of(identity: str, header: str, discovered: dict[tuple[str, str], str] | None = None) -> str:
    if header == "none":
        return "personal"
    return (discovered or {}).get((identity, header)) or MEMBERSHIP.get((identity, header), "non-member")


@dataclass(frozen=True)
class Cell:
    identity: str
    route: BillingRoute
    header: str  # "team", "other_team" or "none"

    @property
    def label(self) -> str:
        where = "no X-Team-Id" if self.header == "none" else f"X-Team-Id {self.header}"
        return f"{self.identity} {self.route.method} {self.route.path} ({where})"


@dataclass(frozen=True)
class Expected:
    rule: Rule
    personal: bool  # the cell is a personal-workspace control
    data_guarantee: str | None  # checked on a 200 that must show the team owner's data

    @property
    def guarantees(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(g for g in (self.rule.guarantee, self.data_guarantee) if g))


def expected(cell: Cell, rules: dict[tuple[str, Kind], Rule],
             discovered: dict[tuple[str, str], str] | None = None) -> Expected:
    role = role_of(cell.identity, cell.header, discovered)
    kind = cell.route.kind
    if role == "personal":
        # the control of this identity's cell in its own team (the outsider's: of the non-member cells)
        team_rule = rules[(role_of(cell.identity, "team"), kind)]
        status = 200 if kind != Kind.MUTATION else ACCEPTED
        return Expected(Rule(team_rule.guarantee, status), True, None)
    rule = rules[(role, kind)]
    data = None
    if rule.shows_owner:
        data = "BILL-20" if cell.route == BillingRoute.SUBSCRIPTION and role in ("owner", "admin") \
            else rule.guarantee
    return Expected(rule, False, data)


def all_cells() -> list[Cell]:
    return [Cell(i, r, h) for i in IDENTITIES for r in BillingRoute for h in HEADERS]
