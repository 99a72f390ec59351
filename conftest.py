"""Root conftest: makes the project root importable for both `suites/` and `tests/`."""
