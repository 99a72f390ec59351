"""Key scoping: every `/api/v1` route of the contract × every key situation (AUTH-01..04, TEAM-01..10,
TEAM-13), the key formats (AUTH-05, AUTH-06, AUTH-13) and the role refusal AUTH-07.

The matrix is one test per key situation, so each guarantee gets its own verdict. Its cells come from
`suites.routes` (the spec's routes with harmless requests) and `suites.key_scoping.expectations.expected`.

* `full` enumerates every cell: one interleaved sweep over the selected situations (see `matrix.py` for why),
  then Hypothesis varies the generated credentials (any malformed string, any never-issued key, any random
  team id) on sampled routes.
* `smoke` lets Hypothesis sample a few routes per situation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from hypothesis import Phase, given
from hypothesis import strategies as st

from fixtures.assertions import check, expect_error
from fixtures.clients import Actor, Harness
from fixtures.errors import NotCovered, not_covered
from fixtures.factories import DataFactory
from fixtures.hypothesis_runs import noting, target_settings
from suites.areas.secrets_shown import known_key_secrets, shown_secrets
from suites.key_scoping.console_keys import (
    KEY_USAGE_PATH,
    PERSONAL_KEYS_PATH,
    CreatedKey,
    create_key,
    key_prefix_findings,
    listed_keys,
    listed_rows,
    revoke_key,
    team_keys_path,
)
from suites.key_scoping.expectations import guarantees_of
from suites.key_scoping.level import suite_level
from suites.key_scoping.matrix import KeyMatrix, raise_mismatches
from suites.key_scoping.situations import VARIANTS, KeyRing, Situation
from suites.routes import public_routes

SMOKE_EXAMPLES = 3  # sampled cells per situation in the smoke suite
FULL_VARIANT_EXAMPLES = 6  # generated credentials per situation on top of the full enumeration
PERSONAL_KEY_SHAPE = re.compile(r"^msgf_live_[0-9a-f]{64}$")
MATRIX_TEST = "test_key_situation_on_every_route"

SITUATIONS = [pytest.param(s, id=s.value, marks=pytest.mark.guarantee(*guarantees_of(s))) for s in Situation]


# -- fixtures --------------------------------------------------------------------------------------------


def _revoked_key_maker(identities: dict[str, Actor], factory: DataFactory) -> Callable[[], str]:
    """Lazily: create a personal key as the owner in the console, revoke it, hand back its secret."""
    outcome: dict[str, object] = {}

    def make() -> str:
        if "value" not in outcome:
            try:
                owner = identities.get("owner")
                if owner is None or not owner.identity.has_console:
                    not_covered("a revoked key needs the owner's console login (jwt or email+password)")
                key = create_key(owner.console, factory, PERSONAL_KEYS_PATH, label="created.revoked_key")
                revoke_key(owner.console, key)
                outcome["value"] = key.secret
            except (Exception, NotCovered) as err:
                outcome["value"] = err  # asked again per cell: fail the same way, without new requests
        value = outcome["value"]
        if isinstance(value, BaseException):
            raise value
        return str(value)

    return make


@pytest.fixture(scope="module")
def key_matrix(harness: Harness, factory: DataFactory, identities: dict[str, Actor]) -> Iterator[KeyMatrix]:
    ring = KeyRing(harness, revoked_key=_revoked_key_maker(identities, factory))
    routes = public_routes()
    if harness.profile.safety.read_only:
        routes = tuple(r for r in routes if not r.write)  # a read-only target gets reads only
    matrix = KeyMatrix(ring, factory, routes)
    yield matrix
    ring.close()


def _selected_situations(request: pytest.FixtureRequest) -> list[Situation]:
    """The matrix situations this run will check (a `--guarantee` run selects a few)."""
    chosen = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if getattr(item, "originalname", "") == MATRIX_TEST and callspec is not None:
            chosen.append(callspec.params["situation"])
    return list(dict.fromkeys(chosen))


def _check_generated(matrix: KeyMatrix, situation: Situation, examples: int) -> None:
    variants = VARIANTS.get(situation, st.none())

    @target_settings(max_examples=examples, phases=[Phase.generate])
    @given(route=st.sampled_from(matrix.routes), variant=variants)
    @noting
    def one_cell(route, variant):
        found = matrix.cell(situation, route, variant)
        raise_mismatches([found] if found else [])

    one_cell()


# -- the matrix ------------------------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.parametrize("situation", SITUATIONS)
def test_key_situation_on_every_route(situation: Situation, key_matrix: KeyMatrix,
                                      request: pytest.FixtureRequest) -> None:
    if suite_level(request.config) == "smoke":
        _check_generated(key_matrix, situation, SMOKE_EXAMPLES)
        return
    key_matrix.sweep(_selected_situations(request))
    key_matrix.verdict(situation)
    if situation in VARIANTS:
        _check_generated(key_matrix, situation, FULL_VARIANT_EXAMPLES)


# -- key formats -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def console_personal_key(identities: dict[str, Actor], factory: DataFactory) -> CreatedKey:
    owner = identities.get("owner")
    if owner is None or not owner.identity.has_console:
        not_covered("needs the owner's console login (jwt or email+password)")
    return create_key(owner.console, factory, PERSONAL_KEYS_PATH, label="created.personal_key")


@pytest.mark.guarantee("AUTH-05")
def test_personal_key_secret_format(console_personal_key: CreatedKey) -> None:
    secret = console_personal_key.secret
    check(bool(PERSONAL_KEY_SHAPE.match(secret)),
          f"POST {PERSONAL_KEYS_PATH}: data.secret of a new personal key does not match "
          f"^msgf_live_[0-9a-f]{{64}}$ (length {len(secret)}, starts {secret[:10]!r})", guarantee="AUTH-05")


def _check_key_list(harness: Harness, console: httpx.Client, path: str, *, created: list[CreatedKey],
                    profile_key: str | None, shown_breaks: tuple[str, ...]) -> None:
    """AUTH-13 as a property of the whole list, in one GET: no full secret of any key anywhere in the answer
    (`shown_breaks`: the guarantees a shown secret breaks), and every keyPrefix the suite can check is one."""
    response, body = listed_keys(console, path)
    check(response.status_code == 200 and isinstance(body, dict) and isinstance(body.get("data"), list | dict),
          f"GET {path}: expected 200 with data, got {response.status_code}", guarantee="AUTH-13")
    shown = shown_secrets(body, known_key_secrets(harness))
    check(not shown, f"GET {path}: the key list shows a full secret (a secret is shown only once, at creation): "
                     + _few(shown), guarantee=shown_breaks)
    wrong = key_prefix_findings(harness, listed_rows(body), created=created, profile_key=profile_key)
    check(not wrong, f"GET {path}: the key list must show each key's keyPrefix: " + _few(wrong),
          guarantee="AUTH-13")


def _few(found: list[str], shown: int = 5) -> str:
    return "; ".join(found[:shown]) + (f" (+{len(found) - shown} more)" if len(found) > shown else "")


@pytest.mark.guarantee("AUTH-05", "AUTH-13")
def test_key_list_never_shows_the_secret(harness: Harness, owner: Actor, console_personal_key: CreatedKey) -> None:
    """No row of the owner's key lists (the list and its usage report) shows a secret, whoever made the key:
    the one just created, the profile's key in use, any older one."""
    for path in (PERSONAL_KEYS_PATH, KEY_USAGE_PATH):
        _check_key_list(harness, owner.console, path, created=[console_personal_key], profile_key="owner.api_key",
                        shown_breaks=("AUTH-05", "AUTH-13"))


@pytest.mark.guarantee("AUTH-06", "AUTH-13")
def test_team_key_secret_format(harness: Harness, owner: Actor, team, factory: DataFactory) -> None:
    if not owner.identity.has_console:
        not_covered("needs the owner's console login (jwt or email+password)")
    path = team_keys_path(team.id)
    key = create_key(owner.console, factory, path, label="created.team_key")
    check(key.secret.startswith("msgf_team_"),
          f"POST {path}: data.secret of a new team key does not start with msgf_team_ "
          f"(starts {key.secret[:10]!r})", guarantee="AUTH-06")
    profile_key = "team.api_key" if team.api_key is not None else None
    # The team's keys in every console list: the legacy team route, the unified one and its usage report.
    _check_key_list(harness, owner.console, path, created=[key], profile_key=profile_key, shown_breaks=("AUTH-13",))
    in_team = owner.client("console", team_id=team.id)
    for unified in (PERSONAL_KEYS_PATH, KEY_USAGE_PATH):
        _check_key_list(harness, in_team, unified, created=[key], profile_key=profile_key, shown_breaks=("AUTH-13",))


# -- a resource the key's role may not use -----------------------------------------------------------------


@pytest.mark.guarantee("AUTH-07")
def test_role_without_access_is_forbidden(collaborator: Actor, team, settings) -> None:
    """G13 (decisions #3): a collaborator sees the team but may not read its subscription: 403 FORBIDDEN."""
    if settings.collaborator_billing_reads != "forbidden":
        not_covered("collaborator_billing_reads = allowed: a collaborator may read the team's subscription")
    if not collaborator.identity.has_console:
        not_covered("needs the collaborator's console login (jwt or email+password)")
    console = collaborator.client("console", team_id=team.id)
    expect_error(console.get("/api/billing/subscription"), 403, "FORBIDDEN", guarantee="AUTH-07")

