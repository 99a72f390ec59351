"""Services: what one running server holds (config, storage, clock, policies, limiter, job worker)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from msgflash_reference.clock import Clock
from msgflash_reference.config import ServerConfig
from msgflash_reference.db import Database
from msgflash_reference.plans import PlanCatalogue
from msgflash_reference.policies import Policies
from msgflash_reference.ratelimit import RateLimiter

if TYPE_CHECKING:
    from msgflash_reference.jobs import JobWorker


@dataclass
class Services:
    config: ServerConfig
    db: Database
    clock: Clock
    plans: PlanCatalogue
    policies: Policies
    rate_limiter: RateLimiter
    jobs: JobWorker | None = None


def services(request: Request) -> Services:
    """FastAPI dependency: the Services of the app serving this request."""
    return request.app.state.services


# Route parameter type: `svc: Svc`.
Svc = Annotated[Services, Depends(services)]
