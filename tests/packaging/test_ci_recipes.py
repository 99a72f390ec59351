"""The CI recipes in examples/ci/: they parse, every `msgflash-compliance` command they run exists with those
flags (the real argparse parser), their reports, secrets and exit-code gate fit the tool, and the README shows
them exactly as they are."""

from __future__ import annotations

import hashlib
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from msgflash_compliance.cli import build_parser
from msgflash_compliance.contract.paths import PROJECT_ROOT
from msgflash_compliance.exit_codes import MEANINGS
from msgflash_compliance.profile import ENV_REFERENCE, parse_profile
from msgflash_compliance.reporting import allure_files

RECIPES = PROJECT_ROOT / "examples" / "ci"
GITHUB = RECIPES / "github-actions.yml"
GITLAB = RECIPES / "gitlab-ci.yml"
PROFILE = RECIPES / "msgflash-target.toml"
COMMAND_END = re.compile(r"\s*(\|\||&&|;|\||>|$)")


def _load(path: Path) -> dict[Any, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _github_steps() -> list[dict[str, Any]]:
    return _load(GITHUB)["jobs"]["compliance"]["steps"]


def _gitlab_job() -> dict[str, Any]:
    return _load(GITLAB)["msgflash-compliance"]


def _shell_text(path: Path) -> str:
    """Every shell line the recipe runs."""
    if path == GITHUB:
        return "\n".join(step["run"] for step in _github_steps() if "run" in step)
    job = _gitlab_job()
    return "\n".join(job["before_script"] + job["script"])


def _tool_commands(shell: str) -> list[list[str]]:
    """Each `msgflash-compliance ...` invocation, as argv, cut at the first shell operator."""
    commands = []
    for line in shell.splitlines():
        line = line.strip()
        if not line.startswith("msgflash-compliance "):
            continue  # installs name the package, not the command
        words = shlex.split(line, comments=True)
        end = next((i for i, word in enumerate(words) if COMMAND_END.fullmatch(word)), len(words))
        commands.append(words[:end])
    return commands


def _reports_dir(argv: list[str]) -> str:
    return build_parser().parse_args(argv[1:]).reports_dir.rstrip("/")


@pytest.mark.parametrize("path", [GITHUB, GITLAB], ids=["github", "gitlab"])
def test_every_command_the_recipe_runs_exists_with_those_flags(path: Path) -> None:
    commands = _tool_commands(_shell_text(path))
    assert [argv[1] for argv in commands] == ["run"]
    for argv in commands:
        args = build_parser().parse_args(argv[1:])  # an unknown flag or value exits 2 here (SystemExit)
        assert args.profile == "msgflash-target.toml" and not args.fault and args.embedded_rate_limit is None


@pytest.mark.parametrize("path", [GITHUB, GITLAB], ids=["github", "gitlab"])
def test_the_gate_names_every_exit_code_with_its_meaning(path: Path) -> None:
    shell = _shell_text(path) if path == GITLAB else _github_steps()[-1]["run"]
    for code, meaning in MEANINGS.items():
        line = next(line for line in shell.splitlines() if line.strip().startswith(f"{int(code)})"))
        assert meaning in line
        assert (f"exit {int(code)}" in line) == (int(code) != 0)


def test_github_uploads_the_reports_summarises_them_and_hands_junit_to_a_check_run() -> None:
    steps = _github_steps()
    (run,) = _tool_commands(_shell_text(GITHUB))
    reports = _reports_dir(run)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"].rstrip("/") == reports and upload["if"] == "always()"
    summary = next(s for s in steps if "GITHUB_STEP_SUMMARY" in s.get("run", ""))
    assert f"{reports}/compliance.md" in summary["run"] and summary["if"] == "always()"
    junit = next(s for s in steps if s.get("uses", "").startswith("mikepenz/action-junit-report@"))
    assert junit["with"]["report_paths"] == f"{reports}/junit.xml"
    check = next(s for s in steps if s.get("id") == "check")
    assert "steps.check.outputs.code" in steps[-1]["env"]["CODE"] and 'code=$code' in check["run"]


def test_gitlab_keeps_the_reports_and_hands_junit_to_the_test_view() -> None:
    job = _gitlab_job()
    (run,) = _tool_commands(_shell_text(GITLAB))
    reports = _reports_dir(run)
    assert job["artifacts"]["when"] == "always"
    assert [p.rstrip("/") for p in job["artifacts"]["paths"]] == [reports]
    assert job["artifacts"]["reports"]["junit"] == f"{reports}/junit.xml"
    assert job["allow_failure"]["exit_codes"] == [3]


def test_the_profile_takes_every_secret_from_the_environment_and_github_maps_each() -> None:
    document = tomllib.loads(PROFILE.read_text(encoding="utf-8"))
    names = set(ENV_REFERENCE.findall(repr(document)))  # the ${NAME}s of its values (not of its comments)
    fake = {name: _fake_value(name) for name in names}
    profile = parse_profile(document, environ=fake)
    assert {value for _, value in profile.secrets()} <= {fake[name] for name in names}  # no secret in the file
    assert len(profile.secrets()) == 9
    check = next(s for s in _github_steps() if s.get("id") == "check")
    assert set(check["env"]) == names
    for name, expression in check["env"].items():
        store = "vars" if name == "MSGFLASH_BASE_URL" else "secrets"
        assert expression == f"${{{{ {store}.{name} }}}}"


def _fake_value(name: str) -> str:
    if name == "MSGFLASH_BASE_URL":
        return "https://msgflash.example.com"
    if name == "MSGFLASH_TEAM_KEY":
        return "msgf_team_" + "ab" * 32
    if name.endswith("_KEY"):
        return "msgf_live_" + hashlib.sha256(name.encode()).hexdigest()
    return "a-long-enough-password-" + name.lower()


@pytest.mark.parametrize("path", [GITHUB, GITLAB], ids=["github", "gitlab"])
def test_the_recipes_install_the_allure_cli_package_json_pins(path: Path) -> None:
    assert allure_files.INSTALL_ALLURE_HINT in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [GITHUB, GITLAB, PROFILE], ids=["github", "gitlab", "profile"])
def test_the_readme_shows_the_file_exactly(path: Path) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    fence = "toml" if path.suffix == ".toml" else "yaml"
    assert f"```{fence}\n{path.read_text(encoding='utf-8')}```\n" in readme, (
        f"README.md must show {path.relative_to(PROJECT_ROOT)} verbatim in a ```{fence} block")
