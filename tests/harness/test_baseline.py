"""`run --baseline FILE`: known deviations become `known` until they expire; stale entries are flagged; a bad file
is one usage-error line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from msgflash_compliance.errors import UsageError
from msgflash_compliance.reporting.baseline import (
    KnownDeviation,
    apply_baseline,
    count_reported,
    load_baseline,
)
from msgflash_compliance.reporting.verdicts import GuaranteeVerdict

IDS = ("AUTH-01", "AUTH-02", "AUTH-04", "TEAM-04")
TODAY = date(2027, 1, 10)


def _verdict(guarantee_id: str, verdict: str) -> GuaranteeVerdict:
    return GuaranteeVerdict(guarantee_id, guarantee_id.split("-")[0], "MUST", "statement", None,
                            verdict, ("suites/t.py::test",), ("[X] expected 401, got 403",))  # type: ignore[arg-type]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "baseline.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_baseline_file_reads_its_known_tables(tmp_path: Path) -> None:
    path = _write(tmp_path, '''
[[known]]
guarantee = "AUTH-01"
reason = "vendor ticket 12"
link = "https://tracker.example/12"
expires = 2027-03-31

[[known]]
guarantee = "AUTH-02"
reason = "  accepted  "
expires = "2027-02-01"
''')
    assert load_baseline(path, IDS) == [
        KnownDeviation("AUTH-01", "vendor ticket 12", "https://tracker.example/12", date(2027, 3, 31)),
        KnownDeviation("AUTH-02", "accepted", None, date(2027, 2, 1)),
    ]
    assert load_baseline(_write(tmp_path, ""), IDS) == []


@pytest.mark.parametrize(("text", "said"), [
    ("[[known]\n", "not valid TOML"),
    ('[[known]]\nreason = "r"\n', "[[known]] #1: `guarantee` (a catalog ID) is required"),
    ('[[known]]\nguarantee = "NOPE-1"\nreason = "r"\n', "[[known]] #1: unknown guarantee 'NOPE-1'"),
    ('[[known]]\nguarantee = "AUTH-01"\n', "[[known]] #1 (AUTH-01): `reason` is required"),
    ('[[known]]\nguarantee = "AUTH-01"\nreason = "r"\nexpires = "31/12/2027"\n', "`expires` must be a date"),
    ('[[known]]\nguarantee = "AUTH-01"\nreason = "r"\nticket = 3\n', "unknown field 'ticket'"),
    ('[[known]]\nguarantee = "AUTH-01"\nreason = "r"\n[[known]]\nguarantee = "AUTH-01"\nreason = "s"\n',
     "AUTH-01 is listed twice"),
    ('[[knwon]]\nguarantee = "AUTH-01"\n', "unknown top-level key 'knwon'"),
], ids=["toml", "no-id", "unknown-id", "no-reason", "bad-date", "unknown-field", "twice", "typo-table"])
def test_a_bad_baseline_is_one_usage_error_naming_the_entry(tmp_path: Path, text: str, said: str) -> None:
    with pytest.raises(UsageError) as raised:
        load_baseline(_write(tmp_path, text), IDS)
    message = str(raised.value)
    assert said in message and message.startswith("baseline ") and "\n" not in message


def test_a_missing_baseline_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read it"):
        load_baseline(tmp_path / "absent.toml", IDS)


def test_live_entries_turn_failures_known_expired_ones_fail_and_passing_ones_are_stale() -> None:
    verdicts = [_verdict("AUTH-01", "failed"), _verdict("AUTH-02", "failed"), _verdict("AUTH-04", "passed"),
                _verdict("TEAM-04", "skipped")]
    deviations = [KnownDeviation("AUTH-01", "ticket 12", expires=date(2027, 1, 11)),
                  KnownDeviation("AUTH-02", "ticket 13", expires=TODAY),  # expires today: fails again today
                  KnownDeviation("AUTH-04", "ticket 14"), KnownDeviation("TEAM-04", "ticket 15")]
    applied, outcome = apply_baseline(verdicts, deviations, TODAY, "baseline.toml")
    by_id = {v.id: v for v in applied}
    assert [by_id[i].verdict for i in IDS] == ["known", "failed", "passed", "skipped"]
    assert by_id["AUTH-01"].notes[0] == "known deviation (baseline): ticket 12, until 2027-01-11"
    assert by_id["AUTH-02"].notes[0] == "baseline entry expired on 2027-01-10: ticket 13"
    assert "stale baseline entry" in by_id["AUTH-04"].notes[-1]
    assert (outcome.known, outcome.expired, outcome.stale) == (("AUTH-01",), ("AUTH-02",), ("AUTH-04",))
    counts = count_reported(applied)
    assert (counts["known"], counts["failed"], counts["passed"]) == (1, 1, 1)  # known is never inside failed
