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

import pytest
from hypothesis import Phase, given
from hypothesis import strategies as st

from fixtures.assertions import check, expect_error
from fixtures.clients import Actor, Harness
from fixtures.errors import NotCovered, not_covered
from fixtures.factories import DataFactory
from fixtures.hypothesis_runs import noting, target_settings
from suites.key_scoping.console_keys import (
    PERSONAL_KEYS_PATH,
    CreatedKey,
    create_key,
    listed_keys,
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


@pytest.mark.guarantee("AUTH-05", "AUTH-13")
def test_key_list_never_shows_the_secret(owner: Actor, console_personal_key: CreatedKey) -> None:
    response, body = listed_keys(owner.console, PERSONAL_KEYS_PATH)
    check(response.status_code == 200 and isinstance(body, dict) and "data" in body,
          f"GET {PERSONAL_KEYS_PATH}: expected 200 with data, got {response.status_code}",
          guarantee="AUTH-13")
    check(console_personal_key.secret not in response.text,
          f"GET {PERSONAL_KEYS_PATH}: the list shows the full secret of key {console_personal_key.id} "
          "(a secret is shown only once, at creation)", guarantee=("AUTH-05", "AUTH-13"))
    rows = body["data"] if isinstance(body["data"], list) else body["data"].get("apiKeys", [])
    row = next((r for r in rows if isinstance(r, dict) and r.get("id") == console_personal_key.id), None)
    check(row is not None, f"GET {PERSONAL_KEYS_PATH}: the key {console_personal_key.id} just created is not "
                           "listed", guarantee="AUTH-13")
    prefix = row.get("keyPrefix") if row else None
    check(isinstance(prefix, str) and console_personal_key.secret.startswith(prefix) and len(prefix) < 74,
          f"GET {PERSONAL_KEYS_PATH}: keyPrefix {prefix!r} is not a strict prefix of the key's secret",
          guarantee="AUTH-13")


@pytest.mark.guarantee("AUTH-06", "AUTH-13")
def test_team_key_secret_format(owner: Actor, team, factory: DataFactory) -> None:
    if not owner.identity.has_console:
        not_covered("needs the owner's console login (jwt or email+password)")
    path = team_keys_path(team.id)
    key = create_key(owner.console, factory, path, label="created.team_key")
    check(key.secret.startswith("msgf_team_"),
          f"POST {path}: data.secret of a new team key does not start with msgf_team_ "
          f"(starts {key.secret[:10]!r})", guarantee="AUTH-06")
    response, _ = listed_keys(owner.console, path)
    check(response.status_code != 200 or key.secret not in response.text,
          f"GET {path}: the team key list shows the full secret of key {key.id}", guarantee="AUTH-13")


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

