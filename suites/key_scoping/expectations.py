"""What the contract says each (route, key situation) cell answers: one small declarative function.

A cell either is **refused** (an exact status and `error.code`, sometimes one of two documented refusals) or
**accepted**: the key gets past authentication and team scoping, so the answer is whatever the route does
with a harmless request (200, 201, 404 for a random id, ...) but never 401, never a team-scoping 403 and never
a 5xx. Accepted cells are the controls of the refusals: a route that refused every key would otherwise pass
TEAM-01 or TEAM-04; so a wrongly refused control counts against the refusal guarantee it controls.

Sources: facts §1 and §2.1, decisions #4 and #5, catalog AUTH-01..04 and TEAM-01..09, TEAM-13.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from fixtures.assertions import body_excerpt, describe_request
from fixtures.checks import error_of
from suites.key_scoping.situations import Situation
from suites.routes import Route, RouteKind, public_routes

UNAUTHORIZED = (401, "UNAUTHORIZED")
TEAM_KEY_REQUIRED = (403, "TEAM_KEY_REQUIRED")
TEAM_KEY_NOT_ALLOWED = (403, "TEAM_KEY_NOT_ALLOWED")
SCOPING_CODES = frozenset({"UNAUTHORIZED", "TEAM_KEY_REQUIRED", "TEAM_KEY_NOT_ALLOWED"})

# The personal-only routes each have their own TEAM guarantee (team key refused there).
PERSONAL_ROUTE_GUARANTEES = {
    "GET /api/v1/me": "TEAM-04",
    "GET /api/v1/usage": "TEAM-05",
    "GET /api/v1/billing/subscription": "TEAM-06",
    "GET /api/v1/billing/usage": "TEAM-07",
    "GET /api/v1/billing/payments": "TEAM-08",
}
OPEN_ROUTE_GUARANTEE = "TEAM-09"
UNAUTHENTICATED_GUARANTEES = {
    Situation.NO_KEY: "AUTH-01",
    Situation.MALFORMED_KEY: "AUTH-02",  # "missing, invalid or revoked key -> 401"
    Situation.UNKNOWN_KEY: "AUTH-02",
    Situation.REVOKED_KEY: "AUTH-03",
    Situation.KEY_AS_BEARER: "AUTH-04",
}
MISMATCH_GUARANTEES = {
    Situation.TEAM_NO_ID: "TEAM-02",
    Situation.TEAM_OTHER_TEAM_ID: "TEAM-03",
    Situation.TEAM_RANDOM_ID: "TEAM-03",
}


@dataclass(frozen=True)
class Expected:
    guarantee: str
    refusals: tuple[tuple[int, str], ...] = ()  # empty: accepted
    status: int | None = None  # an accepted cell with one exact status (TEAM-09: 200)
    same_message_as_invalid_key: bool = False  # TEAM-02/03: "same message as an invalid key"

    @property
    def accepted(self) -> bool:
        return not self.refusals

    def describe(self) -> str:
        if self.accepted:
            return f"{self.status}" if self.status else "accepted (no 401, no team-scoping 403, no 5xx)"
        return " or ".join(f"{status} {code}" for status, code in self.refusals)


def _control(route: Route) -> str:
    """The guarantee a personal key's acceptance on this route is the control of."""
    if route.kind == RouteKind.PERSONAL_ONLY:
        return PERSONAL_ROUTE_GUARANTEES[route.label]
    return OPEN_ROUTE_GUARANTEE if route.kind == RouteKind.OPEN else "TEAM-01"


def expected(route: Route, situation: Situation) -> Expected:
    kind = route.kind
    if situation in UNAUTHENTICATED_GUARANTEES:
        return Expected(UNAUTHENTICATED_GUARANTEES[situation], (UNAUTHORIZED,))
    if situation == Situation.PERSONAL:
        return Expected(_control(route), status=200 if kind == RouteKind.OPEN else None)
    if situation == Situation.PERSONAL_WITH_TEAM_ID:
        if kind == RouteKind.WORKSPACE:
            return Expected("TEAM-01", (TEAM_KEY_REQUIRED,))
        return Expected("TEAM-13")  # undocumented (decisions #5): observed, INFO; the reference serves it
    if situation == Situation.TEAM_OWN_ID:
        if kind == RouteKind.PERSONAL_ONLY:
            return Expected(PERSONAL_ROUTE_GUARANTEES[route.label], (TEAM_KEY_NOT_ALLOWED,))
        if kind == RouteKind.OPEN:
            return Expected(OPEN_ROUTE_GUARANTEE, status=200)
        return Expected("TEAM-10")  # the team key opens its team workspace
    if situation in MISMATCH_GUARANTEES:
        if kind == RouteKind.PERSONAL_ONLY:
            # A team key is refused here either way: authentication (401) or the route's rule (403).
            return Expected(PERSONAL_ROUTE_GUARANTEES[route.label], (UNAUTHORIZED, TEAM_KEY_NOT_ALLOWED),
                            same_message_as_invalid_key=True)
        return Expected(MISMATCH_GUARANTEES[situation], (UNAUTHORIZED,), same_message_as_invalid_key=True)
    raise ValueError(f"no expectation for situation {situation!r}")


def guarantees_of(situation: Situation) -> tuple[str, ...]:
    """Every guarantee a situation's cells check, in catalog order (for its test's marker)."""
    ids = {expected(route, situation).guarantee for route in public_routes()}
    return tuple(sorted(ids))


@dataclass(frozen=True)
class Mismatch:
    guarantee: str
    message: str


def judge(response: httpx.Response, want: Expected,
          invalid_key_message: str | None = None) -> Mismatch | None:
    """None when the answer is what `want` says; else what is wrong, with the request and a redacted body."""
    error = error_of(response)
    code = error.get("code") if error else None
    status = response.status_code
    problem = None
    if want.accepted:
        if status >= 500 or status == 401 or (status == 403 and code in SCOPING_CODES):
            problem = "refused or failed"
        elif want.status is not None and status != want.status:
            problem = "wrong status"
    elif (status, code) not in want.refusals or not isinstance((error or {}).get("message"), str):
        problem = "wrong refusal"
    elif (want.same_message_as_invalid_key and status == 401 and invalid_key_message is not None
          and error is not None and error.get("message") != invalid_key_message):
        problem = f"message differs from an invalid key's ({invalid_key_message!r})"
    if problem is None:
        return None
    got = f"{status}" + (f" {code}" if code else "")
    return Mismatch(want.guarantee, f"{describe_request(response)}: expected {want.describe()}, got {got} "
                                    f"({problem}); body: {body_excerpt(response)}")
