"""How much a check does: `smoke` (a few sampled cells) or `full` (every cell).

The runner selects the smoke suite with `-m smoke` (`msgflash-compliance run --suite smoke`) and says nothing
else to the tests, so the level is read from the marker expression. MSGFLASH_SUITE_LEVEL=smoke|full
overrides it (to try a level under plain pytest).
"""

from __future__ import annotations

import os
from typing import Literal

import pytest

Level = Literal["smoke", "full"]
LEVEL_VARIABLE = "MSGFLASH_SUITE_LEVEL"


def suite_level(config: pytest.Config) -> Level:
    forced = os.environ.get(LEVEL_VARIABLE, "").strip().lower()
    if forced in ("smoke", "full"):
        return forced  # type: ignore[return-value]
    markexpr = (getattr(config.option, "markexpr", "") or "").replace(" ", "")
    return "smoke" if markexpr == "smoke" else "full"
