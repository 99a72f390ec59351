"""Routing details: the `{name:rid}` path convertor, and the methods a path offers (for 405 + Allow, G15).

`rid` matches one path segment except the literal sub-resources that live next to `{id}` routes
(`/contacts/groups`, `/contacts/bulk-delete`, `/messages/send`, ...), so a wrong method on those answers 405
instead of being taken for an id.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from starlette.convertors import Convertor, register_url_convertor
from starlette.routing import Match
from starlette.types import Scope

RESERVED_SEGMENTS = (
    "groups",
    "bulk-delete",
    "bulk-jobs",
    "send",
    "schedule",
    "usage",
    "invitations",
    "members",
)


class ResourceIdConvertor(Convertor[str]):
    regex = "(?!(?:" + "|".join(RESERVED_SEGMENTS) + ")(?:/|$))[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("rid", ResourceIdConvertor())


def _flatten(routes: Iterable[Any]) -> Iterator[Any]:
    """Routes of included routers too (FastAPI wraps each included router; ours carry no prefix)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flatten(inner.routes)
        else:
            yield route


def allowed_methods(routes: Iterable[Any], scope: Scope) -> list[str]:
    """Every method some route offers for this path (Starlette alone reports only the first route's)."""
    probe = {**scope, "type": "http"}
    methods: set[str] = set()
    for route in _flatten(routes):
        route_methods = getattr(route, "methods", None)
        if not route_methods:
            continue
        match, _ = route.matches(probe)
        if match != Match.NONE:
            methods |= set(route_methods)
    methods.discard("HEAD")
    return sorted(methods)
