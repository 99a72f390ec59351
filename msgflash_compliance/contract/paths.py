"""Where the project's files live: the checkout root, or the bundle inside an installed wheel.

A checkout (and the editable install `make` uses) has the contract (`openapi/`), the suites, the harness
(`fixtures/`), `conftest.py` and the report config (`reports/`) at the project root, beside this package. A
built wheel carries the same tree as `msgflash_compliance/_bundle/` (`setup.py` maps it), so it installs no
top-level `fixtures` or `suites` that would shadow another project's module. Either way `PROJECT_ROOT` is
the folder holding that tree; a compliance run puts it first on `sys.path` for itself
(`make_suites_importable`), since the suites import `fixtures.*` and `suites.*`.
"""

import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
BUNDLE_DIR = PACKAGE_DIR / "_bundle"
INSTALLED = BUNDLE_DIR.is_dir()  # never true in a checkout: only the wheel build writes `_bundle/`
PROJECT_ROOT = BUNDLE_DIR if INSTALLED else PACKAGE_DIR.parent
OPENAPI_DIR = PROJECT_ROOT / "openapi"
SPEC_PATH = OPENAPI_DIR / "msgflash-v1.yaml"
CATALOG_PATH = OPENAPI_DIR / "guarantees.yaml"
SUITES_DIR = PROJECT_ROOT / "suites"
REPORTS_CONFIG_DIR = PROJECT_ROOT / "reports"
# pytest's settings for a compliance run (`-c`); the markers are declared by fixtures/plugin.py.
RUN_INI = PACKAGE_DIR / "pytest-run.ini"


def make_suites_importable() -> None:
    """`fixtures` and `suites` resolve to this project's, ahead of any same-named installed package."""
    root = str(PROJECT_ROOT)
    if sys.path[:1] != [root]:
        sys.path.insert(0, root)
