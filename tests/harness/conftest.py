"""Fixtures for the harness self-tests: one live local server per session, profiles pointing at it."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

# Imported here, before any pytester run: pytester's in-process runs drop modules first imported inside them,
# and PyYAML's C loader does not survive being imported twice (its second copy cannot construct anything).
import msgflash_compliance.contract.catalog
import msgflash_compliance.contract.settings  # noqa: F401
from msgflash_compliance.profile import TargetProfile, parse_profile
from tests.harness.live_server import VALID_KEY, LiveServer


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    server = LiveServer().start()
    yield server
    server.stop()


@pytest.fixture
def unique() -> str:
    """A key that keeps one test's hit counters apart from another's on the shared server."""
    return uuid.uuid4().hex


def profile_document(base_url: str, **safety: Any) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "identities": {
            "owner": {"api_key": VALID_KEY, "email": "owner@example.test", "password": "owner-password-1"},
            "outsider": {"api_key": "msgf_live_" + secrets.token_hex(32)},
        },
        "team": {"id": str(uuid.uuid4()), "api_key": "msgf_team_" + secrets.token_hex(32)},
        "safety": safety,
    }


@pytest.fixture
def make_profile(live_server: LiveServer) -> Any:
    def make(**safety: Any) -> TargetProfile:
        return parse_profile(profile_document(live_server.url, **safety))

    return make
