"""The embedded target: the reference server on a fresh, seeded database, in this process (its own thread).

`run` without `--profile` checks it. The server's profile (its seeded identities' keys) is written to the
run's scratch folder, where the run and a soak's child runs read it as they read any profile. This module and
the command line's `serve`/`faults` are the only places the checker imports the reference server (import
contract "Only the runner and the CLI start the reference server" in pyproject.toml).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from msgflash_compliance.errors import TargetBroken, UsageError
from msgflash_reference.config import ServerConfig
from msgflash_reference.faults import all_faults
from msgflash_reference.profile import profile_document, write_profile
from msgflash_reference.server_thread import RunningServer

START_SECONDS = 20.0
STOP_SECONDS = 10.0
DOCUMENTED_RATE_LIMIT = 10  # requests per second per key


@contextlib.contextmanager
def embedded_server(scratch: Path, faults: list[str], rate_limit: int | None = None) -> Iterator[Path]:
    """Start the reference server on a free port with `faults` on; yield its profile's path; stop it."""
    config = server_config(scratch / "reference.sqlite", faults, rate_limit)
    created_at = datetime.now(UTC).replace(microsecond=0)  # a new database, seeded below
    server = RunningServer(config, seed=True)
    try:
        server.start(timeout=START_SECONDS)
    except (OSError, RuntimeError) as err:
        raise TargetBroken(f"embedded reference server did not start: {err}") from None
    try:
        assert server.seed is not None  # seed=True
        profile_path = scratch / "embedded-profile.toml"
        write_profile(profile_path, profile_document(server.base_url, server.seed, sandbox=config.sandbox,
                                                     rate_limit=config.rate_limit_per_second,
                                                     created_at=created_at))
        yield profile_path
    finally:
        server.stop(STOP_SECONDS)


def server_config(db_path: Path, faults: list[str], rate_limit: int | None) -> ServerConfig:
    """The embedded server's config; an unknown fault or a bad rate limit is a usage error (exit 2)."""
    registry = all_faults()
    unknown = [name for name in faults if name not in registry]
    if unknown:
        raise UsageError(f"embedded reference server: unknown fault {unknown[0]!r}; "
                         "run `msgflash-compliance faults` for the valid names")
    limit = DOCUMENTED_RATE_LIMIT if rate_limit is None else rate_limit
    if limit < 1:
        raise UsageError(f"embedded reference server: --embedded-rate-limit must be >= 1, got {limit}")
    return ServerConfig(db_path=db_path, rate_limit_per_second=limit, faults=tuple(faults))
