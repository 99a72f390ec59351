"""What a run selected and what it was checked against, and the command line that replays it.

A run is reproduced by the same target (profile path, or the embedded server with the same faults and rate
limit), the same selection (suite, `--guarantee`, `--tests`, extra pytest arguments) and the same Hypothesis
seed; `compliance.json` records all of it, plus digests of the contract files, so two runs can be compared
knowing whether they checked the same thing. Nothing here holds a secret: a profile is named by its path.
"""

from __future__ import annotations

import argparse
import hashlib
import shlex
from pathlib import Path

from msgflash_compliance import __version__
from msgflash_compliance.contract.paths import CATALOG_PATH, SPEC_PATH
from msgflash_compliance.models.selection import Selection

PROGRAM = "msgflash-compliance"


def selection_from_args(args: argparse.Namespace, seed: int) -> Selection:
    extra = list(getattr(args, "pytest_args", None) or [])
    if extra and extra[0] == "--":
        extra = extra[1:]
    return Selection(
        suite=getattr(args, "suite", "full"),
        guarantees=tuple(getattr(args, "guarantee", None) or ()),
        tests=tuple(getattr(args, "tests", None) or ()),
        pytest_args=tuple(extra),
        faults=tuple(getattr(args, "fault", None) or ()),
        seed=seed,
        profile=getattr(args, "profile", None),
        embedded_rate_limit=getattr(args, "embedded_rate_limit", None),
        key_pool=getattr(args, "key_pool", None),
        fail_on=getattr(args, "fail_on", None) or "should",
        baseline=getattr(args, "baseline", None),
        fail_fast=bool(getattr(args, "fail_fast", False)),
    )


def _target_flags(selection: Selection) -> list[str]:
    flags: list[str] = []
    if selection.profile:
        flags += ["--profile", selection.profile]
    for fault in selection.faults:
        flags += ["--fault", fault]
    if selection.embedded_rate_limit is not None:
        flags += ["--embedded-rate-limit", str(selection.embedded_rate_limit)]
    if selection.key_pool is not None:
        flags += ["--key-pool", str(selection.key_pool)]
    return flags


def replay_command(selection: Selection) -> str:
    """The whole run again: same target, same selection, same seed, same gate."""
    return shlex.join([PROGRAM, *run_flags(selection)])


def run_flags(selection: Selection) -> list[str]:
    """`run` and the flags that make a run of `selection` (its target, selection, seed and gate)."""
    flags = ["run", *_target_flags(selection)]
    if selection.suite != "full":
        flags += ["--suite", selection.suite]
    for guarantee_id in selection.guarantees:
        flags += ["--guarantee", guarantee_id]
    for test in selection.tests:
        flags += ["--tests", test]
    if selection.fail_on != "should":
        flags += ["--fail-on", selection.fail_on]
    if selection.baseline:
        flags += ["--baseline", selection.baseline]
    if selection.fail_fast:
        flags.append("--fail-fast")
    flags += ["--seed", str(selection.seed)]
    if selection.pytest_args:
        flags += ["--", *selection.pytest_args]
    return flags


def guarantee_replay(selection: Selection, guarantee_id: str) -> str:
    """Only this guarantee again (every test naming it, inside the same `--tests` files), same target and seed."""
    flags = ["run", *_target_flags(selection), "--guarantee", guarantee_id]
    for test in selection.tests:
        flags += ["--tests", test]
    flags += ["--seed", str(selection.seed)]
    return shlex.join([PROGRAM, *flags])


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def checked_against(spec: Path = SPEC_PATH, catalog: Path = CATALOG_PATH) -> dict[str, str]:
    """The suite version and digests of the contract files a verdict depends on."""
    return {
        "suite_version": __version__,
        "openapi": f"{spec.parent.name}/{spec.name}",
        "openapi_sha256": sha256_of(spec),
        "catalog": f"{catalog.parent.name}/{catalog.name}",
        "catalog_sha256": sha256_of(catalog),
    }
