"""Contract settings: the product's decisions on the docs' open points (`decisions.md`), one typed field each.

A target profile may override them; every report prints them. A decision without an alternative is a Literal
of its default only, so it is named and shown but cannot be set to something the product does not support.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from msgflash_compliance.errors import UsageError


class ContractSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    plan_lineup: Literal["free-starter-pro-plus", "free-pro-max"] = Field(
        "free-starter-pro-plus",
        description="decisions #1 plan line-up: 'Free / Starter / Pro / Plus (FAQ); API keys per plan "
        "1 / 3 / 10 / 10 (FAQ)'; alternative 'Free / Pro / MAX catalogue (.md pages)'",
    )
    plan_change_blocked_status: Literal[409, 400] = Field(
        409,
        description="decisions #2 PLAN_CHANGE_BLOCKED_ACTIVE_TEAMS status: '409, body carries "
        "details.teamIds'; alternative '400'",
    )
    collaborator_billing_reads: Literal["forbidden", "allowed"] = Field(
        "forbidden",
        description="decisions #3 collaborator billing access in a team: 'none (FAQ): payments → 403 "
        "BILLING_PAYMENTS_TEAM_OWNER_ONLY; mutations → 403 BILLING_TEAM_MUTATION_FORBIDDEN; "
        "subscription/usage reads → 403 (code not documented: status asserted, code recorded)'; alternative "
        "'collaborator may read subscription/usage (200)'",
    )
    team_key_team_mismatch: Literal["401-unauthorized"] = Field(
        "401-unauthorized",
        description="decisions #4 team key with missing or foreign X-Team-Id: '401 UNAUTHORIZED, same "
        "message as an invalid key'",
    )
    personal_key_team_header_on_personal_routes: Literal["info-only"] = Field(
        "info-only",
        description="decisions #5 personal key + X-Team-Id on a personal-only route (/me, /usage, billing "
        "reads): 'INFO only'",
    )
    bad_query_params: Literal["fail-only-on-5xx-or-wrong-page"] = Field(
        "fail-only-on-5xx-or-wrong-page",
        description="decisions #6 limit above the maximum, unknown sort, malformed cursor: 'the reference "
        "server answers 400 VALIDATION_ERROR; the suite fails only on a 5xx or a silently wrong page, "
        "otherwise INFO'",
    )
    cursor_reuse_across_sorts: Literal["reject-or-consistent-page"] = Field(
        "reject-or-consistent-page",
        description="decisions #7 reusing a cursor under a different sort: 'SHOULD: either 400 or a page "
        "consistent with the new sort; never duplicates or gaps presented as valid'",
    )
    foreign_resource: Literal["404-not-found"] = Field(
        "404-not-found",
        description="decisions #8 another workspace's resource id: '404 NOT_FOUND (\"does not exist or "
        "belongs to another account\"), never 403 and never the resource'",
    )
    public_billing_writes: Literal["404-or-405"] = Field(
        "404-or-405",
        description="decisions #9 a write method on public /api/v1/billing/*: 'not offered: 404 or 405'",
    )
    real_whatsapp_sends: Literal["never", "allowed"] = Field(
        "never",
        description="decisions #10 sending real WhatsApp messages: 'never, unless the target profile "
        "explicitly allows it'",
    )


SETTING_NAMES: tuple[str, ...] = tuple(ContractSettings.model_fields)


def _problem(error: Mapping[str, object]) -> str:
    """One pydantic error → `field: what is wrong`, in words a profile author can act on."""
    loc = error.get("loc") or ()
    name = ".".join(str(part) for part in loc) if isinstance(loc, tuple) else str(loc)
    if error.get("type") == "extra_forbidden":
        return f"unknown setting {name!r} (valid: {', '.join(SETTING_NAMES)})"
    ctx = error.get("ctx")
    expected = ctx.get("expected") if isinstance(ctx, dict) else None
    got = error.get("input")
    if expected:
        return f"{name}: must be {expected}, got {got!r}"
    return f"{name}: {error.get('msg')}, got {got!r}"


def load_settings(overrides: Mapping[str, object] | None = None) -> ContractSettings:
    """Defaults with the profile's overrides applied; every bad field reported in one line."""
    try:
        return ContractSettings(**dict(overrides or {}))
    except ValidationError as err:
        problems = "; ".join(_problem(e) for e in err.errors(include_url=False))
        raise UsageError(f"contract settings: {problems}") from None


def describe(settings: ContractSettings) -> dict[str, str]:
    """`{name: value}` for a report's environment section, in declaration order; overrides are marked."""
    defaults = ContractSettings()
    shown: dict[str, str] = {}
    for name in SETTING_NAMES:
        value = getattr(settings, name)
        marker = "" if value == getattr(defaults, name) else " (overridden)"
        shown[name] = f"{value}{marker}"
    return shown
