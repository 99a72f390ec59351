"""Every resource kind of the public API that has an id, as data: how the isolation suite gets one (planted by
the run, or found in the workspace), where it is listed, where it is read back, and its verbs.

The verbs are not written here: they are every public operation of the spec whose path names the kind by id
(`suites.conformance.known_ids.param_kinds`), so a route added to the spec is asked for across workspaces too.
Their bodies are the harmless ones of `suites.routes`, except where a body that would change the resource
makes a wrongly accepted request visible (removing the home group's own member).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from msgflash_compliance.contract import openapi
from suites.conformance.known_ids import param_kinds
from suites.routes import HARMLESS_BODIES

WORKSPACES = ("owner", "team", "outsider")  # the owner's personal workspace, the team's, the outsider's
PAIRS = tuple((home, viewer) for home in WORKSPACES for viewer in WORKSPACES if home != viewer)
NOT_WORKSPACE_KINDS = frozenset({"team"})  # ids the console's team routes take: not a workspace's resource


def guarantee_of(home: str, viewer: str) -> str:
    """Owner ↔ team is one account's two workspaces (TEAM-10); anything ↔ outsider is another account (ERR-02)."""
    return "TEAM-10" if {home, viewer} == {"owner", "team"} else "ERR-02"


def pair_label(home: str, viewer: str) -> str:
    """`owner->team`: the owner's item, asked for by the team."""
    return f"{home}->{viewer}"


@dataclass(frozen=True)
class Listing:
    path: str
    items_key: str | None  # None: `data` is the array itself
    paging: str  # "cursor" (limit + cursor), "pages" (page + limit + totalPages) or "none"
    search: bool = False  # takes `search`: the item is also looked for by its name


@dataclass(frozen=True)
class Verb:
    name: str  # "read", "update", "members-add", "cancel", ...
    operation: openapi.Operation
    param: str  # the path parameter naming the item

    @property
    def method(self) -> str:
        return self.operation.method

    @property
    def writes(self) -> bool:
        """Whether a wrongly served request could change the item (then it is read back afterwards)."""
        return self.method != "GET" and self.operation.operation_id not in RENDERING_POSTS

    @property
    def deletes_item(self) -> bool:
        return self.method == "DELETE" and self.operation.path.endswith("{" + self.param + "}")

    def path(self, item_id: str) -> str:
        return self.operation.path.replace("{" + self.param + "}", item_id)

    def body(self, name: Callable[[str], str], item: Any) -> dict[str, Any] | None:
        if not self.operation.has_body:
            return None
        special = TELLING_BODIES.get(self.operation.operation_id)
        return special(item) if special else HARMLESS_BODIES[self.operation.operation_id](name)


RENDERING_POSTS = frozenset({"previewTemplate"})  # a POST that only renders: nothing to read back
# Bodies that would visibly change the home item if the foreign request were wrongly served.
TELLING_BODIES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "removeGroupMembers": lambda item: {"contactIds": [item.related["member"]]},
}


@dataclass(frozen=True)
class Kind:
    name: str  # plural, as in test ids and fault names: "templates", "bulk-jobs"
    id_kind: str  # the kind `param_kinds` gives its path parameter: "template", "job"
    origin: str  # "planted" (the run makes one) or "found" (the workspace's own, e.g. seeded instances)
    listing: Listing | None  # None: the API has no list of this kind
    read_back: str | None  # GET of the item by id; None: read back from its listing (webhooks)

    @property
    def verbs(self) -> tuple[Verb, ...]:
        return verbs_of(self.id_kind)


KINDS: tuple[Kind, ...] = (
    Kind("contacts", "contact", "planted", Listing("/api/v1/contacts", "contacts", "cursor", search=True),
         "/api/v1/contacts/{id}"),
    Kind("groups", "group", "planted", Listing("/api/v1/contacts/groups", "groups", "cursor", search=True),
         "/api/v1/contacts/groups/{id}"),
    Kind("templates", "template", "planted", Listing("/api/v1/templates", "templates", "pages"),
         "/api/v1/templates/{id}"),
    Kind("messages", "message", "found", Listing("/api/v1/messages", "messages", "cursor"), "/api/v1/messages/{id}"),
    Kind("campaigns", "campaign", "planted", None, "/api/v1/campaigns/{id}"),
    Kind("webhooks", "webhook", "planted", Listing("/api/v1/webhooks", None, "none"), None),
    Kind("bulk-jobs", "job", "planted", Listing("/api/v1/contacts/bulk-jobs", "jobs", "cursor"),
         "/api/v1/contacts/bulk-jobs/{id}"),
    Kind("number-lookups", "lookup", "planted", Listing("/api/v1/number-lookups", "lookups", "cursor"),
         "/api/v1/number-lookups/{id}"),
    Kind("instances", "instance", "found", Listing("/api/v1/instances", None, "none"), "/api/v1/instances/{id}"),
)
KIND_BY_NAME = {kind.name: kind for kind in KINDS}

_METHOD_WORDS = {"GET": "read", "POST": "add", "PUT": "update", "PATCH": "update", "DELETE": "remove"}
_ITEM_VERBS = {"GET": "read", "PUT": "update", "PATCH": "update", "DELETE": "delete"}


def _by_id_operations() -> list[tuple[openapi.Operation, str, str]]:
    """(operation, parameter, kind) for every public operation naming a workspace resource by id."""
    return [(op, param, kind) for op in openapi.operations() if op.public
            for param, kind in param_kinds(op).items() if kind not in NOT_WORKSPACE_KINDS]


@cache
def verbs_of(id_kind: str) -> tuple[Verb, ...]:
    """The kind's by-id operations, named: the item itself by method (read, update, delete), a sub-route by its
    last segment (progress, cancel, ...), with the method when the sub-route has several (members-add)."""
    found = [(op, param) for op, param, kind in _by_id_operations() if kind == id_kind]
    tails = [op.path.split("{" + param + "}", 1)[1].strip("/") for op, param in found]
    verbs = []
    for (op, param), tail in zip(found, tails, strict=True):
        if not tail:
            name = _ITEM_VERBS[op.method]
        elif tails.count(tail) > 1:
            name = f"{tail}-{_METHOD_WORDS[op.method]}"
        else:
            name = tail
        verbs.append(Verb(name, op, param))
    return tuple(verbs)


def _check_every_kind_is_described() -> None:
    described = {kind.id_kind for kind in KINDS}
    missing = sorted({kind for _, _, kind in _by_id_operations()} - described)
    if missing:
        raise LookupError(f"the spec names {missing} by id but suites/isolation/kinds.py does not describe them: "
                          "add a Kind (how to plant or find one, its listing, its read-back)")


_check_every_kind_is_described()
