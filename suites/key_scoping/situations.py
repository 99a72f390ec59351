"""Key situations: what a caller presents to `/api/v1` (which key, in which header, with which X-Team-Id).

Each situation has a canonical credential (used by the full enumeration) and, where the credential is a
generated value, a Hypothesis strategy of variants (any malformed string, any never-issued key, any team id
that is not the key's own). `KeyRing.client(situation, variant)` builds the client through the harness.
"""

from __future__ import annotations

import re
import secrets
import string
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hypothesis import strategies as st

from fixtures.clients import Harness, HarnessClient
from fixtures.errors import not_covered

LIVE_PREFIX = "msgf_live_"
TEAM_PREFIX = "msgf_team_"
HEX = "0123456789abcdef"
ISSUED_SHAPE = re.compile(r"^msgf_(live|team)_[0-9a-f]{64}$")


class Situation(StrEnum):
    NO_KEY = "no-key"
    MALFORMED_KEY = "malformed-key"
    UNKNOWN_KEY = "unknown-key"
    REVOKED_KEY = "revoked-key"
    KEY_AS_BEARER = "key-as-bearer"
    PERSONAL = "personal-key"
    PERSONAL_WITH_TEAM_ID = "personal-key+team-id"
    TEAM_OWN_ID = "team-key+own-id"
    TEAM_NO_ID = "team-key-without-id"
    TEAM_OTHER_TEAM_ID = "team-key+other-team-id"
    TEAM_RANDOM_ID = "team-key+random-team-id"


# Situations whose requests the target must refuse before looking at the key's rights (no valid key sent).
UNAUTHENTICATED = frozenset({
    Situation.NO_KEY, Situation.MALFORMED_KEY, Situation.UNKNOWN_KEY, Situation.REVOKED_KEY,
    Situation.KEY_AS_BEARER,
})


def _malformed_keys() -> st.SearchStrategy[str]:
    """Strings that are not an issued key: free text, or a key prefix with a wrong suffix."""
    text = st.text(alphabet=string.ascii_letters + string.digits + "_-.", min_size=1, max_size=90)
    near_misses = st.one_of(
        st.text(alphabet=HEX, min_size=0, max_size=63).map(lambda s: LIVE_PREFIX + s),  # too short
        st.text(alphabet=HEX, min_size=65, max_size=80).map(lambda s: LIVE_PREFIX + s),  # too long
        st.text(alphabet="ghijklmnopqrstuvwxyz", min_size=64, max_size=64).map(lambda s: LIVE_PREFIX + s),
    )
    return st.one_of(text, near_misses).filter(lambda key: not ISSUED_SHAPE.match(key))


def _unknown_keys() -> st.SearchStrategy[str]:
    """Well-formed keys (either prefix) that were never issued: 64 random lowercase hex."""
    suffix = st.binary(min_size=32, max_size=32).map(bytes.hex)
    return st.one_of(suffix.map(lambda s: LIVE_PREFIX + s), suffix.map(lambda s: TEAM_PREFIX + s))


def _random_team_ids() -> st.SearchStrategy[str]:
    return st.uuids(version=4).map(str)


VARIANTS: dict[Situation, st.SearchStrategy[str]] = {
    Situation.MALFORMED_KEY: _malformed_keys(),
    Situation.UNKNOWN_KEY: _unknown_keys(),
    Situation.TEAM_RANDOM_ID: _random_team_ids(),
}


@dataclass(frozen=True)
class Canonical:
    """The fixed generated values of one run (the full enumeration uses these)."""

    malformed_key: str = "not-a-msgflash-key"
    unknown_key: str = LIVE_PREFIX + secrets.token_hex(32)
    random_team_id: str = str(uuid.uuid4())


class KeyRing:
    """Builds the client of each situation from the profile's credentials, through the harness factory.

    Clients are labelled per situation, so the harness paces each separately; the situations that send a real
    key keep that key's label (`owner.api_key`, `team.api_key`) so the target's per-key limit is respected.
    """

    def __init__(self, harness: Harness, revoked_key: Any = None) -> None:
        self.harness = harness
        self.canonical = Canonical()
        self._revoked_key = revoked_key  # callable returning the secret (created lazily) or None
        self._clients: dict[tuple[Situation, str | None], HarnessClient] = {}

    @property
    def profile(self) -> Any:
        return self.harness.profile

    def owner_key(self) -> str:
        owner = self.profile.identity("owner")
        if owner is None:
            not_covered("the profile has no [identities.owner]")
        return owner.api_key.get_secret_value()

    def team_key(self) -> tuple[str, str]:
        team = self.profile.team
        if team is None or team.api_key is None:
            not_covered("the profile has no [team] with an api_key")
        return team.api_key.get_secret_value(), team.id

    def other_team_id(self) -> str:
        if self.profile.other_team is None:
            not_covered("the profile has no [other_team]")
        return self.profile.other_team.id

    def headers(self, situation: Situation, variant: str | None = None) -> tuple[str, dict[str, str]]:
        """(credential label, headers) for a situation; `variant` replaces its generated value."""
        match situation:
            case Situation.NO_KEY:
                return "anonymous", {}
            case Situation.MALFORMED_KEY:
                return "probe.malformed-key", {"x-api-key": variant or self.canonical.malformed_key}
            case Situation.UNKNOWN_KEY:
                return "probe.unknown-key", {"x-api-key": variant or self.canonical.unknown_key}
            case Situation.REVOKED_KEY:
                secret = self._revoked_key() if self._revoked_key else None
                if secret is None:
                    not_covered("no revoked key: the target offers no console key creation")
                return "probe.revoked-key", {"x-api-key": secret}
            case Situation.KEY_AS_BEARER:
                return "probe.key-as-bearer", {"Authorization": f"Bearer {self.owner_key()}"}
            case Situation.PERSONAL:
                return "owner.api_key", {"x-api-key": self.owner_key()}
            case Situation.PERSONAL_WITH_TEAM_ID:
                _, team_id = self.team_key()
                return "owner.api_key", {"x-api-key": self.owner_key(), "X-Team-Id": team_id}
            case Situation.TEAM_OWN_ID:
                key, team_id = self.team_key()
                return "team.api_key", {"x-api-key": key, "X-Team-Id": team_id}
            case Situation.TEAM_NO_ID:
                key, _ = self.team_key()
                return "probe.team-key-without-id", {"x-api-key": key}
            case Situation.TEAM_OTHER_TEAM_ID:
                key, _ = self.team_key()
                return "probe.team-key-other-team", {"x-api-key": key, "X-Team-Id": self.other_team_id()}
            case Situation.TEAM_RANDOM_ID:
                key, _ = self.team_key()
                team_id = variant or self.canonical.random_team_id
                return "probe.team-key-random-team", {"x-api-key": key, "X-Team-Id": team_id}
        raise ValueError(f"unknown situation {situation!r}")

    def client(self, situation: Situation, variant: str | None = None) -> HarnessClient:
        cache_key = (situation, variant)
        if cache_key not in self._clients:
            label, headers = self.headers(situation, variant)
            if variant is not None and len(self._clients) > 64:
                self.close()  # generated variants: do not keep a connection pool per example
            self._clients[cache_key] = self.harness.client(label, headers=headers)
        return self._clients[cache_key]

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()
