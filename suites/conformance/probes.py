"""The ignored-auth probes (Schemathesis' `ignored_auth`, sent through the harness).

Schemathesis' own check resends the request with its `requests` transport, outside the throttle, the budget
and the evidence; this one resends it with harness clients. After the first 2xx an API-key operation gives a
caller, the same request goes out once with no key and once with a well-formed key that was never issued:
both must be 401 UNAUTHORIZED (AUTH-01, AUTH-02). X-Team-Id stays as it was, so a team-key request is probed
exactly as sent, minus the key.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import httpx

from fixtures.checks import error_code_of
from fixtures.errors import Finding

CREDENTIAL_HEADERS = frozenset({"x-api-key", "authorization"})


def never_issued_key() -> str:
    return "msgf_live_" + secrets.token_hex(32)


def ignored_auth_findings(request: dict[str, Any], anonymous: Callable[[dict[str, str]], httpx.Client],
                          on_created: Callable[[httpx.Response], None]) -> list[Finding]:
    """Resend `request` (httpx.Client.request kwargs, credential headers removed) without, then with a bogus key."""
    headers = {k: v for k, v in (request.get("headers") or {}).items() if k.lower() not in CREDENTIAL_HEADERS}
    findings = []
    for guarantee, extra, what in (
        ("AUTH-01", {}, "without x-api-key"),
        ("AUTH-02", {"x-api-key": never_issued_key()}, "with a never-issued key"),
    ):
        with anonymous({**headers, **extra}) as client:
            response = client.request(**{**request, "headers": None})
        on_created(response)
        code = error_code_of(response)
        if response.status_code != 401 or code != "UNAUTHORIZED":
            findings.append(Finding(
                (guarantee,),
                f"the same request {what} answered {response.status_code} {code or ''}, expected 401 UNAUTHORIZED",
                "ignored_auth",
            ))
    return findings
