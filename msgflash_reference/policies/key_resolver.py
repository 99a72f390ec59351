"""Public-API authentication: which key was sent, is it live, and which workspace it opens (facts §2.1).

`KeyResolver.authenticate` answers 401 UNAUTHORIZED (one message for every failure, TEAM-02/03) or returns a
KeyIdentity; `workspace_of` maps it to the workspace and the paying owner. Faults subclass one step.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

from msgflash_reference.errors import INVALID_KEY_MESSAGE, ApiError
from msgflash_reference.keys import hash_secret


@dataclass(frozen=True)
class KeyIdentity:
    key_id: str
    kind: str  # 'personal' | 'team'
    holder_id: str  # personal: the owner; team: who created the key
    team_id: str | None
    team_owner_id: str | None
    team_header: str | None  # X-Team-Id as sent, stripped (None only when absent)


@dataclass(frozen=True)
class Workspace:
    workspace_id: str
    owner_id: str  # pays: plan, caps, quotas
    team_id: str | None


def unauthorized(message: str = INVALID_KEY_MESSAGE) -> ApiError:
    return ApiError("UNAUTHORIZED", message)


class KeyResolver:
    def read_secret(self, headers: Mapping[str, str]) -> str | None:
        """Only `x-api-key` authenticates; `Authorization: Bearer <key>` is not read (facts §1)."""
        return headers.get("x-api-key") or None

    def find_key(self, conn: sqlite3.Connection, secret: str) -> sqlite3.Row | None:
        """The live (not revoked) key with this secret."""
        return conn.execute(
            "SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", (hash_secret(secret),)
        ).fetchone()

    def live_team(self, conn: sqlite3.Connection, team_id: str) -> sqlite3.Row | None:
        """A deleted team's keys stop authenticating ([S] TEAM-19)."""
        return conn.execute("SELECT * FROM teams WHERE id = ? AND deleted_at IS NULL", (team_id,)).fetchone()

    def team_header_matches(self, key_team_id: str, header: str | None) -> bool:
        """A team key needs X-Team-Id equal to its own team; missing or foreign fails authentication."""
        return header is not None and header.lower() == key_team_id

    def authenticate(self, conn: sqlite3.Connection, headers: Mapping[str, str]) -> KeyIdentity:
        secret = self.read_secret(headers)
        if not secret:
            raise unauthorized()
        key = self.find_key(conn, secret)
        if key is None:
            raise unauthorized()
        raw_header = headers.get("x-team-id")
        header = None if raw_header is None else raw_header.strip()  # sent empty still counts as sent
        if key["kind"] != "team":
            return KeyIdentity(key["id"], "personal", key["user_id"], None, None, header)
        team = self.live_team(conn, key["team_id"])
        if team is None:
            raise unauthorized()
        if not self.team_header_matches(key["team_id"], header):
            raise self.team_header_error()
        return KeyIdentity(key["id"], "team", key["user_id"], team["id"], team["owner_user_id"], header)

    def team_header_error(self) -> ApiError:
        return unauthorized()

    def workspace_of(self, identity: KeyIdentity) -> Workspace:
        if identity.kind == "team" and identity.team_id and identity.team_owner_id:
            return Workspace(identity.team_id, identity.team_owner_id, identity.team_id)
        return Workspace(identity.holder_id, identity.holder_id, None)
