"""What every generated conformance test does before its examples run (the modules' autouse fixtures)."""

from __future__ import annotations

import pytest

from fixtures.errors import not_covered
from msgflash_compliance.contract import openapi
from msgflash_compliance.profile import TargetProfile
from suites.conformance.plan import exclusion
from suites.conformance.record import RECORD
from suites.conformance.schema import settings_for
from suites.key_scoping.level import suite_level


def configure_operation_test(request: pytest.FixtureRequest, profile: TargetProfile) -> None:
    """Allure history per operation and caller, the level's Hypothesis settings; an operation this target
    must not get generated requests for is recorded as excluded and not covered."""
    label = getattr(request.node, "operation_label", None)
    if label is None:
        return
    import allure

    allure.dynamic.parameter("operation", label)
    allure.dynamic.story(label)
    reason = exclusion(openapi.operation(label), profile)
    if reason is not None:
        RECORD.exclude(label, reason)
        not_covered(reason)
    test = request.node.obj
    current = getattr(test, "_hypothesis_internal_use_settings", None)
    test._hypothesis_internal_use_settings = settings_for(suite_level(request.config), current)
