"""The command line as a user meets it (subprocess runs): quiet pipes, named mistakes, help, the profile's words."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from msgflash_compliance.cli import RUN_EXAMPLES, build_parser
from msgflash_compliance.contract.catalog import load_catalog
from msgflash_compliance.contract.paths import PROJECT_ROOT
from msgflash_compliance.exit_codes import MEANINGS
from msgflash_compliance.profile import ProfileError, parse_profile
from msgflash_compliance.reporting import allure_files
from tests.harness.live_server import free_port

TIMEOUT = 120


def command(*args: str, cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "msgflash_compliance", *args], cwd=cwd, text=True,
                          timeout=TIMEOUT, **kwargs)  # type: ignore[call-overload]


@pytest.mark.parametrize("args", [("faults",), ("faults", "--json"), ("catalog",), ("catalog", "--json")])
def test_output_into_a_closed_pipe_ends_quietly_as_sigpipe_would(args: tuple[str, ...], tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line: every write meets a broken pipe
    try:
        done = command(*args, cwd=tmp_path, stdout=write_end, stderr=subprocess.PIPE)
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode == 128 + signal.SIGPIPE


def test_piped_into_head_it_prints_the_first_lines_and_no_traceback(tmp_path: Path) -> None:
    pipeline = f"{shlex.quote(sys.executable)} -m msgflash_compliance catalog --json | head -n 2"
    done = subprocess.run(["sh", "-c", pipeline], cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.stdout.splitlines() == ["[", "  {"]
    assert done.stderr == ""


def test_an_unknown_top_level_flag_is_named_as_such(tmp_path: Path) -> None:
    done = command("--bogus", cwd=tmp_path, capture_output=True)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == "msgflash-compliance: error: unrecognized arguments: --bogus"
    missing = command(cwd=tmp_path, capture_output=True)
    assert missing.returncode == 2
    assert missing.stderr.splitlines()[-1].endswith("error: the following arguments are required: COMMAND")


def test_run_help_has_a_description_the_exit_codes_and_three_examples_that_parse(tmp_path: Path) -> None:
    done = command("run", "--help", cwd=tmp_path, capture_output=True)
    assert done.returncode == 0
    text = done.stdout
    assert "Check a MsgFlash target against its documented contract" in text
    assert "exit codes:\n" + "\n".join(f"  {int(code)}  {meaning}" for code, meaning in MEANINGS.items()) in text
    examples = [line.strip() for line in RUN_EXAMPLES.splitlines()[1:]]
    assert len(examples) == 3 and all(line in text for line in examples)
    for line in examples:
        argv = shlex.split(line.split("#", 1)[0])
        assert argv[0] == "msgflash-compliance"
        assert build_parser().parse_args(argv[1:]).command == "run"


def test_a_profile_error_prints_no_seed_line_first(tmp_path: Path) -> None:
    profile = tmp_path / "target.toml"
    profile.write_text('base_url = "http://127.0.0.1:9"\n[safety]\nrequest_budget = 0\n', encoding="utf-8")
    done = command("run", "--profile", str(profile), "--reports-dir", str(tmp_path / "r"), cwd=tmp_path,
                   capture_output=True)
    assert done.returncode == 2
    assert done.stdout == ""  # no "hypothesis seed: ..." before the error
    assert done.stderr.splitlines() == [
        f"msgflash-compliance: error: profile {profile}: safety.request_budget: must be at least 1"]


def test_a_good_profile_prints_the_seed_before_anything_is_checked(tmp_path: Path) -> None:
    profile = tmp_path / "target.toml"
    profile.write_text(f'base_url = "http://127.0.0.1:{free_port()}"\n', encoding="utf-8")  # nothing listens
    done = command("run", "--profile", str(profile), "--seed", "5", "--reports-dir", str(tmp_path / "r"),
                   cwd=tmp_path, capture_output=True)
    assert done.returncode == 3
    assert done.stdout.splitlines() == [
        f"hypothesis seed: 5; replay with: msgflash-compliance run --profile {profile} --seed 5"]


@pytest.mark.parametrize(("document", "message"), [
    ({"safety": {"request_budget": 0}}, "safety.request_budget: must be at least 1"),
    ({"safety": {"request_budget": 1.5}}, "safety.request_budget: must be a whole number"),
    ({"safety": {"rate_limit": 0}}, "safety.rate_limit: must be more than 0"),
    ({"safety": {"rate_limit": [10]}}, "safety.rate_limit: must be a number"),
    ({"safety": {"read_only": "maybe"}}, "safety.read_only: must be true or false"),
    ({"safety": {"data_prefix": "X"}}, "safety.data_prefix: must be 2 to 16 characters: a lowercase letter, "
                                       "then lowercase letters, digits or '-'"),
    ({"safety": "strict"}, "safety: must be a table (a [section] or { key = value })"),
    ({"sandbox": {"enabled": 2}}, "sandbox.enabled: must be true or false"),
    ({"identities": {"owner": {"api_key": 5}}}, "identities.owner.api_key: must be text (a quoted string)"),
    ({"settings": ["x"]}, "settings: must be a table (a [section] or { key = value })"),
])
def test_every_profile_message_is_in_the_projects_words(document: dict[str, object], message: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({"base_url": "http://127.0.0.1:9", **document})
    assert str(caught.value) == f"profile profile: {message}"
    assert "should" not in str(caught.value).lower()  # pydantic's "Input should be ..."


def test_catalog_text_shows_scope_and_doc_link(tmp_path: Path) -> None:
    done = command("catalog", "--area", "PLAN", cwd=tmp_path, capture_output=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    plans = load_catalog().by_area("PLAN")
    assert len(lines) == 2 * len(plans)
    for guarantee, (first, second) in zip(plans, zip(lines[::2], lines[1::2], strict=True), strict=True):
        assert first.split()[:3] == [guarantee.id, guarantee.level, guarantee.scope]
        assert second.strip().startswith(f"docs: {guarantee.doc_url}" if guarantee.doc_url else "docs: none")
        if guarantee.out_reason:
            assert second.endswith(f"out of scope: {guarantee.out_reason}")


def test_an_installed_copy_takes_allure_from_path_or_warns_in_one_line(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(allure_files, "INSTALLED", True)
    monkeypatch.setenv("PATH", str(tmp_path))
    warning = allure_files.generate_html(tmp_path, tmp_path / "report", name="x", categories=[])
    assert warning == (f"Allure CLI not found on PATH ({allure_files.INSTALL_ALLURE_HINT}); "
                       "HTML report not generated")
    fake = tmp_path / "allure"
    fake.write_text("#!/bin/sh\nexit 7\n")
    fake.chmod(0o755)
    warning = allure_files.generate_html(tmp_path, tmp_path / "report", name="x", categories=[])
    assert warning is not None and warning.startswith("Allure CLI exited 7")  # the one on PATH was run


def test_the_allure_install_hint_names_the_version_package_json_pins() -> None:
    pinned = json.loads((PROJECT_ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]["allure"]
    assert f"npm install -g allure@{pinned}" == allure_files.INSTALL_ALLURE_HINT
