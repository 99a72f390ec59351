"""The guarantee catalog: complete, well-formed, levels per the decisions.md rule, typed access that bites."""

import argparse
import json
from pathlib import Path

import pytest
import yaml

from msgflash_compliance.contract.catalog import (
    AREAS,
    Catalog,
    CatalogError,
    Guarantee,
    catalog_command,
    load_catalog,
)
from msgflash_compliance.contract.paths import CATALOG_PATH
from msgflash_compliance.contract.settings import ContractSettings
from msgflash_compliance.errors import UsageError

# Entries per area in ../shared/contract/guarantees.md when the catalog was built (249 in all).
COUNT_PER_AREA = {
    "AUTH": 13, "TEAM": 28, "INV": 13, "ROLE": 18, "BILL": 20, "PLAN": 19, "ENV": 6, "ERR": 10, "RATE": 6,
    "PAGE": 16, "MSG": 17, "STAT": 5, "TPL": 9, "CMP": 15, "CNT": 9, "GRP": 10, "JOB": 7, "WH": 9, "INST": 6,
    "MEDIA": 4, "LKP": 9,
}
ENTRY_KEYS = {"id", "area", "level", "statement", "precondition", "request", "expected", "sources", "doc_url",
              "setting", "ambiguity", "scope", "out_reason", "checked_by"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def raw_entries() -> list[dict]:
    return yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))["guarantees"]


def test_catalog_holds_every_markdown_entry(catalog):
    assert len(catalog) == sum(COUNT_PER_AREA.values()) == 249
    assert {area: len(catalog.by_area(area)) for area in AREAS} == COUNT_PER_AREA


def test_ids_are_unique_and_numbered_without_gaps(catalog):
    assert len(set(catalog.ids)) == len(catalog.ids)
    for area, count in COUNT_PER_AREA.items():
        assert [g.id for g in catalog.by_area(area)] == [f"{area}-{n:02d}" for n in range(1, count + 1)]


def test_every_entry_spells_out_every_field(raw_entries):
    for entry in raw_entries:
        assert set(entry) == ENTRY_KEYS, entry["id"]
        assert set(entry["expected"]) >= {"status", "code"}, entry["id"]


def test_sources_are_docs_urls_or_marked_secondary(catalog):
    for g in catalog:
        for source in g.sources:
            assert source.startswith(("https://docs.msgflash.com/", "[S]")), (g.id, source)
        assert g.doc_url == next((s for s in g.sources if s.startswith("https://")), None), g.id


def test_settings_named_by_entries_exist(catalog):
    named = {g.setting for g in catalog if g.setting}
    assert named <= set(ContractSettings.model_fields)
    assert {"plan_lineup", "plan_change_blocked_status", "collaborator_billing_reads"} <= named


def test_must_rests_on_the_docs(catalog):
    # MUST = docs.msgflash.com states it; an entry with only [S] sources can be at most SHOULD.
    for g in catalog:
        if g.level == "MUST":
            assert g.doc_url is not None, g.id


@pytest.mark.parametrize(
    ("gid", "level", "status", "code", "setting"),
    [
        ("TEAM-04", "MUST", 403, "TEAM_KEY_NOT_ALLOWED", None),
        ("TEAM-20", "SHOULD", 403, "TEAM_FEATURE_UNAVAILABLE", "plan_lineup"),
        ("TEAM-13", "INFO", None, None, "personal_key_team_header_on_personal_routes"),
        ("RATE-06", "INFO", None, None, None),
        ("BILL-17", "SHOULD", 409, "PLAN_CHANGE_BLOCKED_ACTIVE_TEAMS", "plan_change_blocked_status"),
        ("ROLE-07", "MUST", 403, None, "collaborator_billing_reads"),
        ("AUTH-10", "SHOULD", 401, "UNAUTHORIZED", None),
        ("AUTH-11", "SHOULD", 403, "EMAIL_NOT_VERIFIED", None),
        ("PLAN-03", "MUST", 403, "MAX_API_KEYS_REACHED", "plan_lineup"),
        ("PAGE-03", "INFO", 400, "VALIDATION_ERROR", "bad_query_params"),
        ("ERR-02", "MUST", 404, "NOT_FOUND", "foreign_resource"),
    ],
)
def test_levels_and_expectations_follow_the_decisions(catalog, gid, level, status, code, setting):
    g = catalog.get(gid)
    assert (g.level, g.expected.status, g.expected.code, g.setting) == (level, status, code, setting)


def test_scope_out_carries_a_reason(catalog):
    out = {g.id for g in catalog if g.scope == "out"}
    assert {"WH-08", "ERR-08", "ERR-09", "MEDIA-01"} <= out
    assert all(catalog.get(gid).out_reason for gid in out)
    assert catalog.get("INV-03").scope == "sandbox"
    assert catalog.get("TEAM-04").scope == "black-box"


def test_typed_access(catalog):
    g = catalog.get("TEAM-04")
    assert isinstance(g, Guarantee)
    assert g.area == "TEAM" and isinstance(g.checked_by, tuple) and "TEAM-04" in catalog and "TEAM-99" not in catalog
    assert [x.id for x in catalog][:2] == ["AUTH-01", "AUTH-02"]
    with pytest.raises(ValueError):
        g.level = "INFO"  # type: ignore[misc]


def test_unknown_id_names_the_nearest(catalog):
    with pytest.raises(KeyError) as info:
        catalog.get("TEAM-4")
    assert str(info.value).startswith("no guarantee 'TEAM-4'")
    assert "TEAM-04" in str(info.value)


def test_load_is_cached_per_path():
    assert load_catalog() is load_catalog(CATALOG_PATH)


def _write_catalog(tmp_path: Path, **changes) -> Path:
    document = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    document["guarantees"] = document["guarantees"][:3]
    document["guarantees"][1].update(changes)
    path = tmp_path / "guarantees.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "AUTH-01"}, "duplicate guarantee ids: AUTH-01"),
        ({"area": "TEAM"}, "must be AREA-NN"),
        ({"level": "MAY"}, "level"),
        ({"sources": ["https://example.com/x"]}, "neither a https://docs.msgflash.com/ URL"),
        ({"setting": "pro_api_keys"}, "not a contract setting"),
        ({"scope": "out"}, "out_reason is required"),
    ],
)
def test_validation_bites(tmp_path, changes, message):
    with pytest.raises(CatalogError, match=message):
        load_catalog(_write_catalog(tmp_path, **changes))


def test_cli_lines_and_json(capsys):
    assert catalog_command(argparse.Namespace(json=False, area="stat")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 * COUNT_PER_AREA["STAT"]  # per guarantee: ID, level, scope, statement; its doc link
    assert lines[0].split()[:3] == ["STAT-01", "MUST", "black-box"]
    assert lines[1].split() == ["docs:", load_catalog().get("STAT-01").doc_url]
    assert catalog_command(argparse.Namespace(json=True, area=None)) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 249 and data[0]["id"] == "AUTH-01" and data[0]["expected"]["status"] == 401


def test_cli_unknown_area_is_a_usage_error():
    with pytest.raises(UsageError, match="valid areas: AUTH"):
        catalog_command(argparse.Namespace(json=False, area="NOPE"))
