"""Real ids for generated path parameters, so that generated requests reach 2xx answers too.

A random UUID in a path is a documented 404; that checks the 404 but never the success body. For every path
parameter naming a kind of resource, `KnownIds` holds ids of the caller's workspace: resources the run makes
itself (prefixed, deleted at the end: contacts, groups, templates, webhooks, a bulk job, and with
`allow_send` a campaign and a number lookup) or reads (seeded messages and instances, the profile's team).
Operations that use a resource up (its DELETE, a cancel) get their own disposable ones, so they never take
away the ones other operations read.

`substitute(case, ...)` swaps a known id into about half of the positive cases: whether it does is a function of
the generated value, so Hypothesis' replay of a case sends the same request.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import SecretStr

from fixtures.errors import HarnessError, NotCovered
from fixtures.factories import DataFactory
from msgflash_compliance.contract.openapi import Operation
from suites.conformance.plan import Caller

# Path segment before a parameter → the kind of resource it names.
KIND_OF_SEGMENT = {
    "contacts": "contact", "groups": "group", "templates": "template", "webhooks": "webhook",
    "messages": "message", "instances": "instance", "bulk-jobs": "job", "campaigns": "campaign",
    "number-lookups": "lookup", "teams": "team",
}
# Body fields naming a resource of the workspace (sends, campaigns, lookups, previews) → its kind.
KIND_OF_BODY_FIELD = {"instanceId": "instance", "contactId": "contact", "templateId": "template", "groupId": "group"}
ASYNC_LOOKUP_SIZE = 150  # numbers in a lookup that runs asynchronously (and so can be cancelled)
JOB_SIZE = 100  # ids in a bulk delete: at 100 the delete runs as a job (CNT-07)
LONG_JOB_SIZE = 10_000  # the most a bulk delete takes: a job that is still running when it is cancelled


def param_kinds(op: Operation) -> dict[str, str]:
    """{path parameter: resource kind} for the parameters naming a resource."""
    segments = op.path.strip("/").split("/")
    found = {}
    for index, segment in enumerate(segments):
        if segment.startswith("{") and index > 0 and segments[index - 1] in KIND_OF_SEGMENT:
            found[segment.strip("{}")] = KIND_OF_SEGMENT[segments[index - 1]]
    return found


def _later(days: int = 30) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class KnownIds:
    """Lazily built pools of ids per (caller, kind, disposable)."""

    clients: Callable[[Caller], Any]  # Caller -> HarnessClient
    factory: DataFactory
    team_id: str | None
    allow_send: bool
    # the owner's console e-mail and password (a SecretStr: Hypothesis prints this object into failure reports)
    login: tuple[str, SecretStr] | None = field(default=None, repr=False)
    sandbox: bool = False  # the target has /__sandbox/ (its outbox yields e-mail tokens)
    pools: dict[tuple[Caller, str, bool], list[str]] = field(default_factory=dict)
    problems: dict[tuple[Caller, str], str] = field(default_factory=dict)
    _mail_user: str | None = None

    def ids(self, caller: Caller, kind: str, disposable: bool) -> list[str]:
        key = (caller, kind, disposable)
        if key not in self.pools:
            try:
                self.pools[key] = self._make(caller, kind, disposable)
            except (HarnessError, AssertionError, NotCovered, KeyError, ValueError, TypeError) as err:
                self.pools[key] = []  # the route may not exist yet; the random ids still check its 404
                self.problems[(caller, kind)] = f"{err.__class__.__name__}: {str(err)[:200]}"
        return self.pools[key]

    def _make(self, caller: Caller, kind: str, disposable: bool) -> list[str]:
        if caller == Caller.CONSOLE:
            return [self.team_id] if kind == "team" and self.team_id else []
        if caller not in (Caller.PERSONAL, Caller.TEAM):
            return []
        client = self.clients(caller)
        makers: dict[str, Callable[[], str | None]] = {
            "contact": lambda: self.factory.contact(client)["id"],
            "group": lambda: self.factory.group(client)["id"],
            "template": lambda: self.factory.template(client)["id"],
            "webhook": lambda: self.factory.webhook(client)["id"],
            "message": lambda: _first_id(client.get("/api/v1/messages", params={"limit": 1}), "messages"),
            "instance": lambda: _first_id(client.get("/api/v1/instances"), None),
            "job": lambda: self._job(client, LONG_JOB_SIZE if disposable else JOB_SIZE),
            "campaign": lambda: self._campaign(caller, client) if self.allow_send else None,
            "lookup": lambda: self._lookup(caller, client, ASYNC_LOOKUP_SIZE if disposable else 1)
            if self.allow_send else None,
        }
        made = makers[kind]() if kind in makers else None
        return [made] if made else []

    def _job(self, client: httpx.Client, size: int) -> str | None:
        body = {"contactIds": [str(uuid.uuid4()) for _ in range(size)]}  # ids of nothing: deletes nothing
        data = (client.post("/api/v1/contacts/bulk-delete", json=body).json() or {}).get("data") or {}
        return data.get("jobId")

    def _campaign(self, caller: Caller, client: httpx.Client) -> str | None:
        instances = self.ids(caller, "instance", False)
        contacts = self.ids(caller, "contact", False)
        if not instances or not contacts:
            return None
        body = {"instanceId": instances[0], "name": self.factory.name("campaign"), "schedule": _later(),
                "recipients": {"type": "explicit", "value": contacts[:1]}, "type": "text", "body": "Hello"}
        data = (client.post("/api/v1/campaigns", json=body).json() or {}).get("data") or {}
        return data.get("id")

    def _lookup(self, caller: Caller, client: httpx.Client, size: int) -> str | None:
        instances = self.ids(caller, "instance", False)
        if not instances:
            return None
        body = {"instanceId": instances[0], "numbers": [self.factory.phone() for _ in range(size)]}
        data = (client.post("/api/v1/number-lookups", json=body).json() or {}).get("data") or {}
        return data.get("lookupId") or data.get("id")

    def substitute(self, case: Any, op: Operation, caller: Caller, *, force: bool = False) -> dict[str, str]:
        """Put known ids into about half of a positive case's path ids (into all of them with `force`);
        returns what was swapped.

        Whether a case gets one is decided by a digest of the whole case (the coverage phase reuses one
        path id for all its cases), so Hypothesis' replay of a case makes the same choice."""
        swapped: dict[str, str] = {}
        for name, kind in param_kinds(op).items():
            value = (case.path_parameters or {}).get(name)
            if _as_uuid(value) is None:
                continue
            digest = choice_digest(value, case.query, case.body)
            if digest % 2 and not force:
                continue
            pool = self.ids(caller, kind, consumes(op))
            if pool:
                case.path_parameters[name] = pool[digest // 2 % len(pool)]
                swapped[name] = case.path_parameters[name]
        return swapped

    def substitute_body(self, case: Any, caller: Caller, *, force: bool = False) -> None:
        """Put the workspace's own instance, contact, template and group ids into a positive body's id fields
        (top level and `recipients`), about half the time (always with `force`)."""
        body = case.body
        if not isinstance(body, dict) or (choice_digest("body", body) % 2 and not force):
            return
        containers = [body] + [v for v in body.values() if isinstance(v, dict)]
        for container in containers:
            for name, kind in KIND_OF_BODY_FIELD.items():
                if _as_uuid(container.get(name)) is not None:
                    pool = self.ids(caller, kind, False)
                    if pool:
                        container[name] = pool[0]
            recipients = container.get("value")
            if container is not body and container.get("type") == "explicit" and isinstance(recipients, list):
                contacts = self.ids(caller, "contact", False)
                if contacts and recipients and all(_as_uuid(r) for r in recipients):
                    container["value"] = contacts[:1]

    # -- console auth: real credentials and e-mail tokens -------------------------------------------------

    def console_values(self, op: Operation) -> tuple[dict[str, str], dict[str, str]]:
        """(query, body) values that make a console auth operation succeed: the owner's login, and on a
        sandbox the tokens of a prefixed account's verification and reset mails."""
        if op.operation_id == "consoleLogin" and self.login:
            return {}, {"email": self.login[0], "password": self.login[1].get_secret_value()}
        kind = {"consoleValidateVerificationToken": "verify_email", "consoleVerifyEmail": "verify_email",
                "consoleValidateResetToken": "reset_password", "consoleResetPassword": "reset_password",
                }.get(op.operation_id)
        token = self._mail_token(kind) if kind and self.sandbox else None
        if token is None:
            return {}, {}
        if op.method == "GET":
            return {"token": token}, {}
        return {}, {"token": token}

    def _mail_token(self, kind: str) -> str | None:
        key = (Caller.ANONYMOUS, kind, False)
        if key not in self.pools:
            try:
                self.pools[key] = [t for t in [self._fetch_token(kind)] if t]
            except (HarnessError, KeyError, ValueError, TypeError, AttributeError) as err:
                self.pools[key] = []
                self.problems[(Caller.ANONYMOUS, kind)] = f"{err.__class__.__name__}: {str(err)[:200]}"
        return self.pools[key][0] if self.pools[key] else None

    def _fetch_token(self, kind: str) -> str | None:
        anonymous = self.clients(Caller.ANONYMOUS)
        if self._mail_user is None:
            email = f"{self.factory.name('console')}@example.com"
            anonymous.post("/api/auth/signup", json={"email": email, "password": uuid.uuid4().hex,
                                                     "fullName": self.factory.name("user")})
            self._mail_user = email
        if kind == "reset_password":
            anonymous.post("/api/auth/forgot-password", json={"email": self._mail_user})
        mails = anonymous.get("/__sandbox/outbox", params={"email": self._mail_user, "kind": kind}).json()["data"]
        return mails[0]["token"] if mails else None


def choice_digest(*parts: Any) -> int:
    text = json.dumps(parts, sort_keys=True, default=repr)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:8], "big")


def consumes(op: Operation) -> bool:
    """Whether a success uses the resource up (a DELETE of it, a cancel): such operations get their own."""
    return (op.method == "DELETE" and op.path.endswith("}")) or op.path.endswith("/cancel")


def _as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if isinstance(value, str) and len(value) == 36 else None
    except ValueError:
        return None


def _first_id(response: httpx.Response, items_key: str | None) -> str | None:
    if response.status_code != 200:
        return None
    data = (response.json() or {}).get("data")
    items = data.get(items_key) if items_key and isinstance(data, dict) else data
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0].get("id")
    return None
