"""Running the console billing role matrix: send a cell, undo what it must not have done, judge it.

`BillingRoleMatrix.sweep(guarantees)` runs every cell of those guarantees once (identities interleaved per
route, so their rate-limit budgets share the wall time) and keeps each cell's findings; each guarantee's test
then raises its own (`verdict`). `cell(...)` runs one cell now (the Hypothesis-drawn smoke checks).

Safety: a mutation is sent only when it is expected to be refused (a wrong success is undone at once by the
subscription guard and reported), or, for the controls that may really change a subscription, when the
profile allows billing probes (`[safety] billing_probes`); the guard undoes those too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from fixtures.assertions import body_excerpt, describe_request
from fixtures.checks import error_of, json_body
from fixtures.clients import Actor
from fixtures.errors import ContractViolation, NotCovered, not_covered
from msgflash_compliance.profile import TargetProfile
from suites.billing.guard import BillingGuard
from suites.billing.role_table import ACCEPTED, Cell, Expected, Rule, all_cells, expected, rules
from suites.billing.routes import BillingRoute, Kind, Schedule

REFUSAL_CODES = frozenset({
    "UNAUTHORIZED", "FORBIDDEN", "TEAM_ACCESS_DENIED", "TEAM_NOT_FOUND",
    "BILLING_TEAM_MUTATION_FORBIDDEN", "BILLING_PAYMENTS_TEAM_OWNER_ONLY",
})
TEAMS_PATH = "/api/teams"


@dataclass(frozen=True)
class Finding:
    guarantee: str
    message: str


@dataclass
class Record:
    findings: list[Finding] = field(default_factory=list)
    skipped: str | None = None  # why the cell was not sent
    refusal_code: str | None = None  # the code of a refusal whose code the docs leave open (ROLE-07)


class BillingRoleMatrix:
    def __init__(self, profile: TargetProfile, identities: dict[str, Actor], guard: BillingGuard,
                 catalog: Any, settings: Any, plan_codes: tuple[str, ...]) -> None:
        self.profile = profile
        self.identities = identities
        self.guard = guard
        self.rules: dict[tuple[str, Kind], Rule] = rules(catalog, settings.collaborator_billing_reads)
        self.plan_codes = plan_codes
        self.records: dict[Cell, Record] = {}
        self._clients: dict[tuple[str, str], httpx.Client] = {}
        self._discovered: dict[tuple[str, str], str] | None = None
        self._owner_reads: dict[BillingRoute, Any] = {}

    # -- the cells ---------------------------------------------------------------------------------------

    def cells_of(self, guarantee: str) -> list[Cell]:
        return [c for c in all_cells() if guarantee in self.expect(c).guarantees]

    def expect(self, cell: Cell) -> Expected:
        return expected(cell, self.rules, self._discovered)

    def _team_id(self, header: str) -> str | None:
        if header == "none":
            return None
        team = getattr(self.profile, header)
        if team is None:
            not_covered(f"the profile has no [{header}]")
        return team.id

    def _client(self, identity: str, header: str) -> httpx.Client:
        actor = self.identities.get(identity)
        if actor is None:
            not_covered(f"the profile has no [identities.{identity}]")
        if not actor.identity.has_console:
            not_covered(f"identity {identity} has no console login (jwt or email+password)")
        if (identity, header) not in self._clients:
            self._clients[(identity, header)] = actor.client("console", team_id=self._team_id(header))
        return self._clients[(identity, header)]

    def discover(self) -> None:
        """The owner's place in [other_team] (the profile does not say): from the owner's team list."""
        if self._discovered is not None:
            return
        self._discovered = {}
        owner, other = self.identities.get("owner"), self.profile.other_team
        if owner is None or other is None or not owner.identity.has_console:
            return
        body = json_body(self._client("owner", "none").get(TEAMS_PATH))
        data = body.get("data") if isinstance(body, dict) else None
        rows = data if isinstance(data, list) else (data or {}).get("teams", []) if isinstance(data, dict) else []
        for row in rows:
            if isinstance(row, dict) and row.get("id") == other.id and isinstance(row.get("role"), str):
                self._discovered[("owner", "other_team")] = row["role"]

    # -- one cell -----------------------------------------------------------------------------------------

    def _affected(self, cell: Cell) -> str:
        """Whose subscription a mutation of this cell would change: the caller's own without a header, the
        team owner's with one (the profile's owner owns [team]; anything else is checked on the owner too)."""
        return cell.identity if cell.header == "none" else "owner"

    def cell(self, cell: Cell, plan_code: str) -> Record:
        self.discover()
        want = self.expect(cell)
        record = Record()
        mutation = cell.route.kind == Kind.MUTATION
        if mutation and want.rule.status is ACCEPTED and not self.profile.billing_probes:
            record.skipped = "a billing mutation that may succeed: billing probes are off for this target"
            return record
        client = self._client(cell.identity, cell.header)
        if mutation:
            self.guard.watch(self._affected(cell))
        response = client.request(cell.route.method, cell.route.path, json=cell.route.body(plan_code))
        undone = None
        if mutation and response.is_success and cell.route.changes_subscription:
            undone = self.guard.undo(self._affected(cell))  # at once, wanted or not
        record.findings = self._judge(cell, want, response, undone)
        code = (error_of(response) or {}).get("code")
        if want.rule.status == 403 and want.rule.code is None:
            record.refusal_code = code if isinstance(code, str) else None
        return record

    def _judge(self, cell: Cell, want: Expected, response: httpx.Response, undone: str | None) -> list[Finding]:
        status, error = response.status_code, error_of(response)
        code = error.get("code") if error else None
        rule, problem = want.rule, None
        if rule.status is ACCEPTED:
            if status >= 500 or status == 401 or (status in (403, 404) and code in REFUSAL_CODES):
                problem = "refused by role or team, or failed (the caller may use this route)"
        elif status != rule.status:
            problem = "wrong status"
        elif status >= 400 and (error is None or not isinstance(error.get("message"), str)
                                or (rule.code is not None and code != rule.code)):
            problem = "wrong error code or envelope"
        elif status == 200 and not isinstance(json_body(response), dict):
            problem = "no JSON body"
        findings = []
        if problem is not None:
            got = f"{status}" + (f" {code}" if code else "")
            wanted = "any answer but a role/team refusal" if rule.status is ACCEPTED else \
                f"{rule.status}" + (f" {rule.code}" if rule.code else "")
            message = (f"{cell.label}: expected {wanted}, got {got} ({problem}); "
                       f"{describe_request(response)} body: {body_excerpt(response)}")
            if undone:
                message += f"; the wrongly accepted change was undone: {undone}"
            # a read that must show the owner's account and does not answer 200 breaks that promise too
            findings += [Finding(g, message) for g in want.guarantees if rule.status == 200 or g == rule.guarantee]
        elif want.data_guarantee and self._owns(cell.header):
            mismatch = self._not_owner_data(cell.route, json_body(response))
            if mismatch:
                findings.append(Finding(want.data_guarantee, f"{cell.label}: {mismatch}"))
        return findings

    def _owns(self, header: str) -> bool:
        """The profile's owner owns this team ([team] by convention; [other_team] when discovered so)."""
        return header == "team" or (self._discovered or {}).get(("owner", header)) == "owner"

    def _owner_read(self, route: BillingRoute) -> Any:
        if route not in self._owner_reads:
            body = json_body(self._client("owner", "none").get(route.path))
            self._owner_reads[route] = body.get("data") if isinstance(body, dict) else None
        return self._owner_reads[route]

    def _not_owner_data(self, route: BillingRoute, body: Any) -> str | None:
        """None when a team read shows the team owner's account, else what differs."""
        data = body.get("data") if isinstance(body, dict) else None
        mine = self._owner_read(route)
        if not isinstance(data, dict) or not isinstance(mine, dict):
            return "no data object to compare with the owner's own read"
        if route == BillingRoute.SUBSCRIPTION:
            shown, owners = Schedule.of(data), Schedule.of(mine)
        else:
            shown = ((data.get("plan") or {}).get("code"), data.get("limits"))
            owners = ((mine.get("plan") or {}).get("code"), mine.get("limits"))
        if shown != owners or data.get("period") != mine.get("period"):
            return (f"shows {shown} / period {data.get('period')}, but the team owner's own read shows "
                    f"{owners} / period {mine.get('period')} (a team read shows the owner's account)")
        return None

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    # -- the full sweep -----------------------------------------------------------------------------------

    def sweep(self, guarantees: Iterable[str]) -> None:
        """Every cell of these guarantees not run yet; routes outermost, identities innermost."""
        self.discover()
        wanted = set(guarantees)
        pending = [c for c in all_cells() if c not in self.records and wanted & set(self.expect(c).guarantees)]
        pending.sort(key=lambda c: (list(BillingRoute).index(c.route), c.header))
        for n, cell in enumerate(pending):
            try:
                self.records[cell] = self.cell(cell, self.plan_codes[n % len(self.plan_codes)])
            except NotCovered as err:
                self.records[cell] = Record(skipped=str(err))

    def verdict(self, guarantee: str) -> list[Record]:
        cells = self.cells_of(guarantee)
        ran = [self.records[c] for c in cells if c in self.records and self.records[c].skipped is None]
        if not ran:
            reasons = sorted({self.records[c].skipped or "" for c in cells if c in self.records})
            not_covered(f"no cell of {guarantee} could run: {'; '.join(reasons) or 'none selected'}")
        raise_findings([f for r in ran for f in r.findings if f.guarantee == guarantee])
        return ran


def raise_findings(findings: list[Finding]) -> None:
    if not findings:
        return
    lines = [f"{len(findings)} cell(s) answered against the role rules:"]
    lines += [f"- [{f.guarantee}] {f.message}" for f in findings]
    raise ContractViolation("\n".join(lines), sorted({f.guarantee for f in findings}))
