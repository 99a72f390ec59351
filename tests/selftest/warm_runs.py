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
import json
import os
import pkgutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from msgflash_compliance import warm_start

# What every compliance run imports beyond a lane's libraries (`warm_start.PRELOADED`): the checker's command
# line and runner (imported before pytest starts in a fresh interpreter too), the embedded server's stack, and
# what a run loads lazily (the HTTP server's protocols, pytest's plugins from entry points).
PRELOADED = (
    *warm_start.PRELOADED, "fastapi", "starlette", "uvicorn", "uvicorn.server", "sqlite3", "msgflash_reference.app",
    "msgflash_reference.faults", "msgflash_compliance.cli", "msgflash_compliance.runner",
    "msgflash_compliance.embedded", "uvicorn.protocols.http.h11_impl", "uvicorn.lifespan.on",
    "uvicorn.loops.asyncio", "execnet", "xdist.looponfail", "schemathesis.reporting", "schemathesis.engine.events",
    "uvicorn.loops.auto", "uvicorn.protocols.http.auto", "uvicorn.protocols.websockets.auto",
    "msgflash_compliance.reporting.run_reports", "msgflash_compliance.contract.openapi",
)
# The reference server is never assert-rewritten: all of it is loaded (its routes load when an app is built).
PRELOADED_PACKAGES = ("msgflash_reference",)


def serve() -> None:
    """The server loop: {"args", "stdout", "stderr"} in; {"pid"} then {"rc"} out, one line each."""
    import importlib

    warm_start.preload(PRELOADED)
    for package in PRELOADED_PACKAGES:
        for module in pkgutil.walk_packages(importlib.import_module(package).__path__, f"{package}."):
            importlib.import_module(module.name)
    warm_start.parse_contract()
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
    code = warm_start.CHILD_FAILED
    try:
        warm_start.become_child(Path(str(request["stdout"])), Path(str(request["stderr"])))
        args = [str(a) for a in request["args"]]  # type: ignore[union-attr]
        from msgflash_compliance import cli

        sys.argv = [cli.__file__, *args]
        try:
            code = cli.main(args)
        except SystemExit as done:  # argparse's usage errors
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    finally:
        warm_start.exit_child(code)


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
