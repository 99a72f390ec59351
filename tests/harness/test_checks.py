"""The shared answer-shape rules (fixtures/checks.py) and the one violation builder (fixtures.errors)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fixtures.checks import (
    NOT_AN_ERROR_ENVELOPE,
    code_status_findings,
    cursor_page_problems,
    envelope_findings,
    error_code,
    error_envelope,
    json_body,
    parse_json,
)
from fixtures.errors import ContractViolation, Finding, violation_of
from msgflash_compliance.contract.openapi import operation

CONTACTS = operation("GET /api/v1/contacts")
INSTANCES = operation("GET /api/v1/instances")
TABLE = {"NOT_FOUND": frozenset({404}), "VALIDATION_ERROR": frozenset({400})}


@pytest.mark.parametrize(("body", "code"), [
    ({"error": {"code": "NOT_FOUND", "message": "gone"}}, "NOT_FOUND"),
    ({"error": {"code": 404, "message": "gone"}}, None),
    ({"code": "NOT_FOUND", "message": "gone"}, None),
    ([], None),
    (None, None),
])
def test_error_code_reads_only_a_string_code_under_error(body: Any, code: str | None) -> None:
    assert error_code(body) == code


@pytest.mark.parametrize(("body", "enveloped"), [
    ({"error": {"code": "NOT_FOUND", "message": "gone"}}, True),
    ({"error": {"code": "NOT_FOUND", "detail": "gone"}}, False),
    ({"code": "NOT_FOUND", "message": "gone"}, False),
    ("<html>", False),
])
def test_error_envelope_needs_a_string_code_and_message(body: Any, enveloped: bool) -> None:
    assert (error_envelope(body) is not None) == enveloped


def test_json_body_and_parse_json_give_none_for_what_is_not_json() -> None:
    assert parse_json(b"") is None and parse_json(b"<html>") is None
    assert json_body(httpx.Response(200, json={"data": 1})) == {"data": 1}


def test_cursor_page_problems_name_each_broken_field() -> None:
    assert cursor_page_problems({"contacts": [], "nextCursor": None, "hasMore": False}, "contacts") == []
    assert cursor_page_problems([], "contacts") == ["`data` is not an object"]
    assert cursor_page_problems({"contacts": {}, "nextCursor": 3, "hasMore": 1}, "contacts") == [
        "`data.contacts` is not an array", "`data.nextCursor` is not a string or null",
        "`data.hasMore` is 1, not a boolean"]


def test_envelope_findings_per_guarantee() -> None:
    assert envelope_findings(CONTACTS, 200, {"data": {"contacts": [], "nextCursor": None, "hasMore": 1}}) == [
        Finding(("ENV-05",), "cursor page: `data.hasMore` is 1, not a boolean", "envelope")]
    assert [f.guarantees for f in envelope_findings(INSTANCES, 200, {"data": {}})] == [("ENV-04",)]
    assert [f.guarantees for f in envelope_findings(CONTACTS, 200, {"items": []})] == [("ENV-01",)]
    assert envelope_findings(CONTACTS, 404, {"code": "NOT_FOUND"}) == [
        Finding(("ENV-02",), NOT_AN_ERROR_ENVELOPE, "envelope")]
    assert envelope_findings(CONTACTS, 204, None) == []


def test_code_status_findings_know_the_documented_status() -> None:
    assert code_status_findings(404, "NOT_FOUND", TABLE) == []
    assert [f.message for f in code_status_findings(422, "VALIDATION_ERROR", TABLE)] == [
        "VALIDATION_ERROR came with 422, documented 400"]
    assert [f.message for f in code_status_findings(400, "NOPE", TABLE)] == [
        "error.code 'NOPE' is not a documented code"]


def test_violation_of_one_line_names_every_guarantee_once_and_caps_the_messages() -> None:
    findings = [Finding(("PAGE-04",), f"problem {n}") for n in range(8)] + [Finding(("ENV-05", "PAGE-04"), "problem 0")]
    violation = violation_of("GET /api/v1/contacts", findings)
    assert isinstance(violation, ContractViolation)
    assert violation.guarantees == ("PAGE-04", "ENV-05")
    assert str(violation) == ("[PAGE-04, ENV-05] GET /api/v1/contacts: problem 0; problem 1; problem 2; problem 3; "
                              "problem 4; problem 5 (+2 more)")


def test_violation_of_listed_names_each_check_and_redacts() -> None:
    findings = [Finding(("ENV-02",), "secret-1 leaked", "envelope"), Finding(("ERR-10",), "x", "error_code_status")]
    violation = violation_of("POST /x as personal answered 500", findings, listed=True,
                             redact=lambda text: text.replace("secret-1", "[redacted]"))
    assert str(violation) == ("[ENV-02, ERR-10] POST /x as personal answered 500\n"
                              "- envelope [ENV-02]: [redacted] leaked\n- error_code_status [ERR-10]: x")
