"""ServerConfig: everything a reference server instance is built from (one frozen object, no globals)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

PlanLineup = Literal["free-starter-pro-plus", "free-pro-max"]
PLAN_LINEUPS: tuple[PlanLineup, ...] = ("free-starter-pro-plus", "free-pro-max")


@dataclass(frozen=True)
class ServerConfig:
    db_path: Path
    plan_lineup: PlanLineup = "free-starter-pro-plus"
    # Requests per key per second (G16); None switches the limiter off.
    rate_limit_per_second: int | None = 10
    faults: tuple[str, ...] = ()
    # The /__sandbox/ control routes (clock, counters) exist only when this is on.
    sandbox: bool = True
    # HS256 secret of console JWTs; random per process unless given (tokens then die with the process).
    jwt_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    jwt_ttl_seconds: int = 12 * 3600  # G12
    # Bulk-job worker pacing: ids handled per batch and the pause between batches, so progress is observable.
    job_batch_size: int = 50
    job_batch_delay_seconds: float = 0.1
    # PBKDF2 rounds for console passwords: a reference server, so cheap enough for fast seeding.
    password_iterations: int = 20_000

    def __post_init__(self) -> None:
        if self.plan_lineup not in PLAN_LINEUPS:
            raise ValueError(f"unknown plan line-up {self.plan_lineup!r}; valid: {', '.join(PLAN_LINEUPS)}")
        if self.rate_limit_per_second is not None and self.rate_limit_per_second < 1:
            raise ValueError("rate_limit_per_second must be >= 1 or None")
