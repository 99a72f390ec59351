"""API keys made through the console for a check (a key to revoke, a key whose format to inspect).

Every key made here is prefixed, registered as a secret (so evidence names it `<created.…>` instead of
printing it) and tracked by the data factory, so the run revokes it at the end whatever the check did.
A target without the console key routes makes the check `not_covered`, with the answer it gave.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from fixtures.checks import error_code_of, json_body
from fixtures.clients import Harness
from fixtures.errors import HarnessError, not_covered
from fixtures.factories import DataFactory

PERSONAL_KEYS_PATH = "/api/api-keys"
KEY_USAGE_PATH = "/api/api-keys/usage"  # the same rows with their request counts (data.apiKeys)
CAP_CODES = frozenset({"MAX_API_KEYS_REACHED", "API_KEYS_NOT_AVAILABLE_ON_PLAN"})
KEY_KIND_PREFIX = "msgf_live_"  # as long as msgf_team_: a keyPrefix must say more than the kind


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


def listed_rows(body: Any) -> list[dict[str, Any]]:
    """The key rows of a list answer: `data` itself, or `data.apiKeys` (the usage shape)."""
    data = body.get("data") if isinstance(body, dict) else None
    rows = data.get("apiKeys", []) if isinstance(data, dict) else data
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def is_strict_prefix(prefix: Any, secret: str) -> bool:
    return isinstance(prefix, str) and bool(prefix) and len(prefix) < len(secret) and secret.startswith(prefix)


def _names_key(prefix: Any, secret: str) -> bool:
    """A keyPrefix that is a strict prefix of `secret` and says more than the kind (`msgf_live_`)."""
    return is_strict_prefix(prefix, secret) and len(prefix) > len(KEY_KIND_PREFIX)


def key_prefix_findings(harness: Harness, rows: list[dict[str, Any]], *, created: Sequence[CreatedKey],
                        profile_key: str | None) -> list[str]:
    """AUTH-13's "only keyPrefix" on one key list, where the suite knows the real secret:

    * every key the check created is listed (the positive control), its `keyPrefix` a strict prefix of its
      secret;
    * the profile's key of this workspace (`profile_key`, a label such as `owner.api_key`) is listed with a
      `keyPrefix` that is a strict prefix of its secret and says more than the kind (`msgf_live_`).
    No full secret anywhere in the answer is `suites.areas.secrets_shown.shown_secrets`."""
    found: list[str] = []
    by_id = {row.get("id"): row for row in rows}
    for key in created:
        row = by_id.get(key.id)
        if row is None:
            found.append(f"the key {key.id} just created is not listed")
        elif not is_strict_prefix(row.get("keyPrefix"), key.secret):
            shown = str(row.get("keyPrefix"))[:16]  # never a whole secret in a message
            found.append(f"key {key.id}: keyPrefix {shown!r}… is not a strict prefix of its secret")
    secret = dict(harness.secrets.labelled()).get(profile_key) if profile_key else None
    if secret and not any(_names_key(row.get("keyPrefix"), secret) for row in rows):
        found.append(f"no row has a keyPrefix of the secret of <{profile_key}> (the workspace's key in use)")
    return found
