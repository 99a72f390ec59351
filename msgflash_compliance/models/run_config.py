"""`RunConfig`: everything one compliance run is about, built once and handed to the pytest plugin.

The runner builds it from the command line (`msgflash_compliance.runner`), a direct `pytest suites/...` from the
plugin's options (`fixtures.plugin`); either way the profile, the contract settings and the catalog are loaded
exactly once, here, and the plugin, the session fixtures and the reports all read the same objects.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from msgflash_compliance.contract.catalog import Catalog
from msgflash_compliance.contract.settings import ContractSettings, load_settings
from msgflash_compliance.models.lane import Lane
from msgflash_compliance.models.selection import Selection
from msgflash_compliance.profile import TargetProfile


@dataclass(frozen=True)
class RunConfig:
    profile: TargetProfile | None  # None: collecting only (`pytest --collect-only`), nothing to check
    settings: ContractSettings
    catalog: Catalog
    selection: Selection = field(default_factory=Selection)
    run_id: str = field(default_factory=lambda: secrets.token_hex(3))  # names the run's test data
    profile_path: Path | None = None  # where the profile came from (report header; never its contents)
    lane: Lane = field(default_factory=Lane)  # this process's part of a run split into lanes

    def unknown_guarantees(self) -> list[str]:
        """The selection's `--guarantee` IDs the catalog does not have."""
        return [i for i in self.selection.guarantees if i not in self.catalog]


def build_run_config(profile: TargetProfile | None, catalog: Catalog, selection: Selection | None = None, *,
                     run_id: str | None = None, profile_path: Path | None = None,
                     lane: Lane | None = None) -> RunConfig:
    """The run's config: contract settings from the profile's [settings] over the product defaults (a bad
    override raises `UsageError`)."""
    settings = load_settings(profile.settings if profile is not None else None)
    return RunConfig(profile=profile, settings=settings, catalog=catalog, selection=selection or Selection(),
                     run_id=run_id or secrets.token_hex(3), profile_path=profile_path, lane=lane or Lane())
