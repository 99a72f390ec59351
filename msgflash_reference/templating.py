"""Template placeholders (facts §11.5): `{{namespace.field}}` with the namespaces contact, user, instance, custom.

`placeholders(body)` validates a body and lists its placeholders in order of first appearance (the template's
`variables`); a malformed placeholder, an unknown namespace or an unbalanced `{{`/`}}` is 400 TEMPLATE_INVALID.
`render(body, context)` fills them: `contact.*` from the contact (name, firstName, lastName, phone, id, and any
key of its `meta`), `user.*` from the sending account (fullName, firstName, lastName, email, phone,
displayName, id), `instance.*` from the instance (name, waNumber, phone, status, id), `custom.*` from the
request's `variables`. Inner spaces are allowed (`{{ contact.name }}`); field paths may be dotted
(`{{custom.order.id}}` reads `variables.order.id`).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from msgflash_reference.errors import ApiError

NAMESPACES = ("contact", "user", "instance", "custom")
_PLACEHOLDER_RE = re.compile(r"\{\{(.*?)\}\}", re.S)
_NAME_RE = re.compile(r"^(contact|user|instance|custom)\.[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")


def template_invalid(message: str) -> ApiError:
    return ApiError("TEMPLATE_INVALID", message)


def placeholders(body: str | None) -> list[str]:
    """The placeholders of `body`, unique, in order of first appearance; 400 TEMPLATE_INVALID when malformed."""
    if not body:
        return []
    found: list[str] = []
    for match in _PLACEHOLDER_RE.finditer(body):
        name = match.group(1).strip()
        if not _NAME_RE.match(name):
            shown = name if len(name) <= 60 else name[:57] + "..."
            raise template_invalid(
                f"Invalid placeholder {{{{{shown}}}}}: use {{{{namespace.field}}}} with one of "
                + ", ".join(f"{n}.*" for n in NAMESPACES)
            )
        if name not in found:
            found.append(name)
    rest = _PLACEHOLDER_RE.sub("", body)
    if "{{" in rest or "}}" in rest:
        raise template_invalid("Unbalanced placeholder braces: every {{ needs a matching }}")
    return found


@dataclass(frozen=True)
class RenderContext:
    """What a rendering may read; a namespace left None is unavailable (its placeholders stay missing)."""

    contact: Mapping[str, Any] | None = None
    user: Mapping[str, Any] | None = None
    instance: Mapping[str, Any] | None = None
    custom: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rendering:
    text: str
    variables: list[str]
    missing: list[str]

    @property
    def complete(self) -> bool:
        return not self.missing


def _format(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _lookup(context: RenderContext, name: str) -> str | None:
    namespace, _, path = name.partition(".")
    current: Any = {
        "contact": context.contact,
        "user": context.user,
        "instance": context.instance,
        "custom": context.custom,
    }[namespace]
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return _format(current)


def render(body: str | None, context: RenderContext) -> Rendering:
    """Fill every placeholder it can; the others stay as written and are listed in `missing`."""
    names = placeholders(body)
    if not body:
        return Rendering(body or "", names, [])
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        value = _lookup(context, name)
        if value is None:
            if name not in missing:
                missing.append(name)
            return match.group(0)
        return value

    return Rendering(_PLACEHOLDER_RE.sub(fill, body), names, missing)


def uses_namespace(names: list[str], namespace: str) -> bool:
    return any(n.split(".", 1)[0] == namespace for n in names)


# -- contexts from rows --------------------------------------------------------------------------------
def _split_name(full: str | None) -> tuple[str | None, str | None]:
    if not full or not full.strip():
        return None, None
    first, _, last = full.strip().partition(" ")
    return first, (last.strip() or None)


def contact_context(row: sqlite3.Row) -> dict[str, Any]:
    meta = json.loads(row["meta"]) if row["meta"] else {}
    first, last = _split_name(row["name"])
    fields = {"id": row["id"], "name": row["name"], "firstName": first, "lastName": last, "phone": row["phone"]}
    extra = meta if isinstance(meta, dict) else {}
    return {**extra, **fields, "meta": extra}


def user_context(row: sqlite3.Row | None) -> dict[str, Any] | None:
    if row is None:
        return None
    first, last = _split_name(row["full_name"])
    return {
        "id": row["id"],
        "fullName": row["full_name"],
        "firstName": first,
        "lastName": last,
        "email": row["email"],
        "phone": row["phone"],
        "displayName": row["display_name"],
    }


def instance_context(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "waNumber": row["wa_number"],
        "phone": row["wa_number"],
        "status": row["status"],
    }
