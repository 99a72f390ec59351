"""The README's reference parts match the code: every contract setting with its values, the guarantees a real
target leaves not covered, the profile's `[safety]` and `[sandbox]` fields."""

from __future__ import annotations

import re
from typing import get_args

import pytest

from msgflash_compliance.contract.catalog import load_catalog
from msgflash_compliance.contract.paths import PROJECT_ROOT
from msgflash_compliance.contract.settings import ContractSettings
from msgflash_compliance.profile import Safety, Sandbox

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("name", list(ContractSettings.model_fields))
def test_every_contract_setting_is_listed_with_its_values_default_first(name: str) -> None:
    field = ContractSettings.model_fields[name]
    values = [field.default, *(v for v in get_args(field.annotation) if v != field.default)]
    row = next((line for line in README.splitlines() if line.startswith(f"| `{name}` |")), None)
    assert row is not None, f"README.md: no row for contract setting {name}"
    assert row.split("|")[2].strip() == ", ".join(f"`{v}`" for v in values)


def test_the_settings_table_has_no_row_for_a_setting_that_does_not_exist() -> None:
    section = README.split("## Contract settings", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)
    assert rows == list(ContractSettings.model_fields)


@pytest.mark.parametrize("scope", ["sandbox", "out"])
def test_the_guarantees_a_real_target_cannot_cover_are_listed(scope: str) -> None:
    ids = ", ".join(g.id for g in load_catalog() if g.scope == scope)
    assert ids in _flat(README), f"README.md must list the scope-{scope} guarantees: {ids}"


@pytest.mark.parametrize(("section", "model"), [("safety", Safety), ("sandbox", Sandbox)])
def test_the_profile_example_shows_every_safety_and_sandbox_field(section: str, model: type) -> None:
    example = README.split("## Checking a real target", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    block = example.split(f"[{section}]", 1)[1].split("\n[", 1)[0]
    shown = re.findall(r"^([a-z_]+) =", block, flags=re.MULTILINE)
    assert sorted(shown) == sorted(model.model_fields)
