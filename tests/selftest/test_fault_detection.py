"""Every fault of the reference server's registry is caught by the suites.

One generic test per fault: when some suite test checks one of the guarantees the fault claims to break, run
the compliance suite against the embedded server with that fault on, restricted to those guarantees (so a
detection self-test runs only its fault's checks), and require exit code 1 with every checked MUST guarantee
the fault claims `failed` in compliance.json. Claimed guarantees no suite checks yet make the test skip. The run
fails fast (`run --fail-fast`): once a claimed guarantee has failed its other checks are skipped.

The same run also proves the verdict is delivered right: no guarantee is `broken` (a violation is never turned
into an environment problem, FlakyFailure included) unless the fault breaks the environment on purpose
(BREAKS_ENVIRONMENT), compliance.json, junit.xml and the Allure results count the same failed / broken /
skipped / passed tests, and no failure message is longer than 2,000 characters.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from msgflash_compliance.contract.catalog import load_catalog
from msgflash_reference.faults import all_faults
from tests.selftest.report_counts import allure_counts, compliance_counts, failure_messages, junit_counts
from tests.selftest.runs import cli, tail, verdicts

FAULT_NAMES = sorted(all_faults())
# Checks that need the documented 10 requests/s on the server; every other detection run paces faster.
RATE_SENSITIVE = ("RATE-", "ENV-06")
# Every other detection run paces at 200/s (the server's limit set to match): on 2 cores a run is then bound by
# CPU, not by its pace (a workspace-isolation detection: 11 s at 50/s, 7.5 s at 200/s).
FAST_PACE = "200"
# Faults whose detection run may leave guarantees broken because the fault breaks the environment on purpose
# (fault name -> why). None does today.
BREAKS_ENVIRONMENT: dict[str, str] = {}
MESSAGE_LIMIT = 2000


def files_checking(ids: list[str], suite_index: dict[str, list[str]]) -> list[str]:
    """The suite files holding a test of any of `ids`: a detection run collects only those (speed)."""
    return sorted({node.split("::", 1)[0] for node, marked in suite_index.items() if set(marked) & set(ids)})


@pytest.mark.slow
@pytest.mark.parametrize("fault_name", FAULT_NAMES)
def test_fault_is_detected(fault_name: str, checked_guarantees: frozenset[str], suite_index: dict[str, list[str]],
                           tmp_path: Path, record_property) -> None:
    fault = all_faults()[fault_name]
    checked = [i for i in fault.breaks if i in checked_guarantees]
    row = {"fault": fault_name, "claims": list(fault.breaks), "checked": checked,
           "detected": [], "missed": []}
    record_property("fault_detection", row)
    if not checked:
        pytest.skip(f"no suite checks {', '.join(fault.breaks)} yet")

    reports = tmp_path / "reports"
    only = [f"--guarantee={i}" for i in checked]
    paths = [f"--tests={path}" for path in files_checking(checked, suite_index)]
    pace = [] if any(i.startswith(RATE_SENSITIVE) for i in checked) else ["--embedded-rate-limit", FAST_PACE]
    # No key pool and one process: a detection run is a few checks; making and revoking the pool's keys, or
    # planning lanes, would be most of it. Fail fast: a claimed guarantee's first violation is its verdict,
    # its other checks are skipped (an error-envelope detection: 42 s of conformance checks → 6 s).
    done = cli("run", "--fault", fault_name, *only, *paths, *pace, "--key-pool", "0", "--lanes", "1", "--no-html",
               "--fail-fast", "--reports-dir", str(reports))
    assert (reports / "compliance.json").exists(), f"no compliance.json; run output:\n{tail(done)}"
    found = verdicts(reports)
    row["detected"] = [i for i in checked if found.get(i) == "failed"]
    row["missed"] = [i for i in checked if found.get(i) != "failed"]

    assert done.returncode == 1, f"expected exit 1 (violations), got {done.returncode}:\n{tail(done)}"
    assert row["detected"], f"none of {checked} failed: {[found.get(i) for i in checked]}\n{tail(done)}"
    catalog = load_catalog()
    must_missed = [i for i in row["missed"] if catalog.get(i).level == "MUST"]
    assert not must_missed, (
        f"fault {fault_name} claims to break {must_missed} (MUST) but their verdicts are "
        f"{[found.get(i) for i in must_missed]}:\n{tail(done)}"
    )

    broken = sorted(i for i, verdict in found.items() if verdict == "broken")
    assert fault_name in BREAKS_ENVIRONMENT or not broken, (
        f"fault {fault_name}: guarantees {broken} are broken, not failed or passed:\n{tail(done)}")
    counts = {"compliance.json": compliance_counts(reports), "junit.xml": junit_counts(reports),
              "allure-results": allure_counts(reports)}
    assert len({tuple(sorted(c.items())) for c in counts.values()}) == 1, f"the reports disagree: {counts}"
    long = [m[:200] + "…" for m in failure_messages(reports) if len(m) > MESSAGE_LIMIT]
    assert not long, f"{len(long)} failure messages longer than {MESSAGE_LIMIT} characters: {long[:3]}"
