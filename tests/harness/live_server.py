"""A tiny real HTTP server for the harness self-tests: a Starlette app on uvicorn, on a free loopback port, in
a thread. Each route misbehaves in one way the harness must handle; `hits` counts calls per path and key."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

VALID_KEY = "msgf_live_" + "ab" * 32


class Behaviour:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        # A toy workspace store for the data factory: kind -> id -> item (createdAt may be set by the client).
        self.store: dict[str, dict[str, dict[str, object]]] = {"contacts": {}, "groups": {}}
        self.hits: dict[str, int] = defaultdict(int)
        self.times: dict[str, list[float]] = defaultdict(list)

    def hit(self, key: str) -> int:
        with self.lock:
            self.hits[key] += 1
            self.times[key].append(time.monotonic())
            return self.hits[key]


def _error(status: int, code: str, message: str = "error", headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def build_app(state: Behaviour) -> Starlette:
    async def ok(request: Request) -> Response:
        state.hit(f"ok:{request.query_params.get('k', '')}")
        return JSONResponse({"data": {"ok": True}})

    async def gateway(request: Request) -> Response:
        """`?fail=N&k=KEY`: the first N calls per key answer a gateway's 503 (plain text), then 200."""
        key = request.query_params.get("k", "")
        count = state.hit(f"gateway:{key}")
        if count <= int(request.query_params.get("fail", "1")):
            status = int(request.query_params.get("status", "503"))
            return PlainTextResponse("<html>Service Unavailable</html>", status_code=status)
        return JSONResponse({"data": {"attempt": count}})

    async def provider_error(request: Request) -> Response:
        state.hit(f"provider:{request.query_params.get('k', '')}")
        return _error(502, "PROVIDER_ERROR", "provider failed")

    async def server_error(request: Request) -> Response:
        state.hit(f"server:{request.query_params.get('k', '')}")
        return _error(500, "INTERNAL_ERROR")

    async def limited(request: Request) -> Response:
        """`?times=N&k=KEY`: the first N calls answer 429 API_RATE_LIMIT_EXCEEDED with Retry-After: 1."""
        key = request.query_params.get("k", "")
        count = state.hit(f"limited:{key}")
        if count <= int(request.query_params.get("times", "1")):
            return _error(429, "API_RATE_LIMIT_EXCEEDED", "Too many API requests", {"Retry-After": "1"})
        return JSONResponse({"data": {"attempt": count}})

    async def monthly(request: Request) -> Response:
        state.hit(f"monthly:{request.query_params.get('k', '')}")
        return _error(429, "MONTHLY_API_REQUEST_QUOTA_EXCEEDED", "quota")

    async def usage(request: Request) -> Response:
        """Like MsgFlash's GET /api/v1/usage: 401 UNAUTHORIZED without a valid key."""
        state.hit("usage")
        if request.headers.get("x-api-key") != VALID_KEY:
            return _error(401, "UNAUTHORIZED", "Invalid or missing API key")
        return JSONResponse({"data": {"usage": {"apiRequestsCount": 1}}})

    async def echo(request: Request) -> Response:
        state.hit("echo")
        body = (await request.body()).decode()
        return JSONResponse({"data": {"headers": dict(request.headers), "body": body}})

    def collection(kind: str) -> list[Route]:
        async def create(request: Request) -> Response:
            body = await request.json()
            item = {"id": str(uuid.uuid4()), "createdAt": datetime.now(UTC).isoformat(), **body}
            state.store[kind][str(item["id"])] = item
            return JSONResponse({"data": item}, status_code=201)

        async def listing(request: Request) -> Response:
            search = request.query_params.get("search", "")
            items = [i for i in state.store[kind].values() if search in str(i.get("name", ""))]
            return JSONResponse({"data": {kind: items, "nextCursor": None, "hasMore": False}})

        async def delete(request: Request) -> Response:
            state.hit(f"delete:{kind}")
            if state.store[kind].pop(request.path_params["id"], None) is None:
                return _error(404, "NOT_FOUND", "not found")
            return JSONResponse({"data": {"id": request.path_params["id"], "deleted": True}})

        path = "/api/v1/contacts" if kind == "contacts" else "/api/v1/contacts/groups"
        return [Route(path, create, methods=["POST"]), Route(path, listing, methods=["GET"]),
                Route(path + "/{id}", delete, methods=["DELETE"])]

    async def not_found(request: Request) -> Response:
        return _error(404, "NOT_FOUND", "Route not found")

    return Starlette(routes=[
        Route("/ok", ok),
        Route("/gateway", gateway, methods=["GET", "POST"]),
        Route("/provider-error", provider_error),
        Route("/server-error", server_error),
        Route("/limited", limited),
        Route("/monthly", monthly),
        Route("/api/v1/usage", usage),
        Route("/echo", echo, methods=["GET", "POST"]),
        *collection("groups"),  # before contacts: /contacts/{id} would swallow /contacts/groups
        *collection("contacts"),
        Route("/", not_found),
    ])


class LiveServer:
    def __init__(self) -> None:
        self.state = Behaviour()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(build_app(self.state), log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                        daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the self-test server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(5)


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
