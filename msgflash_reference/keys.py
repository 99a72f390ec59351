"""API key secrets: generation, hashing, display prefix. Secrets are never stored, only their sha256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

KeyKind = Literal["personal", "team"]
PERSONAL_PREFIX = "msgf_live_"
TEAM_PREFIX = "msgf_team_"
PREFIX_DISPLAY_CHARS = 6  # hex chars kept after the prefix for display, e.g. msgf_team_a1b2c3


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def display_prefix(secret: str) -> str:
    return secret[: len(PERSONAL_PREFIX) + PREFIX_DISPLAY_CHARS]


@dataclass(frozen=True)
class KeyGenerator:
    """Makes key secrets: `msgf_live_` / `msgf_team_` + 64 lowercase hex (AUTH-05, G19)."""

    personal_prefix: str = PERSONAL_PREFIX
    team_prefix: str = TEAM_PREFIX
    hex_chars: int = 64

    def new_secret(self, kind: KeyKind) -> str:
        prefix = self.personal_prefix if kind == "personal" else self.team_prefix
        return prefix + secrets.token_hex(self.hex_chars // 2)


@dataclass(frozen=True)
class IssuedKey:
    id: str
    secret: str  # shown once
    kind: KeyKind
    key_prefix: str
