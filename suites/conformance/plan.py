"""Who calls each operation in the conformance suites, whether generated requests may reach it on this target,
and which guarantees a failure there breaks.

Callers: the owner's personal key on every `/api/v1` operation, the team key (with its X-Team-Id) on the
team-aware ones (workspace routes and `/billing/plans`; the personal-only routes refuse team keys, which the
key-scoping matrix checks), the owner's console session on console operations, no credentials where the spec
declares none.

Console billing mutations and team / key / invitation mutations (`EXCLUDED` from the seeded identities'
generation) change accounts the other suites rely on: they are generated only on a sandbox, as two scratch
accounts the run signs up for them (`suites.conformance.scratch`, `test_conformance_console_mutations.py`):
the scratch owner calls them, its invitee accepts invitations and leaves teams.

What generated requests may not reach (decisions #10 and the suite's safety rules):
* `EXCLUDED` operations on a target without the sandbox (never mutate real billing or real teams).
* `SENDS`: operations that send or schedule WhatsApp traffic or provider lookups, only when the profile's
  `[safety] allow_send` is true (the embedded sandbox sets it).
* `MAILS`: console auth operations that create accounts or send e-mails, only against the sandbox.
* a `read_only` profile: GET operations only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from msgflash_compliance.contract.openapi import Operation, operations, resolve
from msgflash_compliance.profile import TargetProfile
from suites.routes import RouteKind, public_routes


class Caller(StrEnum):
    PERSONAL = "personal"  # the owner's personal API key
    TEAM = "team"  # the team API key with its X-Team-Id
    CONSOLE = "console"  # the owner's console session (JWT)
    ANONYMOUS = "anonymous"  # no credentials (operations that declare none)
    SCRATCH = "scratch"  # a scratch account's console session (sandbox only): owns the scratch team
    SCRATCH_INVITEE = "scratch-invitee"  # a second scratch account: invited to the scratch team


BILLING_MUTATIONS = frozenset({
    "consoleCreateCheckout", "consoleCancelSubscription", "consoleDowngradeSubscription",
    "consoleCancelScheduledChange",
})
TEAM_AND_KEY_MUTATIONS = frozenset({
    "consoleCreateTeam", "consoleRenameTeam", "consoleDeleteTeam", "consoleCreateInvitation",
    "consoleResendInvitation", "consoleRevokeInvitation", "consoleRemoveMember", "consoleLeaveTeam",
    "consoleAcceptInvitation", "consoleAssignInstance", "consoleUnassignInstance", "consoleCreateTeamApiKey",
    "consoleRevokeTeamApiKey", "consoleCreateApiKey", "consoleRevokeApiKey",
})
EXCLUDED: dict[str, str] = {
    **{op: "console billing mutation: generated only on a sandbox, as a scratch account (never real billing)"
       for op in BILLING_MUTATIONS},
    **{op: "team, invitation or key mutation: generated only on a sandbox, as scratch accounts"
       for op in TEAM_AND_KEY_MUTATIONS},
}
INVITEE_OPERATIONS = frozenset({"consoleAcceptInvitation", "consoleLeaveTeam"})  # the invited account's moves
SENDS = frozenset({
    "sendMessage", "scheduleMessage", "publishStatus", "createCampaign", "pauseCampaign", "resumeCampaign",
    "createNumberLookup", "cancelNumberLookup", "importNumberLookupContacts",
})
MAILS = frozenset({"consoleSignup", "consoleResendVerification", "consoleForgotPassword"})

# Guarantees about the documented success body of one operation: a schema failure of its 2xx answer (a
# missing or mistyped field) breaks these. Operations not listed fall back to ENV-01.
SHAPE_GUARANTEES: dict[str, tuple[str, ...]] = {
    "getLegacyUsage": ("BILL-07",),
    "listPlans": ("BILL-01",),
    "getSubscription": ("BILL-02",),
    "getBillingUsage": ("BILL-06",),
    "listPayments": ("BILL-10",),
    "getMessage": ("MSG-15",),
    "publishStatus": ("STAT-01",),
    "createTemplate": ("TPL-01",),
    "previewTemplate": ("TPL-07",),
    "getCampaign": ("CMP-15",),
    "createContact": ("CNT-02",),
    "createContactGroup": ("GRP-01",),
    "getBulkJob": ("JOB-01",),
    "createWebhook": ("WH-01",),
    "listInstances": ("INST-01",),
    "getInstance": ("INST-02",),
    "getInstanceState": ("INST-03",),
    "createNumberLookup": ("LKP-01",),
    "getNumberLookupProgress": ("LKP-06",),
}
ENVELOPE = ("ENV-01", "ENV-02", "ENV-03", "ERR-10")
LIST_SHAPE_GUARANTEE = {"cursor": "ENV-05", "array": "ENV-04"}
AUTH_PROBE_GUARANTEES = ("AUTH-01", "AUTH-02")  # no key / a never-issued key → 401 (the ignored-auth probes)


@cache
def _route_kinds() -> dict[str, RouteKind]:
    return {route.operation_id: route.kind for route in public_routes()}


def callers(op: Operation) -> tuple[Caller, ...]:
    if op.public:
        kind = _route_kinds()[op.operation_id]
        return (Caller.PERSONAL, Caller.TEAM) if kind != RouteKind.PERSONAL_ONLY else (Caller.PERSONAL,)
    if op.security == "bearerJwt":
        return (Caller.CONSOLE,)
    return (Caller.ANONYMOUS,)


def scratch_caller(op: Operation) -> Caller:
    """Who calls an `EXCLUDED` operation in the scratch workspace."""
    return Caller.SCRATCH_INVITEE if op.operation_id in INVITEE_OPERATIONS else Caller.SCRATCH


def guarantees(op: Operation) -> tuple[str, ...]:
    """The guarantee IDs a conformance test of `op` checks (its marker)."""
    ids = list(ENVELOPE)
    if op.list_shape:
        ids.append(LIST_SHAPE_GUARANTEE[op.list_shape])
    if op.public and op.security == "apiKey":
        ids += AUTH_PROBE_GUARANTEES
    ids += SHAPE_GUARANTEES.get(op.operation_id, ())
    return tuple(dict.fromkeys(ids))


def exclusion(op: Operation, profile: TargetProfile) -> str | None:
    """Why generated requests must not reach `op` on this target, or None when they may."""
    if op.operation_id in EXCLUDED and not profile.sandbox.enabled:
        return EXCLUDED[op.operation_id]
    if profile.safety.read_only and op.method != "GET":
        return "the profile is read_only (safety.read_only = true)"
    if op.operation_id in SENDS and not profile.safety.allow_send:
        return "sends or looks up real numbers: needs [safety] allow_send = true in the profile"
    if op.operation_id in MAILS and not profile.sandbox.enabled:
        return "creates accounts or sends e-mails: only against the sandbox"
    return None


@dataclass(frozen=True)
class Planned:
    op: Operation
    caller: Caller

    @property
    def id(self) -> str:
        return self.caller.value


def body_names_ids(op: Operation) -> bool:
    """Whether the request body names other resources by id (a random one is then a documented 404)."""
    if not op.has_body:
        return False
    return _mentions_uuid(op.definition["requestBody"], depth=0)


def _mentions_uuid(node: Any, depth: int) -> bool:
    if depth > 12:
        return False
    node = resolve(node)
    if isinstance(node, dict):
        if node.get("format") == "uuid":
            return True
        return any(_mentions_uuid(value, depth + 1) for value in node.values())
    if isinstance(node, list):
        return any(_mentions_uuid(value, depth + 1) for value in node)
    return False


def all_planned() -> list[Planned]:
    return [Planned(op, caller) for op in operations() for caller in callers(op)]
