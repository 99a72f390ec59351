"""`create_app(config) -> FastAPI`: storage, policies (with faults), routes and the error handlers.

Every answer is an envelope: handlers raise ApiError; unknown paths, wrong methods, bad JSON and bad
parameters are mapped here; anything else is a genuine bug and answers 500 INTERNAL_ERROR.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from msgflash_reference import routing  # noqa: F401  (registers the `rid` path convertor)
from msgflash_reference.bodies import details_of_request_error
from msgflash_reference.clock import Clock
from msgflash_reference.config import ServerConfig
from msgflash_reference.db import Database
from msgflash_reference.errors import ApiError, validation_error
from msgflash_reference.faults import build_policies
from msgflash_reference.jobs import JobWorker
from msgflash_reference.plans import PlanCatalogue
from msgflash_reference.ratelimit import RateLimiter
from msgflash_reference.routing import allowed_methods
from msgflash_reference.services import Services

log = logging.getLogger("msgflash_reference")

# Core route modules, then the console/sandbox ones (included when present: another area owns them).
CORE_ROUTES = ("account", "billing", "contacts", "groups", "bulk", "messages", "instances")
# Messaging area (issue 7): send/schedule, statuses, templates, campaigns, webhooks, number lookups.
MESSAGING_ROUTES = ("messages_send", "statuses", "templates", "campaigns", "webhooks", "number_lookups")
OPTIONAL_ROUTES = (
    "console_auth",
    "console_teams",
    "console_keys",
    "console_billing",
    "console_workspace",
    "console_contacts",
    "sandbox",
    "sandbox_messaging",
    "sandbox_instances",
    "sandbox_payments",
)


def build_services(config: ServerConfig, clock: Clock | None = None) -> Services:
    db = Database(config.db_path)
    db.create_schema()
    svc = Services(
        config=config,
        db=db,
        clock=clock or Clock(),
        plans=PlanCatalogue(config.plan_lineup),
        policies=build_policies(config.faults),
        rate_limiter=RateLimiter(config.rate_limit_per_second),
    )
    svc.jobs = JobWorker(svc)
    return svc


def create_app(config: ServerConfig, clock: Clock | None = None) -> FastAPI:
    svc = build_services(config, clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        assert svc.jobs is not None
        svc.jobs.start()
        try:
            yield
        finally:
            svc.jobs.stop()
            svc.db.close()

    app = FastAPI(
        title="MsgFlash reference server",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
        lifespan=lifespan,
    )
    app.state.services = svc
    for name in (*CORE_ROUTES, *MESSAGING_ROUTES):
        app.include_router(importlib.import_module(f"msgflash_reference.routes.{name}").router)
    for name in OPTIONAL_ROUTES:
        module_name = f"msgflash_reference.routes.{name}"
        if name.startswith("sandbox") and not config.sandbox:
            continue
        if importlib.util.find_spec(module_name) is not None:
            app.include_router(importlib.import_module(module_name).router)
    install_error_handlers(app)
    return app


def install_error_handlers(app: FastAPI) -> None:
    def mapper(request: Request):  # the error mapper policy of this app
        return request.app.state.services.policies.error_mapper

    async def on_api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return mapper(request).response(exc)

    async def on_request_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return mapper(request).response(validation_error(details_of_request_error(exc)))

    async def on_http_exception(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            error = ApiError("NOT_FOUND", "Route not found")
        elif exc.status_code == 405:
            allow = ", ".join(allowed_methods(request.app.router.routes, request.scope))
            error = ApiError(
                "METHOD_NOT_ALLOWED",
                f"Method {request.method} is not allowed on this path",
                status=405,
                headers={"Allow": allow},
            )
        elif exc.status_code == 400:
            error = ApiError("VALIDATION_ERROR", "Invalid request data", details=[])
        else:
            error = ApiError("BAD_REQUEST", str(exc.detail), status=exc.status_code)
        return mapper(request).response(error)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return mapper(request).response(ApiError("INTERNAL_ERROR", "Internal server error"))

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(RequestValidationError, on_request_validation)
    app.add_exception_handler(StarletteHTTPException, on_http_exception)
    app.add_exception_handler(Exception, on_unexpected)
