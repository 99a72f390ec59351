"""Running the command line the way a user does (a subprocess) and reading what a run wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from msgflash_compliance.contract.paths import PROJECT_ROOT
from tests.selftest.warm_runs import WarmRunner

RUN_TIMEOUT_SECONDS = 600
SERVER_WAIT_SECONDS = 20.0


def cli(*args: str, timeout: float = RUN_TIMEOUT_SECONDS) -> subprocess.CompletedProcess[str]:
    """`msgflash-compliance ARGS` as a process of its own, from the project root; output captured. Forked from
    this worker's warm interpreter (`warm_runs`): the libraries a run imports are loaded once per worker."""
    global _warm
    if _warm is None:
        # Bytecode caches on: a run would otherwise recompile and assert-rewrite its imports (~1 s of CPU).
        env = {k: v for k, v in os.environ.items() if k not in ("MSGFLASH_SUITE_LEVEL", "PYTHONDONTWRITEBYTECODE")}
        _warm = WarmRunner(PROJECT_ROOT, env)
    return _warm.run(list(args), timeout)


_warm: WarmRunner | None = None


def suite_markers() -> dict[str, list[str]]:
    """{test node id: guarantee IDs} of every test under suites/ (a collect-only run, no target needed)."""
    with tempfile.TemporaryDirectory(prefix="mfc-markers-") as scratch:
        dump = Path(scratch) / "markers.json"
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "suites", "--collect-only", "-q", "-p", "no:cacheprovider",
             "-p", "tests.selftest.marker_dump"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
            env={**os.environ, "MFC_MARKER_DUMP": str(dump)},
        )
        if not dump.exists():
            raise RuntimeError(f"collecting suites/ failed ({done.returncode}): {done.stdout[-2000:]}")
        return json.loads(dump.read_text(encoding="utf-8"))


def verdicts(reports_dir: Path) -> dict[str, str]:
    document = json.loads((reports_dir / "compliance.json").read_text(encoding="utf-8"))
    return {g["id"]: g["verdict"] for g in document["guarantees"]}


def compliance(reports_dir: Path) -> dict[str, Any]:
    return json.loads((reports_dir / "compliance.json").read_text(encoding="utf-8"))


def tail(done: subprocess.CompletedProcess[str], lines: int = 25) -> str:
    text = (done.stdout or "") + "\n--- stderr ---\n" + (done.stderr or "")
    return "\n".join(text.strip().splitlines()[-lines:])


class ReferenceServer:
    """`msgflash-compliance serve` in a subprocess (seeded, free port, optional faults): its profile path."""

    def __init__(self, scratch: Path, faults: tuple[str, ...] = (), rate_limit: str | None = None) -> None:
        self.profile = scratch / "profile.toml"
        self.db = scratch / "reference.sqlite"
        command = [sys.executable, "-m", "msgflash_compliance.cli", "serve", "--seed", "--port", "0",
                   "--db", str(self.db), "--write-profile", str(self.profile)]
        for fault in faults:
            command += ["--fault", fault]
        if rate_limit is not None:  # per key per second; the profile it writes keeps to it
            command += ["--rate-limit", rate_limit]
        self._log = (scratch / "server.log").open("wb")
        self._process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=self._log,
                                         stderr=subprocess.STDOUT)

    def __enter__(self) -> ReferenceServer:
        deadline = time.monotonic() + SERVER_WAIT_SECONDS
        while not self.profile.exists():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError("the reference server did not start (see server.log)")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()
