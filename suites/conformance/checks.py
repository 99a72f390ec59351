"""One answer judged against the contract: Schemathesis' checks, the envelope, and the code → status table.

The envelope and code → status rules are `fixtures.checks`'; this module adds Schemathesis' checks and their
tolerances. Every failure becomes a `Finding` that names the guarantees it breaks (the mapping below);
`violation()` folds a case's findings into one redacted `ContractViolation`. Answers the contract allows for
a schema-valid request that still cannot succeed are not failures of `positive_data_acceptance` (the
tolerances of `refusal_allowed`): an unknown id (or plan code) is 404 NOT_FOUND (G1, G14) or TEAM_NOT_FOUND,
a plan gate is 403, a business rule is a documented non-validation 400, 409 or 422, and a filter, page or
cursor value the server does not take is 400 VALIDATION_ERROR naming that query parameter (decisions #6).
Accepting `null` for an optional body property is lenient, not a broken promise (the docs never say null is
refused).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation.case import Case

from fixtures.assertions import body_excerpt, describe_request
from fixtures.checks import code_status_findings, envelope_findings, error_code, error_object, json_body
from fixtures.errors import ContractViolation, Finding, violation_of
from msgflash_compliance.contract.openapi import Operation
from suites.conformance.plan import SHAPE_GUARANTEES, Caller, body_names_ids
from suites.conformance.schema import RESPONSE_CHECKS

PLAN_GATE_SUFFIXES = ("_NOT_AVAILABLE_ON_PLAN", "_REACHED")
# Bodies naming a plan by its code: an unknown code is 404 NOT_FOUND (G14).
PLAN_CODE_BODIES = frozenset({"consoleCreateCheckout", "consoleDowngradeSubscription"})
BUSINESS_STATUSES = frozenset({400, 409, 410, 422})
PROVIDER_CODES = frozenset({"PROVIDER_TIMEOUT", "PROVIDER_UNAVAILABLE", "PROVIDER_ERROR"})
# Cross-field rules the schema cannot say (a send's content mode, a schedule in the past): a VALIDATION_ERROR
# to a schema-valid body is a documented answer there.
CROSS_FIELD_RULES = frozenset({
    "sendMessage", "scheduleMessage", "createCampaign", "publishStatus", "createNumberLookup",
    "createTemplate", "updateTemplate",
})


@dataclass(frozen=True)
class Sent:
    """What the suite actually sent for a case (after putting in the caller's credentials)."""

    caller: Caller
    positive: bool
    query: Mapping[str, Any] = field(default_factory=dict)


# -- tolerances ------------------------------------------------------------------------------------------


def refusal_allowed(op: Operation, sent: Sent, status: int, code: str | None, body: Any = None) -> bool:
    """Whether a schema-valid request may get this documented refusal (not a positive_data_acceptance failure)."""
    if not op.documents(status):
        return False
    rules: tuple[Callable[[], bool], ...] = (
        lambda: status == 404 and code in ("NOT_FOUND", "TEAM_NOT_FOUND")
        and (bool(op.path_params) or body_names_ids(op) or op.operation_id in PLAN_CODE_BODIES),
        lambda: status == 400 and code == "VALIDATION_ERROR" and _only_query_fields(op, body),
        lambda: status == 400 and code == "VALIDATION_ERROR" and op.operation_id in CROSS_FIELD_RULES,
        lambda: status == 403 and code is not None and code.endswith(PLAN_GATE_SUFFIXES),
        lambda: status in BUSINESS_STATUSES and code is not None and code != "VALIDATION_ERROR",
        lambda: sent.caller == Caller.ANONYMOUS and status in (401, 403, 404),  # generated logins and tokens
    )
    return any(rule() for rule in rules)


def _only_query_fields(op: Operation, body: Any) -> bool:
    """A VALIDATION_ERROR naming only query parameters: the server is stricter than the schema about a
    filter, page or cursor value (decisions #6: fail only on a 5xx or a wrong page, which other checks see)."""
    details = (error_object(body) or {}).get("details")
    fields = {d.get("field") for d in details if isinstance(d, dict)} if isinstance(details, list) else set()
    return bool(fields) and fields <= set(op.query_params)


# -- Schemathesis checks -----------------------------------------------------------------------------------


def _failures(case: Case, response: httpx.Response, checks: Iterable[Any], recorder: Any = None) -> list[Failure]:
    try:
        case.validate_response(response, checks=list(checks), recorder=recorder)
    except FailureGroup as group:
        return [f for f in group.exceptions if isinstance(f, Failure)]
    except Failure as failure:
        return [failure]
    return []


def check_functions(names: Iterable[str]) -> list[Any]:
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    return [CHECKS.get_one(name) for name in names]


def _schema_guarantees(op: Operation, status: int, code: str | None, known: Iterable[str]) -> tuple[str, ...]:
    if status >= 400:
        return ("ENV-02",) if code is None or code in known else ("ENV-02", "ERR-10")
    return SHAPE_GUARANTEES.get(op.operation_id, ("ENV-01",))


def _map(failure: Failure, op: Operation, sent: Sent, status: int, body: Any,
         known_codes: Iterable[str], lifecycle: tuple[str, ...]) -> Finding | None:
    code = error_code(body)
    check = type(failure).checks[0] if type(failure).checks else "custom"
    if check == "positive_data_acceptance":
        if refusal_allowed(op, sent, status, code, body):
            return None
        ids: tuple[str, ...] = SHAPE_GUARANTEES.get(op.operation_id, ("ERR-10",))
    elif check == "not_a_server_error":
        if status == 502 and code in PROVIDER_CODES and op.documents(502):
            return None  # a provider failure is a contract answer (ERR-08)
        ids = ("ERR-10",) if sent.positive else ("ENV-03",)
    elif check == "status_code_conformance":
        ids = ("ERR-10",)
    elif check == "content_type_conformance":
        ids = ("ENV-01",) if status < 400 else ("ENV-02",)
    elif check == "response_schema_conformance":
        ids = _schema_guarantees(op, status, code, known_codes)
    elif check == "negative_data_rejection":
        if _null_for_optional(op, failure.message):
            return None
        ids = ("ENV-03",)
    elif check == "ensure_resource_availability" and body_names_ids(op):
        return None  # its 404 may be about an id in the body (a random instance or contact), not the resource
    elif check in ("use_after_free", "ensure_resource_availability"):
        ids = lifecycle or ("ENV-01",)
    else:
        ids = ("ERR-10",)
    return Finding(ids, f"{failure.title}: {' '.join(failure.message.split())}", check)


# Schemathesis (4.32.5) names the mutation of a negative body like "at /properties/description (was string,
# became null)".
NULLED_PROPERTY = re.compile(r"at /properties/([A-Za-z0-9_]+) \(was [a-z]+, became null\)")


def _null_for_optional(op: Operation, message: str) -> bool:
    """A negative case whose only fault is `null` for an optional body property: the docs call such fields
    optional and never say null is refused, so accepting it is lenient, not a broken promise."""
    found = NULLED_PROPERTY.findall(message)
    if len(found) != 1 or not op.has_body:
        return False
    schema = op.request_body_schema()
    return found[0] in (schema.get("properties") or {}) and found[0] not in (schema.get("required") or ())


# -- everything on one answer ---------------------------------------------------------------------------


def judge(op: Operation, case: Case, response: httpx.Response, sent: Sent, table: Mapping[str, frozenset[int]],
          *, recorder: Any = None, extra_checks: Iterable[str] = (), lifecycle: tuple[str, ...] = ()
          ) -> list[Finding]:
    status = response.status_code
    body = json_body(response)
    code = error_code(body)
    findings = envelope_findings(op, status, body) + code_status_findings(status, code, table)
    checks = check_functions([*RESPONSE_CHECKS, *extra_checks])
    for failure in _failures(case, response, checks, recorder):
        mapped = _map(failure, op, sent, status, body, table.keys(), lifecycle)
        if mapped is not None:
            findings.append(mapped)
    return findings


def violation(findings: list[Finding], response: httpx.Response, caller: Caller,
              redact: Callable[[str], str]) -> ContractViolation:
    context = (f"{describe_request(response)} as {caller.value} answered {response.status_code}; "
               f"body: {body_excerpt(response)}")
    return violation_of(context, findings, listed=True, redact=redact)
