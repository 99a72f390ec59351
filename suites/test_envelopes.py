"""Envelopes over every operation, one deterministic request each (ENV-01..05, ERR-10).

The conformance suite generates many requests per operation; this one sends the same harmless request every
run (`suites.routes`: random path ids, prefixed creates, sends to an instance that does not exist), so an
envelope regression shows up with a stable, readable reproduction:

* a 2xx body sits under `data` (ENV-01); a simple list's `data` is an array (ENV-04); a cursor list's `data`
  holds its items array, `nextCursor` (string or null) and `hasMore` (boolean) (ENV-05);
* an error body is `{"error": {"code", "message"}}` (ENV-02) with a documented code sent with that code's
  documented status (ERR-10, the table of `suites.conformance.error_codes`);
* an invalid body is 400 VALIDATION_ERROR, `details` an array when present (ENV-03).

Public operations go out with the owner's personal key, console reads with the owner's console session (a
path's team id is the profile's team), console auth reads without credentials.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import pytest

from fixtures.assertions import check, expect_error
from fixtures.checks import code_status_findings, envelope_findings, error_code, json_body
from fixtures.errors import not_covered, violation_of
from fixtures.factories import DataFactory
from msgflash_compliance.contract import openapi
from msgflash_compliance.profile import TargetProfile
from suites.conformance.plan import EXCLUDED, LIST_SHAPE_GUARANTEE, MAILS, Caller, callers
from suites.routes import Route, public_routes

SMOKE_ROUTES = frozenset({"GET /api/v1/contacts", "GET /api/v1/instances", "GET /api/v1/contacts/{id}",
                          "POST /api/v1/contacts"})


def _marks(op: openapi.Operation, smoke: bool = False) -> list[pytest.MarkDecorator]:
    ids = ["ENV-01", "ENV-02", "ERR-10"]
    if op.list_shape:
        ids.append(LIST_SHAPE_GUARANTEE[op.list_shape])
    return [pytest.mark.guarantee(*ids), *([pytest.mark.smoke] if smoke else [])]


PUBLIC = [pytest.param(r, id=r.label, marks=_marks(openapi.operation(r.label), r.label in SMOKE_ROUTES))
          for r in public_routes()]
CONSOLE_READS = [
    pytest.param(op, id=op.label, marks=_marks(op))
    for op in openapi.operations()
    if not op.public and op.method == "GET" and op.operation_id not in EXCLUDED and op.operation_id not in MAILS
]


def judge_envelope(op: openapi.Operation, response: httpx.Response, table: Mapping[str, frozenset[int]]) -> None:
    body = json_body(response)
    findings = envelope_findings(op, response.status_code, body)
    findings += code_status_findings(response.status_code, error_code(body), table)
    if findings:
        request = f"{response.request.method} {response.request.url.path}"
        raise violation_of(f"{request} answered {response.status_code}", findings)


@pytest.mark.parametrize("route", PUBLIC)
def test_public_operation_answers_in_its_envelope(route: Route, clients: Callable[[Caller], Any],
                                                  factory: DataFactory, profile: TargetProfile,
                                                  table: Mapping[str, frozenset[int]]) -> None:
    if route.write and profile.safety.read_only:
        not_covered("the profile is read_only: this operation writes")
    client = clients(Caller.PERSONAL)
    request = route.request(factory.name)
    response = client.request(route.method, request.path, json=request.json)
    if route.creates and response.status_code in (200, 201):
        data = (json_body(response) or {}).get("data") or {}
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            kind, delete = route.creates
            factory.track(client, kind, delete.format(id=data["id"]), data["id"])
    judge_envelope(openapi.operation(route.label), response, table)


@pytest.mark.parametrize("op", CONSOLE_READS)
def test_console_read_answers_in_its_envelope(op: openapi.Operation, clients: Callable[[Caller], Any],
                                              profile: TargetProfile, table: Mapping[str, frozenset[int]]) -> None:
    caller = callers(op)[0]
    path = op.path
    for name in op.path_params:
        value = profile.team.id if name == "teamId" and profile.team else str(uuid.uuid4())
        path = path.replace("{" + name + "}", value)
    params = {"token": uuid.uuid4().hex} if "token" in op.query_params else None
    judge_envelope(op, clients(caller).get(path, params=params), table)


# -- ENV-03: an invalid body is a validation error ---------------------------------------------------------

INVALID_BODY_OPS = [op for op in openapi.operations()
                    if op.public and op.has_body and not op.path_params and op.method in ("POST", "PUT")]


@pytest.mark.smoke
@pytest.mark.guarantee("ENV-03")
def test_empty_contact_is_a_validation_error(clients: Callable[[Caller], Any], profile: TargetProfile) -> None:
    """The docs' own example: POST /api/v1/contacts {} → 400 VALIDATION_ERROR, `details` an array if present."""
    if profile.safety.read_only:
        not_covered("the profile is read_only")
    error = expect_error(clients(Caller.PERSONAL).post("/api/v1/contacts", json={}), 400, "VALIDATION_ERROR",
                         guarantee="ENV-03")
    check("details" not in error or isinstance(error["details"], list),
          f"POST /api/v1/contacts {{}}: error.details is {type(error.get('details')).__name__}, not an array",
          guarantee="ENV-03")


@pytest.mark.guarantee("ENV-03")
@pytest.mark.parametrize("op", [pytest.param(op, id=op.label) for op in INVALID_BODY_OPS])
def test_a_body_that_is_not_an_object_is_a_validation_error(op: openapi.Operation,
                                                            clients: Callable[[Caller], Any],
                                                            profile: TargetProfile) -> None:
    if profile.safety.read_only:
        not_covered("the profile is read_only")
    response = clients(Caller.PERSONAL).request(op.method, op.path, json=[])
    error = expect_error(response, 400, "VALIDATION_ERROR", guarantee="ENV-03")
    check("details" not in error or isinstance(error["details"], list),
          f"{op.label}: error.details is {type(error.get('details')).__name__}, not an array", guarantee="ENV-03")
