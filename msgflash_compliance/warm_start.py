"""Pytest sessions started from a warm interpreter: a fork server for a run's lanes.

A lane used to be a fresh `python -m pytest`: each imported pytest, Hypothesis, Schemathesis, httpx and Allure
before collecting, four lanes at once on two cores (measured: four lanes collecting the full suite were ready
after 4.8 s from fresh interpreters, 2.5 s forked from one that had imported the libraries). This server imports
the libraries once, while the runner plans (the planning pass keeps one core busy, the server the other), then
forks one child per lane. The child is a new process as far as the lane can tell: its own session (a terminal's
Ctrl-C reaches the runner only, which passes each signal on), its own stdout and stderr (the lane's log), its
own random state, the default signal handlers. It imports the project's own modules itself: pytest rewrites
their asserts as it would in a fresh interpreter.

    python -m msgflash_compliance.warm_start     # the server: {"args", "log"} per line on stdin

The server answers `{"started": pid}` per request and `{"ended": pid, "rc": code}` when a child exits; at the
end of its input it waits for its children, then exits. `WarmStarter` is the runner's side; the self-tests'
fork server (`tests/selftest/warm_runs.py`) preloads the same libraries (`PRELOADED`) and starts its children
the same way (`become_child`, `exit_child`).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, NoReturn

# Libraries every pytest session of a run imports (never the project's suites, fixtures or conftest: pytest
# must import those itself, to rewrite their asserts), and what they load lazily on first use.
PRELOADED = (
    "pytest", "_pytest.main", "_pytest.python", "_pytest.junitxml", "_pytest.unittest", "_pytest.skipping",
    "_pytest.helpconfig", "xdist.plugin", "pytest_timeout", "anyio.pytest_plugin", "hypothesis", "schemathesis",
    "schemathesis.pytest.plugin", "schemathesis.specs.openapi", "schemathesis.openapi.checks", "allure",
    "allure_pytest.plugin", "httpx", "httpcore", "h11", "yaml", "pydantic", "tomllib",
)
# The project's modules no pytest session rewrites (neither tests, conftest files nor plugins) whose import
# parses what every lane reads: the conformance suites' Schemathesis schema (from the spec).
PROJECT_PRELOADED = ("suites.conformance.schema",)
CHILD_FAILED = 70  # EX_SOFTWARE: the child failed before its own code could say anything
POLL_SECONDS = 0.05


def preload(names: Sequence[str] = PRELOADED) -> None:
    for name in names:
        with contextlib.suppress(ImportError):  # a library a session may not need: the child imports what it uses
            importlib.import_module(name)


def parse_contract() -> None:
    """What every run reads first, parsed once before forking (both cached per process): the spec, the catalog."""
    from msgflash_compliance.contract.catalog import load_catalog
    from msgflash_compliance.contract.openapi import load_spec

    load_spec()
    load_catalog()


def become_child(stdout: Path, stderr: Path | None = None, *, new_session: bool = False) -> None:
    """What a fresh interpreter would have: default signal handlers (its own random state too: `random` reseeds
    itself in a forked child), stdin from /dev/null, stdout (and stderr, the same file unless given) to files;
    its own session if asked."""
    if new_session:
        os.setsid()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    for fd, path in ((1, stdout), (2, stderr)):
        if path is None:  # stderr into stdout's file, at one offset (as `stderr=subprocess.STDOUT`)
            os.dup2(1, fd)
            continue
        target = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)


def exit_child(code: int) -> NoReturn:
    """End a forked child as an interpreter ends: its atexit handlers (the data factory's cleanup fallback),
    its streams flushed; never the server's own exit path."""
    try:
        atexit._run_exitfuncs()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


# -- the server --------------------------------------------------------------------------------------------


def serve() -> None:
    preload()
    parse_contract()
    preload(PROJECT_PRELOADED)
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    inbox = sys.stdin.fileno()
    pending, reading, children = b"", True, set[int]()
    while reading or children:
        if reading and select.select([inbox], [], [], POLL_SECONDS)[0]:
            chunk = os.read(inbox, 65536)
            reading = bool(chunk)
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                pid = _fork(json.loads(line), channel)
                children.add(pid)
                channel.write(json.dumps({"started": pid}) + "\n")
        elif not reading:
            time.sleep(POLL_SECONDS)
        for pid in list(children):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                children.discard(pid)
                channel.write(json.dumps({"ended": pid, "rc": os.waitstatus_to_exitcode(status)}) + "\n")


def _fork(request: dict[str, object], channel: IO[str]) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(channel.fileno())  # the runner's reader ends with the server, not with the last lane
        _session(request)
    return pid


def _session(request: dict[str, object]) -> NoReturn:
    code = CHILD_FAILED
    try:
        become_child(Path(str(request["log"])), new_session=True)
        args = [str(arg) for arg in request["args"]]  # type: ignore[attr-defined]
        sys.argv = ["pytest", *args]
        import pytest

        code = int(pytest.main(args))
    finally:
        exit_child(code)


# -- the runner's side -------------------------------------------------------------------------------------


class Started:
    """A lane forked by the server, as the runner polls it (the parts of `subprocess.Popen` it uses)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.orphaned = False  # the server is gone: the lane's exit can no longer be reported

    def poll(self) -> int | None:
        if self.returncode is None and self.orphaned and not _alive(self.pid):
            self.returncode = CHILD_FAILED  # ended, how is unknown: its results tell what it did
        return self.returncode


def _alive(pid: int) -> bool:
    """Whether a process that is not our child still runs (a zombie nobody reaps has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel whether the pid exists
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


class WarmStarter:
    """One fork server for one run's lanes. `start` returns None when the server is gone (the caller starts a
    fresh interpreter instead); `close` ends it once its children have ended."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self._lock = threading.Lock()
        self._replies: list[int] = []
        self._running: dict[int, Started] = {}
        self._answered = threading.Condition(self._lock)
        self._gone = False
        self._process = subprocess.Popen(
            [sys.executable, "-m", "msgflash_compliance.warm_start"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=cwd,
            start_new_session=True,  # the runner passes signals on to the lanes, never to the server
        )
        self._reader = threading.Thread(target=self._read, args=(self._process.stdout,), daemon=True)
        self._reader.start()

    def start(self, args: list[str], log: Path, timeout: float = 30.0) -> Started | None:
        assert self._process.stdin is not None
        with self._answered:
            if self._gone:
                return None
            try:
                self._process.stdin.write((json.dumps({"args": args, "log": str(log)}) + "\n").encode())
                self._process.stdin.flush()
            except OSError:
                return None
            if not self._answered.wait_for(lambda: self._replies or self._gone, timeout) or not self._replies:
                self._give_up()
                return None
            started = Started(self._replies.pop(0))
            self._running[started.pid] = started
            return started

    def _give_up(self) -> None:
        """No answer in time: the server answers in order, so a late answer would be taken for the next start's
        (two lanes on one pid). It is ended; every later start is refused (a fresh interpreter instead). Lanes it
        already started run on and are seen ending through /proc."""
        self._gone = True
        with contextlib.suppress(OSError):
            self._process.kill()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self._process.stdin is not None:
                self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
        self._reader.join(timeout=5)

    def _read(self, stream: IO[bytes]) -> None:
        for line in stream:
            reply = json.loads(line)
            with self._answered:
                if "started" in reply:
                    self._replies.append(int(reply["started"]))
                elif reply.get("ended") in self._running:
                    self._running.pop(reply["ended"]).returncode = int(reply["rc"])
                self._answered.notify_all()
        with self._answered:
            self._gone = True
            for started in self._running.values():
                started.orphaned = True
            self._answered.notify_all()


if __name__ == "__main__":
    serve()
