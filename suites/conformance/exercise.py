"""One generated case, sent through the harness and judged: what a conformance test does per example.

`Exerciser.run(case, caller)` (`send` then `verdict`; the state machine calls them apart):
1. shapes a positive case so it stays the run's own and can succeed: the workspace's own ids (`known_ids`) in
   the first positive case's path and body ids and about half of the later ones', a valid send body and the
   owner's login (or a sandbox mail token) in the first one, a prefixed `name` on creates and updates, a
   webhook URL under example.invalid;
2. builds the request with `fixtures.schemathesis_bridge` and sends it with the caller's harness client (its
   credential, throttle, budget, evidence); a team-key request always carries the key's X-Team-Id;
3. records the status, tracks what a create made (deleted at once, and by the factory at the end);
4. judges the answer (`checks.judge`) and, after the caller's first 2xx on an API-key operation, probes it
   without credentials (`probes`);
5. raises one `ContractViolation` per failing case. A case that failed once fails the same way when Hypothesis
   replays it, without a second request (the target's state may have moved on).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.case import Case

from fixtures.clients import Harness
from fixtures.errors import ContractViolation
from fixtures.factories import DataFactory
from fixtures.hypothesis_runs import noted
from fixtures.schemathesis_bridge import case_request_kwargs
from msgflash_compliance.contract import openapi
from suites.conformance.checks import Sent, judge, violation
from suites.conformance.plan import Caller
from suites.conformance.probes import ignored_auth_findings
from suites.conformance.record import RECORD
from suites.conformance.schema import STATEFUL_CHECKS
from suites.routes import HARMLESS_BODIES

# X-Team-Id is the header parameter of the spec: the personal and console callers act in their personal
# workspace (their team contexts are the key-scoping and team suites' checks), the team caller in its team.
DROPPED_HEADERS = frozenset({"x-api-key", "authorization", "x-team-id"})
# Creates whose 201 body carries the new id, and where that resource is deleted (revoked), `{teamId}` from
# the request's path.
CREATED_AT: dict[str, tuple[str, str]] = {
    "createContact": ("contact", "/api/v1/contacts/{id}"),
    "consoleCreateContact": ("contact", "/api/v1/contacts/{id}"),
    "createContactGroup": ("group", "/api/v1/contacts/groups/{id}"),
    "createTemplate": ("template", "/api/v1/templates/{id}"),
    "createWebhook": ("webhook", "/api/v1/webhooks/{id}"),
    "consoleCreateTeam": ("team", "/api/teams/{id}"),
    "consoleCreateInvitation": ("invitation", "/api/teams/{teamId}/invitations/{id}"),
    "consoleCreateTeamApiKey": ("team key", "/api/teams/{teamId}/api-keys/{id}"),
    "consoleCreateApiKey": ("key", "/api/api-keys/{id}"),
}
# Operations whose answer lists the contacts they made (`data.contactIds`) instead of one `data.id`: a number
# lookup's import names its contacts after the numbers, so only these ids let the run delete them.
IMPORTS_CONTACTS = frozenset({"importNumberLookupContacts"})
# Bodies naming other resources by id: positive ones get the workspace's own (a random one is a 404).
BODY_IDS = frozenset({
    "sendMessage", "scheduleMessage", "publishStatus", "createCampaign", "createNumberLookup", "previewTemplate",
})
# Operations whose first positive case is replaced by the harmless valid body of `suites.routes`.
CANONICAL_BODIES = frozenset({"sendMessage", "scheduleMessage"})
NAMED_BODIES = frozenset({
    "createContact", "updateContact", "createContactGroup", "updateContactGroup", "createTemplate",
    "updateTemplate", "createCampaign", "consoleCreateContact", "consoleCreateTeam", "consoleRenameTeam",
    "consoleCreateTeamApiKey", "consoleCreateApiKey",
})


class IdSource(Protocol):
    """Where a positive case's ids come from: `KnownIds` (the seeded identities' workspaces) or
    `ScratchWorkspace` (the scratch accounts of the console mutations)."""

    def substitute(self, case: Any, op: openapi.Operation, caller: Caller, *, force: bool = False
                   ) -> dict[str, str]: ...

    def substitute_body(self, case: Any, caller: Caller, *, force: bool = False) -> None: ...

    def console_values(self, op: openapi.Operation) -> tuple[dict[str, str], dict[str, str]]: ...


@dataclass(frozen=True)
class Exchange:
    """One case as sent and answered."""

    op: openapi.Operation
    case: Case
    caller: Caller
    request: dict[str, Any]
    response: httpx.Response
    key: str  # the request's fingerprint
    created: str | None = None  # the path of what it created, when it created something


@dataclass
class Exerciser:
    harness: Harness
    factory: DataFactory
    clients: Callable[[Caller], Any]  # Caller -> HarnessClient (raises NotCovered when the profile lacks it)
    known: IdSource
    table: Mapping[str, frozenset[int]]
    team_id: str | None
    failed: dict[str, ContractViolation] = field(default_factory=dict)
    passed: set[str] = field(default_factory=set)
    probed: set[tuple[str, Caller]] = field(default_factory=set)
    _first_positive: dict[tuple[str, Caller], str] = field(default_factory=dict)

    # -- the case ------------------------------------------------------------------------------------------

    def shape(self, case: Case, op: openapi.Operation, caller: Caller, *, ids: bool = True
              ) -> tuple[dict[str, str], dict[str, str]]:
        """Keep a positive case on the run's own data (negative cases are sent as generated). The first
        positive case of each operation and caller gets the known ids and credentials, so every operation
        gets its chance at a 2xx; later ones about half the time. Returns (query, body) values to put into
        the request only: credentials never enter the case (Hypothesis prints cases)."""
        if not _positive(case):
            return {}, {}
        first = self._first_positive.setdefault((op.label, caller), _case_digest(case)) == _case_digest(case)
        if first and op.operation_id in CANONICAL_BODIES and isinstance(case.body, dict):
            # generated sends almost never satisfy the cross-field rules (button kinds, media per type)
            case.body = {**HARMLESS_BODIES[op.operation_id](self.factory.name), "to": self.factory.phone()}
        if ids:  # a state machine's ids come from its links
            self.known.substitute(case, op, caller, force=first)
            if op.operation_id in BODY_IDS and caller in (Caller.PERSONAL, Caller.TEAM):
                self.known.substitute_body(case, caller, force=first)
        body = case.body
        if isinstance(body, dict):
            if op.operation_id in NAMED_BODIES and isinstance(body.get("name"), str):
                body["name"] = self._prefixed(body["name"])
            if op.operation_id == "createWebhook" and isinstance(body.get("url"), str):
                body["url"] = f"https://example.invalid/{self._prefixed(body['url'])}"
        return self.known.console_values(op) if first and caller == Caller.ANONYMOUS else ({}, {})

    def _prefixed(self, generated: str) -> str:
        """A run-prefixed name derived from the generated one (the same on Hypothesis' replay)."""
        digest = hashlib.sha256(generated.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        return f"{self.factory.prefix}{self.factory.run_id}-gen-{digest}"

    def request(self, case: Case, client: httpx.Client, overrides: tuple[dict[str, str], dict[str, str]]
                ) -> dict[str, Any]:
        """The case as request kwargs for `client`; the client brings the credential (and the team key's
        X-Team-Id), so generated credential and team headers are dropped."""
        kwargs = case_request_kwargs(case, client)
        kwargs["headers"] = {k: v for k, v in kwargs["headers"].items() if k.lower() not in DROPPED_HEADERS}
        query, body = overrides
        if query:
            kwargs["params"] = {**(kwargs.get("params") or {}), **query}
        if body and isinstance(kwargs.get("json"), dict):
            kwargs["json"] = {**kwargs["json"], **body}
        return kwargs

    # -- one example -----------------------------------------------------------------------------------

    def run(self, case: Case, caller: Caller) -> httpx.Response | None:
        """Send one generated case and judge the answer; raise its ContractViolation."""
        exchange = self.send(case, caller)
        if exchange is None:
            return None
        error = self.verdict(exchange)
        if error is not None:
            raise noted(error)  # seen once: it stands whatever Hypothesis' replay makes of it
        return exchange.response

    def send(self, case: Case, caller: Caller, *, stateful: bool = False) -> Exchange | None:
        """Shape and send `case` as `caller`. None when it is not sent: a header-only negative case (its only
        header is X-Team-Id, which the client sets, see DROPPED_HEADERS), or a request already sent and
        passed. A case that failed before raises its violation again (Hypothesis replays failing cases; the
        target's state may have moved on, so it is not sent twice)."""
        op = openapi.operation(case.operation.label)
        if case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER):
            return None
        client = self.clients(caller)
        overrides = self.shape(case, op, caller, ids=not stateful)
        request = self.request(case, client, overrides)
        key = _fingerprint(request, caller)
        if key in self.failed and not stateful:
            raise noted(self.failed[key])
        if key in self.passed and not stateful:
            return None
        response = client.request(**request)
        RECORD.note(op.label, caller.value, response.status_code)
        created = self.track_created(op, caller, response, delete_now=not stateful,
                                     path_params=case.path_parameters or {})
        return Exchange(op, case, caller, request, response, key, created)

    def verdict(self, exchange: Exchange, *, recorder: Any = None, lifecycle: tuple[str, ...] = ()
                ) -> ContractViolation | None:
        op, case, caller, response = exchange.op, exchange.case, exchange.caller, exchange.response
        sent = Sent(caller, _positive(case), dict(exchange.request.get("params") or {}))
        findings = judge(op, case, response, sent, self.table, recorder=recorder,
                         extra_checks=STATEFUL_CHECKS if recorder is not None else (), lifecycle=lifecycle)
        if 200 <= response.status_code < 300 and op.public and (op.label, caller) not in self.probed:
            self.probed.add((op.label, caller))
            findings += ignored_auth_findings(exchange.request, self._anonymous,
                                              lambda r: self.track_created(op, caller, r))
        if not findings:
            self.passed.add(exchange.key)
            return None
        error = violation(findings, response, caller, self.harness.secrets.redactor().text)
        self.failed[exchange.key] = error
        return error

    def _anonymous(self, headers: dict[str, str]) -> httpx.Client:
        return self.harness.client("probe.no_credentials", headers=headers)

    # -- what creates made -------------------------------------------------------------------------------

    def track_created(self, op: openapi.Operation, caller: Caller, response: httpx.Response,
                      delete_now: bool = True, path_params: Mapping[str, Any] | None = None) -> str | None:
        """Delete what a generated create made: at once (caps stay free; not in a state machine, whose
        next steps use it: it calls `delete`) and at the end of the run (the factory). Returns its path."""
        known = op.operation_id in CREATED_AT or op.operation_id in IMPORTS_CONTACTS
        if not known or response.status_code not in (200, 201):
            return None
        try:
            data = response.json().get("data") or {}
        except (ValueError, AttributeError):
            return None
        owner_caller = Caller.PERSONAL if caller in (Caller.CONSOLE, Caller.ANONYMOUS) else caller
        client = self.clients(owner_caller)
        if op.operation_id in IMPORTS_CONTACTS:
            made = data.get("contactIds") if isinstance(data, dict) else None
            for contact_id in [i for i in made if isinstance(i, str)] if isinstance(made, list) else []:
                self.factory.track(client, "contact", f"/api/v1/contacts/{contact_id}", contact_id)
            return None
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            return None
        kind, template = CREATED_AT[op.operation_id]
        path = template.format(**{**(path_params or {}), "id": data["id"]})
        self.factory.track(client, kind, path, data["id"])
        if delete_now:
            self.delete(owner_caller, path)
        return path

    def delete(self, caller: Caller, path: str) -> None:
        """Delete one of the run's resources now, as the harness's own request (outside budget and evidence)."""
        client = self.clients(caller)
        with self.harness.client(client.credential, headers=dict(client.headers), auth=client.auth,
                                 housekeeping=True) as own:
            own.delete(path)


def _positive(case: Case) -> bool:
    return case.meta is None or case.meta.generation.mode.is_positive


def _case_digest(case: Case) -> str:
    """The generated case (before shaping), as a stable digest."""
    parts = [case.path_parameters, case.query, case.body]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=repr).encode("utf-8", "surrogatepass")).hexdigest()


def _fingerprint(request: dict[str, Any], caller: Caller) -> str:
    """The request as sent, as a stable digest."""
    return hashlib.sha256(json.dumps([caller.value, request], sort_keys=True, default=repr).encode()).hexdigest()

