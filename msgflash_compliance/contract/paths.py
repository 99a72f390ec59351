"""Where the contract files live (the `openapi/` folder at the project root)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
OPENAPI_DIR = PROJECT_ROOT / "openapi"
SPEC_PATH = OPENAPI_DIR / "msgflash-v1.yaml"
CATALOG_PATH = OPENAPI_DIR / "guarantees.yaml"
