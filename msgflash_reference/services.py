"""Services: what one running server holds (config, storage, clock, policies, limiter, job worker)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, Request

from msgflash_reference.clock import Clock
from msgflash_reference.config import ServerConfig
from msgflash_reference.db import Database
from msgflash_reference.plans import PlanCatalogue
from msgflash_reference.policies import Policies
from msgflash_reference.ratelimit import RateLimiter


class BackgroundWorker(Protocol):
    """The bulk-job worker as the server drives it (`jobs.JobWorker`, which itself holds the Services: typed
    apart to keep the two modules free of an import cycle)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def wake(self) -> None: ...


@dataclass
class Services:
    config: ServerConfig
    db: Database
    clock: Clock
    plans: PlanCatalogue
    policies: Policies
    rate_limiter: RateLimiter
    jobs: BackgroundWorker | None = None


def services(request: Request) -> Services:
    """FastAPI dependency: the Services of the app serving this request."""
    return request.app.state.services


# Route parameter type: `svc: Svc`.
Svc = Annotated[Services, Depends(services)]
