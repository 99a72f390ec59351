"""The one error code → HTTP status table (ERR-10), built from the contract, never copied by hand.

Source, in order:
1. the spec's error responses: each `components/responses` entry (named like the HTTP status it is for:
   `BadRequest` → 400, `TooManyRequests` → 429) and each inline error response lists its codes in its
   description; wildcards there (`MAX_*_REACHED`, `BILLING_*`) fill codes no entry names explicitly;
2. the catalog's expectations (`expected.status` with `expected.code`), for codes no response lists
   (`INTERNAL_ERROR` 500, ERR-09);
3. the contract settings, for the one code whose status is a product decision (decisions #2).

Every code of the spec's `ErrorCode` enum must end up with a status: `error_status_table()` raises otherwise,
so a code added to the spec cannot go unchecked.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from functools import cache
from http import HTTPStatus
from typing import Any

from msgflash_compliance.contract.openapi import HTTP_METHODS, load_spec, resolve

CODE_TOKEN = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9*]+)+\b|\*_[A-Z_]+\b|\b[A-Z]+_\*")
SETTING_CODES = {"PLAN_CHANGE_BLOCKED_ACTIVE_TEAMS": "plan_change_blocked_status"}


class ErrorTableError(LookupError):
    """The contract leaves a documented code without a status: a project bug (fix the spec or catalog)."""


def documented_codes() -> frozenset[str]:
    return frozenset(load_spec()["components"]["schemas"]["ErrorCode"]["enum"])


def _status_of_component(name: str) -> int:
    """`TooManyRequests` → 429, by the standard reason phrase."""
    wanted = re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()
    return int(HTTPStatus[wanted])


def _mentions(description: str) -> tuple[set[str], set[str]]:
    """(codes named explicitly, wildcard patterns) in a response description."""
    codes = documented_codes()
    explicit, patterns = set(), set()
    for token in CODE_TOKEN.findall(description):
        if "*" in token:
            patterns.add(token)
        elif token in codes:
            explicit.add(token)
    return explicit, patterns


def _described_responses() -> list[tuple[int, str]]:
    """(status, description) of every error response the spec describes."""
    spec = load_spec()
    found = []
    for name, response in spec["components"]["responses"].items():
        try:
            status = _status_of_component(name)
        except KeyError:
            continue  # success responses (Deleted, ConsoleAck, ...) are not named after a status
        if status >= 400:
            found.append((status, response.get("description", "")))
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            for status, response in operation.get("responses", {}).items():
                if status[0] in "45" and "$ref" not in response:
                    found.append((int(status), resolve(response).get("description", "")))
    return found


@cache
def _spec_table() -> dict[str, frozenset[int]]:
    explicit: dict[str, set[int]] = {}
    wildcard: dict[str, set[int]] = {}
    for status, description in _described_responses():
        named, patterns = _mentions(description)
        for code in named:
            explicit.setdefault(code, set()).add(status)
        for pattern in patterns:
            for code in fnmatch.filter(documented_codes(), pattern):
                wildcard.setdefault(code, set()).add(status)
    table = {code: frozenset(statuses) for code, statuses in wildcard.items()}
    table.update({code: frozenset(statuses) for code, statuses in explicit.items()})  # explicit wins
    return table


def _catalog_pairs() -> dict[str, frozenset[int]]:
    from msgflash_compliance.contract.catalog import load_catalog

    pairs: dict[str, set[int]] = {}
    for guarantee in load_catalog():
        expected = guarantee.expected
        if expected.code and expected.status and expected.status >= 400:
            pairs.setdefault(expected.code, set()).add(expected.status)
    return {code: frozenset(statuses) for code, statuses in pairs.items()}


def error_status_table(settings: Any = None) -> Mapping[str, frozenset[int]]:
    """{error code: the HTTP statuses it may come with}, for every code of the spec's ErrorCode enum."""
    table = dict(_spec_table())
    for code, statuses in _catalog_pairs().items():
        if code in documented_codes() and code not in table:
            table[code] = statuses
    for code, setting in SETTING_CODES.items():
        if settings is not None and hasattr(settings, setting):
            table[code] = frozenset({int(getattr(settings, setting))})
    missing = sorted(documented_codes() - table.keys())
    if missing:
        raise ErrorTableError(
            f"error codes without a documented status: {', '.join(missing)}; name each in an error response "
            "description of openapi/msgflash-v1.yaml (or in a catalog expectation)"
        )
    return table


def catalog_disagreements() -> list[str]:
    """Codes whose catalog status is not one the spec gives them (the two sources must agree)."""
    spec = _spec_table()
    return [
        f"{code}: catalog {sorted(statuses)}, spec {sorted(spec[code])}"
        for code, statuses in sorted(_catalog_pairs().items())
        if code in spec and not statuses <= spec[code]
    ]
