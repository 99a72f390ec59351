"""Run a reference server on a real socket in a background thread (used by `serve` and by self-tests).

with RunningServer(ServerConfig(db_path=tmp / "ref.sqlite"), seed=True) as server:
    httpx.get(server.base_url + "/api/v1/me", headers={"x-api-key": server.seed.identities["owner"].api_key})
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn

from msgflash_reference.app import create_app
from msgflash_reference.clock import Clock
from msgflash_reference.config import ServerConfig
from msgflash_reference.seed import SeedResult, seed
from msgflash_reference.server_logs import log_exceptions_in_one_line
from msgflash_reference.services import Services


class RunningServer:
    def __init__(
        self,
        config: ServerConfig,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: bool = False,
        clock: Clock | None = None,
    ) -> None:
        self.config = config
        self.host = host
        self.requested_port = port
        self.want_seed = seed
        self.clock = clock
        self.seed: SeedResult | None = None
        self.port: int = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def services(self) -> Services:
        assert self._server is not None
        return self._server.config.app.state.services  # type: ignore[union-attr]

    def start(self, timeout: float = 10.0) -> RunningServer:
        app = create_app(self.config, self.clock)
        if self.want_seed:
            self.seed = seed(app.state.services)
        # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on such sockets; without it every answer written
        # in two parts waits ~40 ms for a delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.requested_port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=2,
            backlog=512,
        )
        log_exceptions_in_one_line()  # after uvicorn.Config set up its loggers; see server_logs for why
        self._server = uvicorn.Server(config)

        def run() -> None:
            try:
                self._server.run(sockets=[sock])  # type: ignore[union-attr]
            except BaseException as err:  # surfaced by start()/stop()
                self._error = err
            finally:
                sock.close()

        self._thread = threading.Thread(target=run, name=f"msgflash-reference-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError(f"reference server failed to start: {self._error!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("reference server did not start in time")
            time.sleep(0.01)
        return self

    def wait(self, stop_event: threading.Event) -> None:
        """Block until `stop_event` is set or the server stops by itself."""
        while not stop_event.wait(0.2):
            if self._thread is None or not self._thread.is_alive():
                return

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> RunningServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
