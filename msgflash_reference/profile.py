"""The TOML target profile `serve --write-profile` writes for the seeded identities."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import tomli_w

from msgflash_reference.seed import IDENTITIES, SeedResult

# Without a server-side limit the harness still paces itself, just faster.
UNLIMITED_CLIENT_PACE = 100
EMBEDDED_KEY_POOL = 4  # the owner (Pro, 10 keys) has room for 4 beside its own, the team's and the checks'


def profile_document(
    base_url: str, seeded: SeedResult, *, sandbox: bool, rate_limit: int | None = 10,
    created_at: datetime | None = None,
) -> dict[str, Any]:
    """`created_at`: when the server's database was made, for a server that seeded a new one (the embedded
    server does, every run): nothing on it can be older, so the leftover sweep has nothing to look for."""
    return {
        "base_url": base_url,
        "identities": {
            name: {
                "api_key": seeded.identities[name].api_key,
                "email": seeded.identities[name].email,
                "password": seeded.identities[name].password,
            }
            for name in IDENTITIES
        },
        "team": {"id": seeded.team_id, "api_key": seeded.team_api_key, "api_key_made_by": "admin"},  # see seed.py
        "other_team": {"id": seeded.other_team_id},
        # the embedded sandbox may be mutated, and it never delivers anything: sends are safe there
        # and its key cap has room for a pool of keys to spread the owner's reads over
        # and it limits API keys only: the console and its own control routes go at an unlimited pace
        "safety": {"billing_probes": True, "allow_send": True, "key_pool": EMBEDDED_KEY_POOL,
                   "rate_limit": float(rate_limit or UNLIMITED_CLIENT_PACE),
                   "console_rate_limit": float(max(rate_limit or 0, UNLIMITED_CLIENT_PACE))},
        "sandbox": {"enabled": sandbox,  # /__sandbox/ control routes exist
                    **({"created_at": created_at} if created_at is not None else {})},
    }


def write_profile(path: Path, document: dict[str, Any]) -> None:
    """Write atomically (temp file + rename): a reader never sees half a profile."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".profile-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            tomli_w.dump(document, handle)
        os.chmod(tmp, 0o600)  # it holds secrets
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
