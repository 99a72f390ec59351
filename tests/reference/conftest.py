"""Fixtures of the reference-server self-tests (helpers in harness.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from msgflash_reference.server_thread import RunningServer
from tests.reference.harness import ServerSet, server_set


@pytest.fixture(scope="session")
def servers() -> Iterator[ServerSet]:
    """Start extra servers (with faults, rate limits, ...) that live until the end of the session."""
    yield from server_set()


@pytest.fixture(scope="session")
def server(servers: ServerSet) -> RunningServer:
    """One clean, seeded server shared by the read-mostly tests (rate limit off)."""
    return servers.start()
