"""Compliance suites, one module per area (see conftest.py)."""
