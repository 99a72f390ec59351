"""The tool as a user installs it: a wheel built from the checkout's files, in a fresh virtual environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from msgflash_compliance.contract.paths import PROJECT_ROOT

STEP_TIMEOUT_SECONDS = 600
# Not passed on: they would point the fresh environment at the checkout's interpreter or files.
HIDDEN_VARIABLES = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE", "MSGFLASH_SUITE_LEVEL")


@dataclass(frozen=True)
class InstalledTool:
    wheel: Path
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def environment(self, extra_path: Path | None = None) -> dict[str, str]:
        """A user's shell with the venv activated: nothing of the checkout on PATH or PYTHONPATH."""
        env = {k: v for k, v in os.environ.items() if k not in HIDDEN_VARIABLES}
        env["PATH"] = os.pathsep.join([str(self.bin), *([str(extra_path)] if extra_path else []),
                                       _without_checkout(env.get("PATH", ""))])
        return env

    def run(self, *command: str, cwd: Path, extra_path: Path | None = None,
            timeout: float = STEP_TIMEOUT_SECONDS) -> subprocess.CompletedProcess[str]:
        """`command` (an executable of the venv, e.g. `msgflash-compliance`) from `cwd`."""
        return subprocess.run([str(self.bin / command[0]), *command[1:]], cwd=cwd, env=self.environment(extra_path),
                              capture_output=True, text=True, timeout=timeout)


def _without_checkout(path: str) -> str:
    """PATH less the checkout's .venv/bin and node_modules/.bin: the installed tool must not lean on them."""
    root = str(PROJECT_ROOT)
    return os.pathsep.join(p for p in path.split(os.pathsep) if p and not p.startswith(root))


def source_copy(destination: Path) -> Path:
    """The files a fresh clone has (tracked, plus new ones not ignored): no build/, .venv or egg-info leaks in."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=PROJECT_ROOT, capture_output=True, check=True, timeout=60).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = PROJECT_ROOT / name
        if source.is_file():  # a tracked file deleted in the work tree is not part of the build
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def build_wheel(source: Path, out: Path) -> Path:
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out),
                           str(source)], capture_output=True, text=True, timeout=STEP_TIMEOUT_SECONDS)
    wheels = sorted(out.glob("msgflash_compliance-*.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        raise RuntimeError(f"building the wheel failed ({done.returncode}): {done.stderr[-3000:]}")
    return wheels[0]


def install(wheel: Path, venv: Path, *others: str) -> InstalledTool:
    """A new venv (no system site-packages) with the wheel, its pinned dependencies and `others`, from the
    registry."""
    subprocess.run([_base_python(), "-m", "venv", str(venv)], check=True, capture_output=True,
                   timeout=STEP_TIMEOUT_SECONDS)
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                           "--disable-pip-version-check", str(wheel), *others],
                          capture_output=True, text=True, timeout=STEP_TIMEOUT_SECONDS)
    if done.returncode != 0:
        raise RuntimeError(f"installing the wheel failed ({done.returncode}): {done.stderr[-3000:]}")
    return InstalledTool(wheel, venv)


def _base_python() -> str:
    """The interpreter the checkout's venv was made from (a venv made from a venv would be the same)."""
    return getattr(sys, "_base_executable", None) or sys.executable


def top_level_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name.split("/", 1)[0] for name in archive.namelist()}


def wheel_files(wheel: Path, under: str) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name.removeprefix(under) for name in archive.namelist() if name.startswith(under)}
