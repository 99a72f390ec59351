"""Root conftest: makes the project root importable for both `suites/` and `tests/`, and loads the
compliance plugin (inert unless a run checks a target: see `fixtures/plugin.py`) and pytester (for the
harness self-tests)."""

pytest_plugins = ["fixtures.plugin", "pytester"]
