"""The final scan over the reports dir: every profile secret, in any file, in any spelling JSON gives it."""

from __future__ import annotations

import json
from pathlib import Path

from fixtures.secret_scan import scan_for_secrets

KEY = "msgf_live_" + "c3" * 32
PASSWORD = 'pa"ss\\word-99'


def test_clean_reports_pass(tmp_path: Path) -> None:
    (tmp_path / "compliance.md").write_text("owner used <owner.api_key>\n")
    assert scan_for_secrets([tmp_path], [("owner.api_key", KEY)]) == []


def test_a_leak_is_found_named_by_label_and_scrubbed(tmp_path: Path) -> None:
    nested = tmp_path / "allure-results"
    nested.mkdir()
    attachment = nested / "x-attachment.txt"
    attachment.write_text(f"x-api-key: {KEY}\n")
    result = nested / "y-result.json"
    result.write_text(json.dumps({"statusDetails": {"message": f"login with {PASSWORD} failed"}}))

    leaks = scan_for_secrets([tmp_path], [("owner.api_key", KEY), ("owner.password", PASSWORD)])

    assert {(leak.path.name, leak.label) for leak in leaks} == {
        ("x-attachment.txt", "owner.api_key"), ("y-result.json", "owner.password")}
    assert all(KEY not in str(leak) and PASSWORD not in str(leak) for leak in leaks)
    assert attachment.read_text() == "x-api-key: <owner.api_key>\n"
    assert PASSWORD not in json.loads(result.read_text())["statusDetails"]["message"]
    assert json.dumps(PASSWORD)[1:-1] not in result.read_text()
    assert scan_for_secrets([tmp_path], [("owner.api_key", KEY), ("owner.password", PASSWORD)]) == []


def test_short_secrets_are_not_scanned(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("abc abc")
    assert scan_for_secrets([tmp_path], [("owner.password", "abc")]) == []


def test_only_the_given_outputs_are_scanned(tmp_path: Path) -> None:
    (tmp_path / "profile.toml").write_text(f'api_key = "{KEY}"\n')  # a user's file next to the reports
    report = tmp_path / "compliance.json"
    report.write_text("{}")
    assert scan_for_secrets([report, tmp_path / "allure-results"], [("owner.api_key", KEY)]) == []
    assert KEY in (tmp_path / "profile.toml").read_text()  # never touched
