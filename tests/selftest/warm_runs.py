"""Compliance runs in a warm interpreter: a fork server for the self-tests.

A self-test run used to start `python -m msgflash_compliance.cli` afresh: about 1.3 s of importing pytest,
Schemathesis, Hypothesis, FastAPI and uvicorn before the first check, times some 250 runs per `make test`.
This server imports them once, then forks one child per run. The child is a new process as far as the run
can tell (its own pid, signal handlers, stdout and stderr, exit status), started from an interpreter that
has only imported libraries and the checker's command line: the suites and their conftest are imported by
the child's pytest, as in a fresh interpreter (pytest rewrites their asserts there, as it would for a user).

    python -m tests.selftest.warm_runs        # the server: reads one JSON request per line on stdin

`WarmRunner.run(args, timeout)` is the client side and returns what `subprocess.run` would.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import pkgutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

# Libraries every run imports (not the project's own modules: pytest must import those itself).
# The checker's command line and runner are imported before pytest starts in a fresh interpreter too.
PRELOADED = (
    "pytest", "_pytest.main", "_pytest.python", "_pytest.junitxml", "xdist.plugin", "pytest_timeout",
    "anyio.pytest_plugin", "hypothesis", "schemathesis", "schemathesis.pytest.plugin", "allure",
    "allure_pytest.plugin", "httpx", "fastapi", "starlette", "uvicorn", "uvicorn.server", "pydantic", "yaml",
    "sqlite3", "msgflash_reference.app", "msgflash_reference.faults", "msgflash_compliance.cli",
    "msgflash_compliance.runner", "msgflash_compliance.embedded",
    # what a run imports lazily: the HTTP stack a client's first request and the server's first answer load,
    # pytest's plugins from entry points, Schemathesis' OpenAPI support
    "httpcore", "h11", "uvicorn.protocols.http.h11_impl", "uvicorn.lifespan.on", "uvicorn.loops.asyncio",
    "execnet", "xdist.looponfail", "schemathesis.specs.openapi", "schemathesis.openapi.checks",
    "schemathesis.reporting", "schemathesis.engine.events", "uvicorn.loops.auto", "uvicorn.protocols.http.auto",
    "uvicorn.protocols.websockets.auto", "_pytest.unittest", "_pytest.skipping", "_pytest.helpconfig",
    "msgflash_compliance.reporting.run_reports", "msgflash_compliance.contract.openapi",
)
# The reference server is never assert-rewritten: all of it is loaded (its routes load when an app is built).
PRELOADED_PACKAGES = ("msgflash_reference",)


def serve() -> None:
    """The server loop: {"args", "stdout", "stderr"} in; {"pid"} then {"rc"} out, one line each."""
    import importlib

    for name in PRELOADED:
        with contextlib.suppress(ImportError):  # a library a run may not need: the child imports what it uses
            importlib.import_module(name)
    for package in PRELOADED_PACKAGES:
        for module in pkgutil.walk_packages(importlib.import_module(package).__path__, f"{package}."):
            importlib.import_module(module.name)
    # What every run reads first, parsed once here (both cached per process): the spec and the catalog.
    from msgflash_compliance.contract.catalog import load_catalog
    from msgflash_compliance.contract.openapi import load_spec

    load_spec()
    load_catalog()
    channel_in, channel_out = sys.stdin.buffer, os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    for line in channel_in:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(request)  # never returns
        channel_out.write(json.dumps({"pid": pid}) + "\n")
        _, status = os.waitpid(pid, 0)
        channel_out.write(json.dumps({"rc": os.waitstatus_to_exitcode(status)}) + "\n")


def _child(request: dict[str, object]) -> None:
    code = 70  # EX_SOFTWARE: the child failed before the run could say anything
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            target = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        args = [str(a) for a in request["args"]]  # type: ignore[union-attr]
        from msgflash_compliance import cli

        sys.argv = [cli.__file__, *args]
        try:
            code = cli.main(args)
        except SystemExit as done:  # argparse's usage errors
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        atexit._run_exitfuncs()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


class WarmRunner:
    """A client of one fork server (one per self-test worker process); runs are taken one at a time."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self._lock = threading.Lock()
        self._process = subprocess.Popen([sys.executable, "-m", "tests.selftest.warm_runs"], cwd=cwd, env=env,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        atexit.register(self.close)

    def run(self, args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
        with self._lock, tempfile.TemporaryDirectory(prefix="mfc-warm-") as scratch:
            out, err = Path(scratch) / "stdout", Path(scratch) / "stderr"
            assert self._process.stdin is not None and self._process.stdout is not None
            self._process.stdin.write(json.dumps({"args": args, "stdout": str(out), "stderr": str(err)}) + "\n")
            self._process.stdin.flush()
            pid = json.loads(self._readline())["pid"]
            expired = threading.Event()

            def kill() -> None:
                expired.set()
                os.kill(pid, signal.SIGKILL)

            killer = threading.Timer(timeout, kill)
            killer.start()
            try:
                rc = json.loads(self._readline())["rc"]
            finally:
                killer.cancel()
            if expired.is_set():
                raise subprocess.TimeoutExpired(args, timeout, _text(out), _text(err))
            return subprocess.CompletedProcess(args, rc, _text(out), _text(err))

    def _readline(self) -> str:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"the warm run server ended (exit {self._process.wait()})")
        return line

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


if __name__ == "__main__":
    serve()
