"""The contract's public `/api/v1` routes, each with its kind and a harmless request, read from the OpenAPI
description so that a route added to the spec is checked (or, for a write, refused at import until it has a
harmless body below).

Route kinds (facts §2.1, `openapi/reference-choices.md`): a **workspace** route is team-aware (a team key with
its `X-Team-Id` works; a personal key with `X-Team-Id` gets 403 TEAM_KEY_REQUIRED); a **personal-only** route
(`/me`, `/usage`, billing reads) refuses team keys with 403 TEAM_KEY_NOT_ALLOWED; the **open** route
(`/billing/plans`) takes both. The spec says which in each operation's summary ("personal key only",
"team keys allowed"); everything else is a workspace route.

A harmless request never sends a message and never touches data that is not the run's own: path ids are
fresh random UUIDs (so a reachable route answers 404), sends and lookups name an instance that does not exist,
and the few creates make prefixed data (`creates` says what to delete afterwards).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any

from msgflash_compliance.contract import openapi

PERSONAL_ONLY_MARK = "personal key only"
OPEN_MARK = "team keys allowed"


class RouteKind(StrEnum):
    WORKSPACE = "workspace"
    PERSONAL_ONLY = "personal-only"
    OPEN = "open"


Namer = Callable[[str], str]  # kind -> a fresh prefixed name (DataFactory.name)
BodyMaker = Callable[[Namer], dict[str, Any]]


def _random_id() -> str:
    return str(uuid.uuid4())


def _phone() -> str:
    return "+3361" + uuid.uuid4().int.__str__()[:7]


def _later(days: int = 30) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _text_message(name: Namer) -> dict[str, Any]:
    # An instance that does not exist: the send can only be refused (404), never delivered.
    return {"instanceId": _random_id(), "to": _phone(), "type": "text", "text": name("message")}


# Harmless bodies by operationId. An operation of the spec with a request body missing here fails the import
# (see _route); operations without one send no body (their harm is bounded by the random path id).
HARMLESS_BODIES: dict[str, BodyMaker] = {
    "sendMessage": _text_message,
    "scheduleMessage": lambda name: {**_text_message(name), "scheduledAt": _later()},
    "publishStatus": lambda name: {"instanceId": _random_id(), "type": "text", "content": name("status")},
    "createTemplate": lambda name: {"name": name("template"), "type": "text", "body": "Hello"},
    "updateTemplate": lambda name: {"name": name("template")},
    "previewTemplate": lambda name: {"variables": {}},
    "createCampaign": lambda name: {
        "instanceId": _random_id(), "name": name("campaign"), "schedule": _later(),
        "recipients": {"type": "explicit", "value": [_random_id()]}, "type": "text", "body": "Hello",
    },
    "createContact": lambda name: {"name": name("contact"), "phone": _phone()},
    "updateContact": lambda name: {"name": name("contact")},
    "bulkDeleteContacts": lambda name: {"contactIds": [_random_id()]},
    "createContactGroup": lambda name: {"name": name("group")},
    "updateContactGroup": lambda name: {"name": name("group")},
    "addGroupMembers": lambda name: {"contactIds": [_random_id()]},
    "removeGroupMembers": lambda name: {"contactIds": [_random_id()]},
    "createWebhook": lambda name: {
        "url": f"https://example.invalid/{name('webhook')}", "events": ["message.delivered"],
    },
    "createNumberLookup": lambda name: {"instanceId": _random_id(), "numbers": [_phone()]},
    "importNumberLookupContacts": lambda name: {"tag": name("lookup")},
}

# Creates that succeed for an accepted key: what they make and where it is deleted ({id} from data.id).
CREATES: dict[str, tuple[str, str]] = {
    "createTemplate": ("template", "/api/v1/templates/{id}"),
    "createContact": ("contact", "/api/v1/contacts/{id}"),
    "createContactGroup": ("group", "/api/v1/contacts/groups/{id}"),
    "createWebhook": ("webhook", "/api/v1/webhooks/{id}"),
}


@dataclass(frozen=True)
class HarmlessRequest:
    method: str
    path: str
    json: dict[str, Any] | None


@dataclass(frozen=True)
class Route:
    method: str  # upper case
    template: str  # e.g. /api/v1/contacts/{id}
    operation_id: str
    kind: RouteKind
    body: BodyMaker | None  # None: the operation takes no request body
    creates: tuple[str, str] | None = None  # (resource kind, delete path template)

    @property
    def label(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def write(self) -> bool:
        return self.method != "GET"

    def request(self, name: Namer) -> HarmlessRequest:
        """A fresh harmless request: new random ids in the path, a new prefixed body."""
        path = self.template
        while "{" in path:
            start, end = path.index("{"), path.index("}")
            path = path[:start] + _random_id() + path[end + 1:]
        return HarmlessRequest(self.method, path, self.body(name) if self.body else None)

    def __str__(self) -> str:
        return self.label


def _kind(operation: dict[str, Any]) -> RouteKind:
    summary = str(operation.get("summary", "")).lower()
    if PERSONAL_ONLY_MARK in summary:
        return RouteKind.PERSONAL_ONLY
    if OPEN_MARK in summary:
        return RouteKind.OPEN
    return RouteKind.WORKSPACE


def _route(op: openapi.Operation) -> Route:
    body = None
    if op.has_body:
        if op.operation_id not in HARMLESS_BODIES:
            raise LookupError(
                f"{op.label} ({op.operation_id}) is in the spec but suites/routes.py has no "
                "harmless body for it: add one to HARMLESS_BODIES"
            )
        body = HARMLESS_BODIES[op.operation_id]
    return Route(op.method, op.path, op.operation_id, _kind(op.definition), body, CREATES.get(op.operation_id))


@cache
def public_routes() -> tuple[Route, ...]:
    """Every `/api/v1` operation of the spec, in spec order."""
    return tuple(_route(op) for op in openapi.operations() if op.public)


def routes_of(kind: RouteKind) -> tuple[Route, ...]:
    return tuple(r for r in public_routes() if r.kind == kind)


def route(label: str) -> Route:
    """The route named like `"GET /api/v1/me"`."""
    for candidate in public_routes():
        if candidate.label == label:
            return candidate
    raise LookupError(f"no route {label!r} in the spec")
