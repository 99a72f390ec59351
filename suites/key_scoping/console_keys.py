"""API keys made through the console for a check (a key to revoke, a key whose format to inspect).

Every key made here is prefixed, registered as a secret (so evidence names it `<created.…>` instead of
printing it) and tracked by the data factory, so the run revokes it at the end whatever the check did.
A target without the console key routes makes the check `not_covered`, with the answer it gave.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from fixtures.assertions import error_code_of, json_body
from fixtures.errors import HarnessError, not_covered
from fixtures.factories import DataFactory

PERSONAL_KEYS_PATH = "/api/api-keys"
CAP_CODES = frozenset({"MAX_API_KEYS_REACHED", "API_KEYS_NOT_AVAILABLE_ON_PLAN"})


@dataclass(frozen=True)
class CreatedKey:
    """A key made for a check. Its repr leaves the secret out: pytest prints fixture values in tracebacks."""

    id: str
    secret: str = field(repr=False)
    data: dict[str, Any] = field(repr=False)  # the create response's data (holds the secret)
    delete_path: str = ""


def team_keys_path(team_id: str) -> str:
    return f"/api/teams/{team_id}/api-keys"


def _refuse_unusable(response: httpx.Response, what: str) -> None:
    status, code = response.status_code, error_code_of(response)
    if status in (404, 405) and code in (None, "NOT_FOUND", "METHOD_NOT_ALLOWED"):
        not_covered(f"the target offers no {what} (answered {status} {code or ''})".strip())
    if status == 403 and code in CAP_CODES:
        not_covered(f"{what}: the account is at its API-key cap ({code}); free a key slot to run this check")


def create_key(console: httpx.Client, factory: DataFactory, path: str, *, label: str) -> CreatedKey:
    """POST `{name}` to a console key route (personal or team); expects 201 with `data.id`. Anything else is
    a setup problem (broken), not a verdict: the console key routes come from [S] sources."""
    if factory.read_only:
        not_covered("the profile is read_only (safety.read_only = true): this check creates an API key")
    response = console.post(path, json={"name": factory.name("key")})
    _refuse_unusable(response, f"console key creation (POST {path})")
    body = json_body(response)
    data = body.get("data") if isinstance(body, dict) else None
    if response.status_code != 201 or not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise HarnessError(
            f"POST {path}: expected 201 with data.id, got {response.status_code} "
            f"{error_code_of(response) or ''}; cannot set up a console-made key"
        )
    delete_path = f"{path}/{data['id']}"
    factory.track(console, "api-key", delete_path, data["id"])  # type: ignore[arg-type]
    secret = data.get("secret")
    if isinstance(secret, str) and secret:
        factory.harness.secrets.add(label, secret)
    return CreatedKey(data["id"], secret if isinstance(secret, str) else "", data, delete_path)


def revoke_key(console: httpx.Client, key: CreatedKey) -> None:
    response = console.delete(key.delete_path)
    if response.status_code not in (200, 204):
        raise HarnessError(
            f"DELETE {key.delete_path}: the console did not revoke the key ({response.status_code} "
            f"{error_code_of(response) or ''}); cannot set up a revoked key"
        )


def listed_keys(console: httpx.Client, path: str) -> tuple[httpx.Response, Any]:
    response = console.get(path)
    return response, json_body(response)
