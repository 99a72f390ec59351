"""Self-test helpers for the reference server's core: real uvicorn servers on loopback with a temp SQLite file,
and httpx clients per seeded identity. Reusable by any tests/reference module.

    server = start_server(tmp_path, "cursor-off-by-one")        # seeded, rate limit off, fast jobs
    owner = api(server, "owner")                                 # x-api-key of the seeded owner
    team = team_api(server)                                      # team key + its X-Team-Id
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from msgflash_reference.config import ServerConfig
from msgflash_reference.server_thread import RunningServer

_serial = itertools.count(1)


def core_config(db_path: Path, *faults: str, **overrides: Any) -> ServerConfig:
    """Fast settings: cheap passwords, no rate limit (unless asked), jobs in small quick batches."""
    settings: dict[str, Any] = {
        "password_iterations": 1_000,
        "rate_limit_per_second": None,
        "job_batch_size": 25,
        "job_batch_delay_seconds": 0.01,
    }
    settings.update(overrides)
    return ServerConfig(db_path=db_path, faults=tuple(faults), **settings)


def start_server(folder: Path, *faults: str, seed: bool = True, **overrides: Any) -> RunningServer:
    db_path = Path(folder) / f"ref-{next(_serial)}.sqlite"
    return RunningServer(core_config(db_path, *faults, **overrides), seed=seed).start()


def api(server: RunningServer, identity: str, **headers: str) -> httpx.Client:
    """A client sending the seeded identity's personal key."""
    assert server.seed is not None
    return httpx.Client(
        base_url=server.base_url,
        headers={"x-api-key": server.seed.identities[identity].api_key, **headers},
        timeout=10,
    )


def team_api(server: RunningServer, team_id: str | None = None) -> httpx.Client:
    """A client sending the seeded team key and (by default) its own X-Team-Id."""
    assert server.seed is not None
    return httpx.Client(
        base_url=server.base_url,
        headers={"x-api-key": server.seed.team_api_key, "x-team-id": team_id or server.seed.team_id},
        timeout=10,
    )


def anonymous(server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, timeout=10)


def data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    body = response.json()
    assert set(body) == {"data"}, body
    return body["data"]


def error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def make_contacts(client: httpx.Client, count: int, name: str = "Contact") -> list[dict[str, Any]]:
    return [
        data(client.post("/api/v1/contacts", json={"name": f"{name} {n:04d}", "phone": f"+3370{n:07d}"}), 201)
        for n in range(count)
    ]


def walk(client: httpx.Client, path: str, items_key: str, **params: Any) -> tuple[list[dict[str, Any]], list]:
    """Follow nextCursor to the end; (all items, every page body)."""
    items: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    cursor = None
    for _ in range(10_000):
        page = data(client.get(path, params={**params, **({"cursor": cursor} if cursor else {})}))
        pages.append(page)
        items.extend(page[items_key])
        if not page["hasMore"]:
            assert page["nextCursor"] is None
            return items, pages
        cursor = page["nextCursor"]
    raise AssertionError("pagination never ended")


class ServerSet:
    """Servers started on demand, stopped together (module- or session-scoped fixtures)."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="msgflash-core-")
        self.folder = Path(self._dir.name)
        self._servers: list[RunningServer] = []

    def start(self, *faults: str, seed: bool = True, **overrides: Any) -> RunningServer:
        server = start_server(self.folder, *faults, seed=seed, **overrides)
        self._servers.append(server)
        return server

    def close(self) -> None:
        # a stop waits on uvicorn's shutdown polling; in parallel the set pays it once
        with ThreadPoolExecutor(max_workers=max(1, len(self._servers))) as pool:
            list(pool.map(lambda s: s.stop(), self._servers))
        self._servers.clear()
        self._dir.cleanup()


def server_set() -> Iterator[ServerSet]:
    servers = ServerSet()
    try:
        yield servers
    finally:
        servers.close()
