"""Faults of API-key authentication and of what a team key may open (AUTH, TEAM on the public API): the key
resolver, the key generator, the access rule of each route kind and who pays for a team key's request.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from msgflash_reference.errors import ApiError
from msgflash_reference.faults.fault import Fault, swap
from msgflash_reference.keys import KeyGenerator, hash_secret
from msgflash_reference.policies import Policies
from msgflash_reference.policies.access import RouteKind
from msgflash_reference.policies.key_lists import KeyListView
from msgflash_reference.policies.key_resolver import KeyIdentity, KeyResolver, Workspace


class _MissingKeyForbidden(KeyResolver):
    """Treats "no key" as "not allowed" instead of "not authenticated"."""

    def authenticate(self, conn: sqlite3.Connection, headers: Any) -> KeyIdentity:
        if not self.read_secret(headers):
            raise ApiError("FORBIDDEN", "API key required")
        return super().authenticate(conn, headers)


class _UncheckedKeyLookup(KeyResolver):
    """Checks revocation on the fetched row but forgot that an unknown key fetches nothing."""

    def find_key(self, conn: sqlite3.Connection, secret: str) -> sqlite3.Row | None:
        row = conn.execute("SELECT * FROM api_keys WHERE key_hash = ?", (hash_secret(secret),)).fetchone()
        if row["revoked_at"] is not None:  # TypeError on None: 500
            return None
        return row


class _RevocationIgnored(KeyResolver):
    def find_key(self, conn: sqlite3.Connection, secret: str) -> sqlite3.Row | None:
        return conn.execute("SELECT * FROM api_keys WHERE key_hash = ?", (hash_secret(secret),)).fetchone()


class _BearerFallback(KeyResolver):
    """Also reads `Authorization: Bearer <key>` ("be lenient with clients")."""

    def read_secret(self, headers: Any) -> str | None:
        found = super().read_secret(headers)
        if found:
            return found
        scheme, _, token = (headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return token.strip() or None


class _TeamHeaderOptional(KeyResolver):
    """A team key without X-Team-Id falls back to the key's own team."""

    def team_header_matches(self, key_team_id: str, header: str | None) -> bool:
        return header is None or header.lower() == key_team_id


class _TeamHeaderPresenceOnly(KeyResolver):
    """Checks that X-Team-Id is sent, not that it names the key's team."""

    def team_header_matches(self, key_team_id: str, header: str | None) -> bool:
        return header is not None


class _TeamHeaderOwnMessage(KeyResolver):
    """Refuses correctly but with its own message, so the failure tells a prober more than "invalid key"."""

    def team_header_error(self) -> ApiError:
        return ApiError("UNAUTHORIZED", "X-Team-Id does not match the team of this API key")


class _TeamDataInOwnerWorkspace(KeyResolver):
    """Maps a team key to the owner's account and forgets the team: team and personal data mix."""

    def workspace_of(self, identity: KeyIdentity) -> Workspace:
        if identity.kind == "team" and identity.team_owner_id:
            return Workspace(identity.team_owner_id, identity.team_owner_id, None)
        return super().workspace_of(identity)


def _access(kind: RouteKind, **changes: bool) -> Callable[[Policies], Policies]:
    return lambda p: p.with_access_rule(kind, replace(p.access_rules[kind], **changes))


class _ListShowsFreshSecrets(KeyListView):
    """Keeps the secrets issued since the server started (for "copy again" in the UI) and lists them as `key`."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}

    def issued(self, key_id: str, secret: str) -> None:
        self.secrets[key_id] = secret

    def listed(self, view: dict[str, Any]) -> dict[str, Any]:
        secret = self.secrets.get(view["id"])
        return view if secret is None else {**view, "key": secret}


class _ListShowsUnseenSecrets(KeyListView):
    """"Shown only once", counted per key: a secret stays revealable until a create answer has shown it, so the
    keys made outside the create routes (at signup, by provisioning: the seed) list their secret as `key`. The
    key the caller just created was shown, so its row is clean."""

    def __init__(self) -> None:
        self.unseen: dict[str, str] = {}

    def provisioned(self, key_id: str, secret: str) -> None:
        self.unseen[key_id] = secret

    def listed(self, view: dict[str, Any]) -> dict[str, Any]:
        secret = self.unseen.get(view["id"])
        return view if secret is None else {**view, "key": secret}


class _UsageShowsUnseenSecrets(_ListShowsUnseenSecrets):
    """The usage report joins its own copy of the key rows (the lists were fixed, this one was not): the keys
    never shown by a create answer come with their secret as `key` there."""

    def listed(self, view: dict[str, Any]) -> dict[str, Any]:
        return view

    def usage_listed(self, view: dict[str, Any]) -> dict[str, Any]:
        return super().listed(view)


FAULTS: tuple[Fault, ...] = (
    Fault(
        "missing-key-403",
        ("AUTH-01",),
        "a request without x-api-key gets 403 FORBIDDEN instead of 401",
        swap("key_resolver", _MissingKeyForbidden()),
    ),
    Fault(
        "unknown-key-crashes",
        ("AUTH-02",),
        "a well-formed key that was never issued crashes the lookup (500)",
        swap("key_resolver", _UncheckedKeyLookup()),
    ),
    Fault(
        "revoked-key-still-works",
        ("AUTH-03",),
        "the key lookup ignores revocation",
        swap("key_resolver", _RevocationIgnored()),
    ),
    Fault(
        "bearer-key-accepted",
        ("AUTH-04",),
        "an API key sent as Authorization: Bearer authenticates",
        swap("key_resolver", _BearerFallback()),
    ),
    Fault(
        "personal-key-short",
        ("AUTH-05",),
        "new key secrets carry 32 hex characters instead of 64",
        swap("key_generator", KeyGenerator(hex_chars=32)),
    ),
    Fault(
        "team-key-live-prefix",
        ("AUTH-06",),
        "new team keys start with msgf_live_ like personal keys",
        swap("key_generator", KeyGenerator(team_prefix="msgf_live_")),
    ),
    Fault(
        "personal-key-team-header-ignored",
        ("TEAM-01",),
        "a personal key with X-Team-Id is served its personal workspace instead of 403 TEAM_KEY_REQUIRED",
        _access(RouteKind.WORKSPACE, refuse_personal_key_with_team_header=False),
    ),
    Fault(
        "team-key-without-team-header",
        ("TEAM-02",),
        "a team key without X-Team-Id opens its own team",
        swap("key_resolver", _TeamHeaderOptional()),
    ),
    Fault(
        "team-key-foreign-team-header",
        ("TEAM-03",),
        "a team key is accepted with any X-Team-Id and opens its own team",
        swap("key_resolver", _TeamHeaderPresenceOnly()),
    ),
    Fault(
        "team-header-error-distinct",
        ("TEAM-02", "TEAM-03"),
        "a team key with a missing or foreign X-Team-Id gets 401 with a message of its own",
        swap("key_resolver", _TeamHeaderOwnMessage()),
    ),
    Fault(
        "team-key-on-personal-routes",
        ("TEAM-04", "TEAM-05", "TEAM-06", "TEAM-07", "TEAM-08"),
        "team keys are served /me, /usage and the billing reads (the owner's data)",
        _access(RouteKind.PERSONAL_ONLY, team_key_allowed=True),
    ),
    Fault(
        "team-key-plans-refused",
        ("TEAM-09",),
        "GET /api/v1/billing/plans refuses team keys (403)",
        _access(RouteKind.OPEN, team_key_allowed=False),
    ),
    Fault(
        "team-data-in-personal-workspace",
        ("TEAM-10",),
        "a team key reads and writes the owner's personal workspace",
        swap("key_resolver", _TeamDataInOwnerWorkspace()),
    ),
    Fault(
        "team-usage-on-key-holder",
        ("TEAM-11",),
        "team-key requests are counted on whoever created the key, not on the team owner",
        swap("quota", charge_to="actor"),
    ),
    Fault(
        "key-list-shows-fresh-secrets",
        ("AUTH-13",),
        "GET /api/api-keys lists the full secret as `key` for keys created since the server started",
        lambda p: swap("key_list_view", _ListShowsFreshSecrets())(p),  # one secret cache per server
    ),
    Fault(
        "key-list-shows-unseen-secrets",
        ("AUTH-13",),
        "the console key lists show the full secret as `key` for keys never shown by a create answer (the "
        "seeded ones: the profile's keys), not for the keys created through the console",
        lambda p: swap("key_list_view", _ListShowsUnseenSecrets())(p),
    ),
    Fault(
        "key-usage-shows-unseen-secrets",
        ("AUTH-13",),
        "GET /api/api-keys/usage shows the full secret as `key` for the keys never shown by a create answer (the "
        "seeded ones); the key lists are clean",
        lambda p: swap("key_list_view", _UsageShowsUnseenSecrets())(p),
    ),
)
