"""Schemathesis hooks of the schema-agreement run (`test_schema_agreement.py`, `SCHEMATHESIS_HOOKS`).

The run checks that the OpenAPI description and the reference server agree on which requests are valid
(positive_data_acceptance, negative_data_rejection). Some refusals of a schema-valid request are contract
answers no schema can express, because they depend on state (what the server issued or holds), not on the
request's shape; exactly these rejections are dropped, every other one stays a failure:

* a `cursor` the server never issued: 400 VALIDATION_ERROR whose details name only `cursor` (decisions #6: the
  docs' cursors are opaque, "pass the returned nextCursor back"; the bulk-jobs cursor is the id of a job of the
  workspace). The conformance suite tolerates the same answer (`suites.conformance.checks._only_query_fields`).
* pausing a campaign that is not running or scheduled, resuming one that is not paused: 400 BAD_REQUEST
  (docs: campaigns/pause "400 BAD_REQUEST if status not pausable"; resume is for a paused campaign). The ids
  come from the campaigns the run itself created (Schemathesis reuses ids from responses). Likewise a bulk
  job or number lookup no longer in progress cannot be cancelled, a lookup not done cannot be imported, and a
  lookup needs a connected instance (facts §10, §11.13): 400 BAD_REQUEST.
* a team whose invitation list repeats an e-mail (in any case) or names the caller, and the owner leaving its
  own team: 400 BAD_REQUEST ([S], facts §12).
* the template rules (facts §7, §11.3, §11.5): a body whose placeholders are malformed, 400 TEMPLATE_INVALID; a
  send or preview of a stored template whose context (instance, contact) is unknown or whose variables have no
  value, 400 TEMPLATE_CONTEXT_UNAVAILABLE / TEMPLATE_VARIABLES_MISSING.
* a console e-mail verification or password-reset token the server never issued: 400 BAD_REQUEST (the
  console choices in `msgflash_reference/README.md`: "bad, used or expired verification/reset tokens").
* accepting an invitation by a token or id the server never issued: 410 INVITE_INVALID_OR_EXPIRED ([S],
  facts §12).
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis

BAD_REQUEST = (400, frozenset({"BAD_REQUEST"}))
TEMPLATE_USE = (400, frozenset({"TEMPLATE_CONTEXT_UNAVAILABLE", "TEMPLATE_VARIABLES_MISSING"}))
TEMPLATE_INVALID = (400, frozenset({"TEMPLATE_INVALID"}))
# operation -> (status, error codes) of its state refusals
STATE_REFUSALS: dict[str, tuple[int, frozenset[str]]] = {
    "POST /api/v1/campaigns/{id}/pause": BAD_REQUEST,
    "POST /api/v1/campaigns/{id}/resume": BAD_REQUEST,
    "POST /api/v1/contacts/bulk-jobs/{jobId}/cancel": BAD_REQUEST,
    "POST /api/v1/number-lookups": BAD_REQUEST,
    "POST /api/v1/number-lookups/{id}/cancel": BAD_REQUEST,
    "POST /api/v1/number-lookups/{id}/import-contacts": BAD_REQUEST,
    "POST /api/v1/messages/send": TEMPLATE_USE,
    "POST /api/v1/messages/schedule": TEMPLATE_USE,
    "POST /api/v1/templates/{id}/preview": TEMPLATE_USE,
    "POST /api/v1/templates": TEMPLATE_INVALID,
    "PUT /api/v1/templates/{id}": TEMPLATE_INVALID,
    "POST /api/teams": BAD_REQUEST,
    "POST /api/teams/{teamId}/members/leave": BAD_REQUEST,
    "GET /api/auth/verify-email/validate": BAD_REQUEST,
    "POST /api/auth/verify-email": BAD_REQUEST,
    "GET /api/auth/reset-password/validate": BAD_REQUEST,
    "POST /api/auth/reset-password": BAD_REQUEST,
    "POST /api/teams/invitations/accept": (410, frozenset({"INVITE_INVALID_OR_EXPIRED"})),
}


def _error(response: Any) -> dict[str, Any]:
    try:
        body = json.loads(response.content)
    except (ValueError, TypeError):
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _names_only_cursor(case: Any, error: dict[str, Any]) -> bool:
    details = error.get("details")
    fields = {d.get("field") for d in details if isinstance(d, dict)} if isinstance(details, list) else set()
    return error.get("code") == "VALIDATION_ERROR" and fields == {"cursor"} and "cursor" in (case.query or {})


def is_state_refusal(case: Any, response: Any) -> bool:
    """A 400 to a schema-valid request that rests on state the schema cannot describe (module docstring)."""
    error = _error(response)
    refusal = STATE_REFUSALS.get(case.operation.label)
    if refusal is not None and response.status_code == refusal[0] and error.get("code") in refusal[1]:
        return True
    return response.status_code == 400 and _names_only_cursor(case, error)


def filter_failure(ctx: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure but a positive_data_acceptance one on a state refusal."""
    return not (type(failure).__name__ == "RejectedPositiveData" and is_state_refusal(case, response))


# Registered (globally) only when Schemathesis loads this file from SCHEMATHESIS_HOOKS: imported as a module of
# the test package (the self-test of `is_state_refusal`), it must not filter other Schemathesis runs.
if __name__ != "tests.contract.schema_agreement_hooks":
    schemathesis.hook(filter_failure)
