"""The built wheel in a fresh virtual environment, used from an empty directory the way a CI job uses it.
The PyPI `fixtures` library is installed beside it: outside a run `import fixtures` is that library, inside a
run the suites still get the project's harness (the smoke run passes).

Slow (a wheel build, a venv with every pinned dependency, a smoke run at the documented 10 requests/s): not part
of `make test`; `make test-install` runs it and `.ci/run` calls that after `make test`.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from msgflash_compliance.contract.paths import PROJECT_ROOT
from msgflash_compliance.reporting.run_reports import REPORT_OUTPUTS
from tests.packaging.installed import InstalledTool, build_wheel, install, source_copy, top_level_names, wheel_files
from tests.selftest.runs import suite_markers

pytestmark = pytest.mark.timeout(1200)  # the first test also builds and installs (shared by the module)

BUNDLE = "msgflash_compliance/_bundle/"
CHECKOUT_ALLURE = PROJECT_ROOT / "node_modules" / ".bin" / "allure"
FIXTURES_LIBRARY = "fixtures==4.3.2"


@pytest.fixture(scope="module")
def tool(tmp_path_factory: pytest.TempPathFactory) -> InstalledTool:
    source = source_copy(tmp_path_factory.mktemp("source"))
    wheel = build_wheel(source, tmp_path_factory.mktemp("wheel"))
    # Beside it, the PyPI testing library whose name our harness folder has: neither may shadow the other.
    return install(wheel, tmp_path_factory.mktemp("venv") / "venv", FIXTURES_LIBRARY)


@pytest.fixture
def empty_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "work"
    directory.mkdir()
    return directory


def test_the_wheel_installs_no_top_level_module_but_its_own(tool: InstalledTool) -> None:
    names = top_level_names(tool.wheel)
    assert names == {"msgflash_compliance", "msgflash_reference", "msgflash_compliance-0.1.0.dist-info"}


def test_the_wheel_bundles_the_suites_harness_contract_and_report_config(tool: InstalledTool) -> None:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "suites",
                             "fixtures", "openapi", "conftest.py", "reports/categories.json"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout.split()
    expected = {name for name in listed if (PROJECT_ROOT / name).is_file()}
    assert wheel_files(tool.wheel, BUNDLE) == expected
    assert "pytest-run.ini" in wheel_files(tool.wheel, "msgflash_compliance/")


def test_outside_a_run_fixtures_and_suites_are_not_this_projects(tool: InstalledTool, empty_dir: Path) -> None:
    theirs = tool.run("python", "-c", "import fixtures; print(fixtures.__file__); fixtures.Fixture", cwd=empty_dir)
    assert theirs.returncode == 0, theirs.stderr
    assert Path(theirs.stdout.strip()).parent.parent.name == "site-packages"  # site-packages/fixtures/__init__.py
    for name in ("suites", "conftest"):
        done = tool.run("python", "-c", f"import {name}", cwd=empty_dir)
        assert done.returncode == 1 and f"No module named '{name}'" in done.stderr, done.stderr


def test_faults_catalog_and_python_m_work_from_any_directory(tool: InstalledTool, empty_dir: Path) -> None:
    faults = tool.run("msgflash-compliance", "faults", "--json", cwd=empty_dir)
    assert faults.returncode == 0, faults.stderr
    assert len(json.loads(faults.stdout)) > 0
    catalog = tool.run("msgflash-compliance", "catalog", "--json", cwd=empty_dir)
    assert catalog.returncode == 0, catalog.stderr
    assert len(json.loads(catalog.stdout)) == 249
    version = tool.run("python", "-m", "msgflash_compliance", "--version", cwd=empty_dir)
    assert version.returncode == 0 and version.stdout.strip() == "msgflash-compliance 0.1.0", version.stderr


@pytest.fixture
def served(tool: InstalledTool, empty_dir: Path) -> Iterator[Path]:
    """`msgflash-compliance serve` of the installed tool, started from an empty directory: its profile."""
    profile = empty_dir / "profile.toml"
    log = (empty_dir / "server.log").open("wb")
    server = subprocess.Popen([str(tool.bin / "msgflash-compliance"), "serve", "--seed", "--port", "0",
                               "--db", "ref.sqlite", "--write-profile", str(profile)],
                              cwd=empty_dir, stdout=log, stderr=subprocess.STDOUT, env=tool.environment())
    try:
        deadline = time.monotonic() + 30
        while not profile.exists():
            assert server.poll() is None, (empty_dir / "server.log").read_text()
            assert time.monotonic() < deadline, "serve did not write its profile within 30 s"
            time.sleep(0.1)
        yield profile
    finally:
        server.terminate()
        server.wait(10)
        log.close()


def test_serve_runs_from_an_empty_directory(served: Path) -> None:
    base_url = tomllib.loads(served.read_text())["base_url"]
    response = httpx.get(base_url + "/api/v1/usage", timeout=10)
    assert response.status_code == 401 and response.json()["error"]["code"] == "UNAUTHORIZED"


def test_the_installed_run_collects_exactly_the_checkouts_suites(tool: InstalledTool, empty_dir: Path) -> None:
    done = tool.run("msgflash-compliance", "run", "--no-html", "--", "--collect-only", "-q", cwd=empty_dir)
    collected = {line for line in done.stdout.splitlines() if line.startswith("suites/")}
    assert collected == set(suite_markers()), done.stdout[-3000:] + done.stderr[-3000:]


def test_a_smoke_run_from_an_empty_directory_exits_0_and_writes_every_report(
    tool: InstalledTool, empty_dir: Path, tmp_path: Path
) -> None:
    # An installed copy has no node_modules: it takes the `allure` on PATH (here, the checkout's pinned CLI).
    assert CHECKOUT_ALLURE.exists(), "run `make setup` first: the HTML report needs the Allure CLI"
    shim = tmp_path / "allure-on-path"
    shim.mkdir()
    (shim / "allure").symlink_to(CHECKOUT_ALLURE)
    done = tool.run("msgflash-compliance", "run", "--suite", "smoke", cwd=empty_dir, extra_path=shim)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    reports = empty_dir / "reports"
    assert {name for name in REPORT_OUTPUTS if (reports / name).exists()} == set(REPORT_OUTPUTS)
    assert (reports / "allure-report" / "index.html").is_file()
    assert list((reports / "allure-results").glob("*-result.json"))
    document = json.loads((reports / "compliance.json").read_text(encoding="utf-8"))
    assert document["exit_code"] == 0 and document["suite"] == "smoke"
    passed = [g for g in document["guarantees"] if g["verdict"] == "passed"]
    assert len(passed) > 50 and not [g for g in document["guarantees"] if g["verdict"] in ("failed", "broken")]
    assert "testsuite" in (reports / "junit.xml").read_text(encoding="utf-8")
    assert "warning" not in done.stderr, done.stderr
    assert "warm start server is gone" not in done.stdout, done.stdout[-3000:]  # the lanes were forked warm
    progress = [line for line in done.stdout.splitlines() if re.match(r"\S+\.py [.sFEx]", line)]
    assert progress and all(line.startswith("suites/") for line in progress)  # as the reports name them
