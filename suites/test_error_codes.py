"""Error codes and their statuses (ERR-01..05, ERR-10, ENV-02), and the plan gates' codes.

* ERR-10: each code a black-box client can provoke comes with the status the contract gives it. The expected
  status is read from the one code → status table (`suites.conformance.error_codes`, built from the spec), never
  written here a second time. The plan gates are provoked as the outsider, who must be on Free (checked first).
* ERR-01, ERR-03, ERR-04, ERR-05: a random UUID is 404 NOT_FOUND on the documented routes.
* ERR-02 (decisions #8): another account's resource is 404 NOT_FOUND on every operation naming it by id, for
  every kind of resource, and stays untouched. `test_workspace_isolation.py` covers GET and DELETE of contacts
  and groups between workspaces (and TEAM-10); this module covers the other kinds and the other operations.
* A cursor the server never issued is refused (or served), never a 5xx (decisions #6).
* G15 (a reference choice, no catalog guarantee yet): an unknown path is 404 NOT_FOUND, a method the path does
  not offer 405 with `Allow`; the body must still be the error envelope (ENV-02), the status and `Allow` are
  observed and reported, never failed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.checks import code_status_findings, envelope_findings, error_code, error_code_of, json_body
from fixtures.clients import Actor
from fixtures.errors import HarnessError, not_covered, violation_of
from fixtures.factories import DataFactory
from msgflash_compliance.contract import openapi
from msgflash_compliance.profile import TargetProfile
from suites.conformance.known_ids import KnownIds, param_kinds
from suites.conformance.plan import Caller
from suites.routes import HARMLESS_BODIES

pytestmark = pytest.mark.serial  # checked alone: the plan gates need the outsider on Free (isolation moves it)

FREE_PLAN = "free"


@pytest.fixture(scope="module")
def owner_ids(clients: Callable[[Caller], Any], factory: DataFactory, profile: TargetProfile) -> KnownIds:
    team_id = profile.team.id if profile.team else None
    return KnownIds(clients, factory, team_id, profile.safety.allow_send)


def expect_code(response: httpx.Response, code: str, table: Mapping[str, frozenset[int]],
                guarantee: tuple[str, ...]) -> dict[str, Any]:
    """The error `code` with a status the contract gives it."""
    return expect_error(response, set(table[code]), code, guarantee=guarantee)


# -- ERR-10: codes a client can provoke, with their statuses ---------------------------------------------


@dataclass(frozen=True)
class Provocation:
    code: str
    caller: str  # "personal", "team", "anonymous", "console"
    method: str
    path: str
    body: Any = None
    team_header: bool = False  # send a random X-Team-Id


PROVOCATIONS = [
    Provocation("UNAUTHORIZED", "anonymous", "GET", "/api/v1/usage"),
    Provocation("TEAM_KEY_REQUIRED", "personal", "GET", "/api/v1/contacts", team_header=True),
    Provocation("TEAM_KEY_NOT_ALLOWED", "team", "GET", "/api/v1/me"),
    Provocation("NOT_FOUND", "personal", "GET", "/api/v1/contacts/{random}"),
    Provocation("VALIDATION_ERROR", "personal", "GET", "/api/v1/contacts/not-a-uuid"),
    Provocation("VALIDATION_ERROR", "personal", "POST", "/api/v1/contacts/groups", body={}),
    Provocation("TEAM_NOT_FOUND", "console", "GET", "/api/contacts", team_header=True),
]


def _send(provocation: Provocation, clients: Callable[[Caller], Any]) -> httpx.Response:
    client = clients(Caller(provocation.caller))
    headers = {"X-Team-Id": str(uuid.uuid4())} if provocation.team_header else None
    path = provocation.path.replace("{random}", str(uuid.uuid4()))
    return client.request(provocation.method, path, json=provocation.body, headers=headers)


@pytest.mark.smoke
@pytest.mark.guarantee("ERR-10", "ENV-02")
@pytest.mark.parametrize("provocation", [pytest.param(p, id=f"{p.code}-{p.method} {p.path}") for p in PROVOCATIONS])
def test_provoked_code_comes_with_its_documented_status(provocation: Provocation, clients: Callable[[Caller], Any],
                                                        table: Mapping[str, frozenset[int]]) -> None:
    expect_code(_send(provocation, clients), provocation.code, table, ("ERR-10",))


# -- plan gates: the outsider (Free) ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def free_outsider(identities: dict[str, Actor]) -> Actor:
    outsider = identities.get("outsider")
    if outsider is None:
        not_covered("the profile has no [identities.outsider]")
    response = outsider.api.get("/api/v1/billing/subscription")
    plan = ((json_body(response) or {}).get("data") or {}).get("subscription", {}).get("plan", {}).get("code")
    if plan != FREE_PLAN:
        not_covered(f"the outsider is on {plan!r}, the plan gates need an account on Free")
    return outsider


@pytest.fixture(scope="module")
def outsider_instance(free_outsider: Actor) -> str:
    data = expect_ok(free_outsider.api.get("/api/v1/instances"))
    if not data:
        not_covered("the outsider has no instance (needed to reach the plan gate, not a 404)")
    return data[0]["id"]


@pytest.mark.guarantee("ERR-10", "WH-05", "PLAN-08")
def test_webhooks_gate_on_free(free_outsider: Actor, factory: DataFactory, profile: TargetProfile,
                               table: Mapping[str, frozenset[int]]) -> None:
    if profile.safety.read_only:
        not_covered("the profile is read_only")
    response = free_outsider.api.post("/api/v1/webhooks", json=HARMLESS_BODIES["createWebhook"](factory.name))
    _track_wrong_create(response, free_outsider, factory, "webhook", "/api/v1/webhooks/{id}")
    expect_code(response, "WEBHOOKS_NOT_AVAILABLE_ON_PLAN", table, ("WH-05", "PLAN-08"))


@pytest.mark.guarantee("ERR-10", "CMP-14", "PLAN-10")
def test_campaigns_gate_on_free(free_outsider: Actor, outsider_instance: str, factory: DataFactory,
                                profile: TargetProfile, table: Mapping[str, frozenset[int]]) -> None:
    if not profile.safety.allow_send:
        not_covered("a campaign the gate fails to refuse would be scheduled: needs [safety] allow_send")
    contact = factory.contact(free_outsider.api)
    body = {**HARMLESS_BODIES["createCampaign"](factory.name), "instanceId": outsider_instance,
            "recipients": {"type": "explicit", "value": [contact["id"]]}}
    expect_code(free_outsider.api.post("/api/v1/campaigns", json=body), "CAMPAIGNS_NOT_AVAILABLE_ON_PLAN", table,
                ("CMP-14", "PLAN-10"))


@pytest.mark.guarantee("ERR-10", "STAT-04", "PLAN-11")
def test_statuses_gate_on_free(free_outsider: Actor, outsider_instance: str, factory: DataFactory,
                               profile: TargetProfile, table: Mapping[str, frozenset[int]]) -> None:
    if not profile.safety.allow_send:
        not_covered("a status the gate fails to refuse would be published: needs [safety] allow_send")
    body = {**HARMLESS_BODIES["publishStatus"](factory.name), "instanceId": outsider_instance}
    expect_code(free_outsider.api.post("/api/v1/statuses", json=body), "STATUSES_NOT_AVAILABLE_ON_PLAN", table,
                ("STAT-04", "PLAN-11"))


def _track_wrong_create(response: httpx.Response, actor: Actor, factory: DataFactory, kind: str, path: str) -> None:
    data = (json_body(response) or {}).get("data") if response.status_code in (200, 201) else None
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        factory.track(actor.api, kind, path.format(id=data["id"]), data["id"])  # type: ignore[arg-type]


# -- ERR-01/03/04/05: random ids ---------------------------------------------------------------------------

RANDOM_ID_ROUTES = [
    ("ERR-01", "GET", "/api/v1/messages/{id}"),
    ("ERR-03", "GET", "/api/v1/campaigns/{id}"),
    ("ERR-04", "GET", "/api/v1/instances/{id}"),
    ("ERR-04", "GET", "/api/v1/instances/{id}/state"),
    ("ERR-05", "DELETE", "/api/v1/webhooks/{id}"),
]


@pytest.mark.smoke
@pytest.mark.parametrize(("guarantee", "method", "path"), [
    pytest.param(g, m, p, id=f"{m} {p}", marks=pytest.mark.guarantee(g)) for g, m, p in RANDOM_ID_ROUTES
])
def test_a_random_id_is_not_found(guarantee: str, method: str, path: str, clients: Callable[[Caller], Any]) -> None:
    response = clients(Caller.PERSONAL).request(method, path.format(id=uuid.uuid4()))
    expect_error(response, 404, "NOT_FOUND", guarantee=guarantee)


# -- ERR-02: another account's resources -----------------------------------------------------------------

# Kinds checked here, with the operations naming them (from the spec). Contacts and groups: only the
# operations test_workspace_isolation.py does not send (it sends GET and DELETE of the item).
FOREIGN_KINDS = ("template", "webhook", "message", "instance", "job", "campaign", "lookup", "contact", "group")
ISOLATION_SUITE_COVERS = frozenset({("contact", "GET"), ("contact", "DELETE"), ("group", "GET"),
                                    ("group", "DELETE")})
NEEDS_SEND = frozenset({"campaign", "lookup"})
LIST_OF = {"webhook": ("/api/v1/webhooks", None)}  # kinds without a GET by id: found in their list


def foreign_operations(kind: str) -> list[openapi.Operation]:
    """The public operations naming a `kind` by id, the ones that change or remove it last."""
    ops = [op for op in openapi.operations()
           if op.public and kind in param_kinds(op).values()
           and not ((kind, op.method) in ISOLATION_SUITE_COVERS and op.path.endswith("}"))]
    return sorted(ops, key=lambda op: (op.method == "DELETE", op.method != "GET"))


def _path(op: openapi.Operation, kind: str, resource_id: str) -> str:
    path = op.path
    for name, param_kind in param_kinds(op).items():
        path = path.replace("{" + name + "}", resource_id if param_kind == kind else str(uuid.uuid4()))
    return path


def _still_there(owner: httpx.Client, kind: str, resource_id: str) -> None:
    if kind in LIST_OF:
        path, key = LIST_OF[kind]
        items = expect_ok(owner.get(path), guarantee="ERR-02")
        items = items.get(key) if key else items
        check(any(isinstance(i, dict) and i.get("id") == resource_id for i in items or []),
              f"the owner's {kind} {resource_id} is gone from {path} after another account's requests",
              guarantee="ERR-02")
        return
    getter = next(op for op in openapi.operations()
                  if op.public and op.method == "GET" and op.path.endswith("}") and kind in param_kinds(op).values())
    expect_ok(owner.get(_path(getter, kind, resource_id)), guarantee="ERR-02")


@pytest.mark.guarantee("ERR-02")
@pytest.mark.parametrize("kind", FOREIGN_KINDS)
def test_another_accounts_resource_is_not_found(kind: str, owner_ids: KnownIds, clients: Callable[[Caller], Any],
                                                identities: dict[str, Actor], factory: DataFactory,
                                                profile: TargetProfile) -> None:
    outsider = identities.get("outsider")
    if outsider is None:
        not_covered("the profile has no [identities.outsider]")
    if kind in NEEDS_SEND and not profile.safety.allow_send:
        not_covered(f"the owner's {kind} is made by a send: needs [safety] allow_send")
    if profile.safety.read_only and kind not in ("message", "instance"):
        not_covered("the profile is read_only: the owner's resource would have to be created")
    ids = owner_ids.ids(Caller.PERSONAL, kind, False)
    if not ids:
        reason = owner_ids.problems.get((Caller.PERSONAL, kind), "none found")
        raise HarnessError(f"no {kind} of the owner to look at from another account ({reason})")
    resource_id = ids[0]
    for op in foreign_operations(kind):
        if op.method != "GET" and profile.safety.read_only:
            continue
        body = HARMLESS_BODIES[op.operation_id](factory.name) if op.operation_id in HARMLESS_BODIES else None
        response = outsider.api.request(op.method, _path(op, kind, resource_id), json=body)
        expect_error(response, 404, "NOT_FOUND", guarantee="ERR-02")
    _still_there(clients(Caller.PERSONAL), kind, resource_id)


# -- cursors the server never issued (decisions #6) --------------------------------------------------------

UNISSUED_CURSORS = ("!!", "not-a-cursor", "AAAA", "eyJpZCI6MX0", "%00", "a" * 300)
CURSOR_LISTS = [op for op in openapi.operations()
                if op.list_shape == "cursor" and "cursor" in op.query_params and not op.path_params
                and op.method == "GET"]


@pytest.mark.guarantee("ERR-10", "ENV-02")
@pytest.mark.parametrize("op", [pytest.param(op, id=op.label) for op in CURSOR_LISTS])
def test_an_unissued_cursor_is_never_a_server_error(op: openapi.Operation, clients: Callable[[Caller], Any],
                                                    table: Mapping[str, frozenset[int]]) -> None:
    client = clients(Caller.PERSONAL if op.public else Caller.CONSOLE)
    for cursor in UNISSUED_CURSORS:
        response = client.get(op.path, params={"cursor": cursor})
        check(response.status_code < 500,
              f"GET {op.path}?cursor={cursor[:20]}… answered {response.status_code}: a cursor the server never "
              "issued must be refused (400) or served, never a server error (decisions #6)", guarantee="ERR-10")
        body = json_body(response)
        findings = envelope_findings(op, response.status_code, body)
        findings += code_status_findings(response.status_code, error_code(body), table)
        if findings:
            raise violation_of(f"GET {op.path}?cursor={cursor[:20]}…", findings)


# -- G15: unknown paths and methods (envelope MUST; status and Allow observed) ----------------------------

OFFERED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _observe(record_property: Callable[[str, object], None], text: str) -> None:
    import allure

    record_property("observation", text)
    allure.attach(text, name="observation (G15)", attachment_type=allure.attachment_type.TEXT)


@pytest.mark.guarantee("ENV-02")
def test_unknown_path_is_an_enveloped_not_found(clients: Callable[[Caller], Any],
                                                record_property: Callable[[str, object], None]) -> None:
    response = clients(Caller.PERSONAL).get(f"/api/v1/no-such-route-{uuid.uuid4().hex[:8]}")
    expect_error(response, range(400, 600), None, guarantee="ENV-02")
    if (response.status_code, error_code_of(response)) != (404, "NOT_FOUND"):
        _observe(record_property, f"unknown path answered {response.status_code} {error_code_of(response)}, "
                                  "G15 says 404 NOT_FOUND")


def _wrong_method(path: str) -> str | None:
    item = openapi.load_spec()["paths"][path]
    offered = {m.upper() for m in item if m.upper() in OFFERED_METHODS}
    return next((m for m in ("PATCH", "PUT", "DELETE", "POST") if m not in offered), None)


WRONG_METHOD_PATHS = sorted({op.path for op in openapi.operations() if op.public and _wrong_method(op.path)})


@pytest.mark.guarantee("ENV-02")
def test_a_method_the_path_does_not_offer_is_enveloped(clients: Callable[[Caller], Any],
                                                       record_property: Callable[[str, object], None]) -> None:
    client = clients(Caller.PERSONAL)
    observations = []
    for path in WRONG_METHOD_PATHS:
        method = _wrong_method(path)
        assert method is not None
        concrete = path
        while "{" in concrete:
            start, end = concrete.index("{"), concrete.index("}")
            concrete = concrete[:start] + str(uuid.uuid4()) + concrete[end + 1:]
        response = client.request(method, concrete, json={} if method in ("POST", "PUT", "PATCH") else None)
        expect_error(response, range(400, 500), None, guarantee="ENV-02")
        offered = {m.upper() for m in openapi.load_spec()["paths"][path] if m.upper() in OFFERED_METHODS}
        allow = {m.strip().upper() for m in response.headers.get("allow", "").split(",") if m.strip()}
        if response.status_code != 405 or not offered <= allow:
            observations.append(f"{method} {path}: {response.status_code} {error_code_of(response)}, "
                                f"Allow {sorted(allow) or 'absent'} (G15: 405 METHOD_NOT_ALLOWED, Allow "
                                f"{sorted(offered)})")
    if observations:
        _observe(record_property, json.dumps(observations, indent=1))


# -- a deleted resource is gone ------------------------------------------------------------------------------

# Per kind: how to make one, and what must be 404 NOT_FOUND after its DELETE (the guarantee it breaks).
DELETED_CHECKS: dict[str, tuple[str, tuple[tuple[str, str, Any], ...]]] = {
    "contact": ("CNT-09", (("GET", "/api/v1/contacts/{id}", None), ("PUT", "/api/v1/contacts/{id}", {}),
                           ("DELETE", "/api/v1/contacts/{id}", None))),
    "group": ("GRP-10", (("GET", "/api/v1/contacts/groups/{id}", None),
                         ("POST", "/api/v1/contacts/groups/{id}/members", "members"))),
    "webhook": ("WH-07", (("DELETE", "/api/v1/webhooks/{id}", None),)),
}
DELETE_PATHS = {"contact": "/api/v1/contacts/{id}", "group": "/api/v1/contacts/groups/{id}",
                "webhook": "/api/v1/webhooks/{id}"}


@pytest.mark.parametrize("kind", [pytest.param(k, marks=pytest.mark.guarantee(g)) for k, (g, _) in
                                  DELETED_CHECKS.items()])
def test_a_deleted_resource_is_not_found(kind: str, clients: Callable[[Caller], Any], factory: DataFactory,
                                         profile: TargetProfile) -> None:
    if profile.safety.read_only:
        not_covered("the profile is read_only")
    client = clients(Caller.PERSONAL)
    made = getattr(factory, kind)(client)
    guarantee, after = DELETED_CHECKS[kind]
    expect_ok(client.delete(DELETE_PATHS[kind].format(id=made["id"])), guarantee=guarantee)
    for method, path, body in after:
        if body == "members":
            body = {"contactIds": [str(uuid.uuid4())]}
        expect_error(client.request(method, path.format(id=made["id"]), json=body), 404, "NOT_FOUND",
                     guarantee=guarantee)
