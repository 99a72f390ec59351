"""The replay command a run prints parses back into the same run: target, selection, faults, seed, gate."""

from __future__ import annotations

import shlex

import pytest

from msgflash_compliance import cli
from msgflash_compliance.reporting.replay import (
    Selection,
    checked_against,
    guarantee_replay,
    replay_command,
    selection_from_args,
    sha256_of,
)

RUNS = [
    ["run", "--seed", "5"],
    ["run", "--profile", "vendor profile.toml", "--guarantee", "AUTH-01", "--guarantee", "TEAM-04", "--seed", "9"],
    ["run", "--fault", "missing-key-403", "--fault", "bearer-key-accepted", "--embedded-rate-limit", "50",
     "--key-pool", "0", "--tests", "suites/test_key_scoping.py", "--suite", "smoke", "--fail-on", "must",
     "--baseline", "known.toml", "--seed", "1", "--", "-m", "not rate_limit", "-k", "AUTH"],
]


def _parse(command: str) -> Selection:
    words = shlex.split(command)
    assert words[0] == "msgflash-compliance"
    args = cli.build_parser().parse_args(words[1:])
    return selection_from_args(args, args.seed)


@pytest.mark.parametrize("argv", RUNS, ids=["bare", "profile-and-guarantees", "everything"])
def test_the_replay_command_parses_back_into_the_same_selection(argv: list[str]) -> None:
    args = cli.build_parser().parse_args(argv)
    selection = selection_from_args(args, args.seed)
    assert _parse(replay_command(selection)) == selection


def test_a_guarantee_replay_keeps_target_files_and_seed_and_only_that_guarantee() -> None:
    args = cli.build_parser().parse_args(RUNS[2])
    selection = selection_from_args(args, 1)
    replayed = _parse(guarantee_replay(selection, "AUTH-01"))
    assert replayed.guarantees == ("AUTH-01",)
    assert (replayed.faults, replayed.embedded_rate_limit, replayed.key_pool, replayed.tests, replayed.seed) == (
        selection.faults, 50, 0, ("suites/test_key_scoping.py",), 1)
    assert replayed.pytest_args == () and replayed.baseline is None
    vendor = selection_from_args(cli.build_parser().parse_args(RUNS[1]), 9)
    assert guarantee_replay(vendor, "TEAM-04") == (
        "msgflash-compliance run --profile 'vendor profile.toml' --guarantee TEAM-04 --seed 9")


def test_full_is_said_only_of_a_run_nothing_narrowed() -> None:
    assert Selection(seed=1).describe() == "full suite"
    assert not Selection(seed=1, faults=("x",)).narrowed  # a fault changes the target, not the selection
    narrowed = Selection(seed=1, guarantees=("AUTH-01",), tests=("suites/test_x.py",), pytest_args=("-m", "smoke"))
    assert narrowed.describe() == ("full suite, narrowed to guarantees AUTH-01; tests suites/test_x.py; "
                                   "pytest arguments -m smoke")
    assert narrowed.as_dict()["narrowed"] is True


def test_checked_against_names_the_contract_files_by_digest(tmp_path) -> None:
    spec, catalog = tmp_path / "spec.yaml", tmp_path / "catalog.yaml"
    spec.write_text("a")
    catalog.write_text("b")
    digests = checked_against(spec, catalog)
    assert digests["openapi_sha256"] == "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
    assert digests["catalog_sha256"] == sha256_of(catalog) != digests["openapi_sha256"]
    catalog.write_text("c")
    assert checked_against(spec, catalog)["catalog_sha256"] != digests["catalog_sha256"]
