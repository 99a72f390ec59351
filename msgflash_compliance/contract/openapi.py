"""The OpenAPI description (`openapi/msgflash-v1.yaml`), read once, and its operations as data.

The one place that parses the spec: the suites (conformance, envelopes, error codes, the key-scoping routes),
the harness's checks and the project's self-tests all ask here. Everything decided per operation comes from
the spec, never from a hand-kept list of paths: its surface, how it authenticates, which path parameters name
resources, whether its success body is a cursor page or a plain array, and which statuses it documents.
`SPEC_PATH` comes from `paths`, so this works the same from a checkout and from the installed wheel.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from msgflash_compliance.contract.paths import SPEC_PATH
from msgflash_compliance.contract.yaml_files import load_yaml

# The methods an OpenAPI path item may hold (its other keys are `parameters`, `summary`, ...).
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
PUBLIC_PREFIX = "/api/v1/"


@cache
def load_spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as handle:
        return load_yaml(handle)


def resolve(node: Any) -> Any:
    """Follow local `$ref`s until a concrete object."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = load_spec()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # template, e.g. /api/v1/contacts/{id}
    operation_id: str
    security: str | None  # "apiKey", "bearerJwt" or None (no credentials)
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    header_params: tuple[str, ...]
    has_body: bool
    documented: frozenset[str]  # response status keys as written ("200", "404", ...)
    list_shape: str | None  # "cursor" (items + nextCursor + hasMore), "array" (data is a list) or None
    items_key: str | None  # the cursor page's items property

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def public(self) -> bool:
        return self.path.startswith(PUBLIC_PREFIX)

    @property
    def success_statuses(self) -> frozenset[int]:
        return frozenset(int(s) for s in self.documented if s.startswith("2"))

    @property
    def definition(self) -> dict[str, Any]:
        """The operation object as written in the spec (summary, responses, links, ...)."""
        return load_spec()["paths"][self.path][self.method.lower()]

    def parameters(self) -> list[dict[str, Any]]:
        """Its parameters, path-level ones included, `$ref`s resolved."""
        return _parameters(load_spec()["paths"][self.path], self.definition)

    def request_body_schema(self) -> dict[str, Any]:
        """The JSON schema of its request body, the top-level `$ref` resolved."""
        return resolve(resolve(self.definition["requestBody"])["content"]["application/json"]["schema"])

    def documents(self, status: int) -> bool:
        return str(status) in self.documented or f"{str(status)[0]}XX" in self.documented

    def __str__(self) -> str:
        return self.label


def _parameters(item: dict[str, Any], operation: dict[str, Any]) -> list[dict[str, Any]]:
    return [resolve(p) for p in item.get("parameters", []) + operation.get("parameters", [])]


def _security(operation: dict[str, Any]) -> str | None:
    requirements = operation.get("security", load_spec().get("security") or [])
    names = [name for requirement in requirements for name in requirement]
    return names[0] if names else None


def _data_schema(operation: dict[str, Any]) -> dict[str, Any] | None:
    """The schema of `data` in the first documented 2xx JSON body."""
    for status, response in sorted(operation.get("responses", {}).items()):
        if not status.startswith("2"):
            continue
        content = (resolve(response).get("content") or {}).get("application/json")
        if not content:
            continue
        data = resolve(resolve(content["schema"]).get("properties", {}).get("data"))
        if isinstance(data, dict):
            return data
    return None


def _list_shape(operation: dict[str, Any]) -> tuple[str | None, str | None]:
    data = _data_schema(operation)
    if data is None:
        return None, None
    if data.get("type") == "array":
        return "array", None
    properties = dict(data.get("properties") or {})
    for part in data.get("allOf") or ():  # a page built as allOf [CursorPage, {items}]
        properties.update(resolve(part).get("properties") or {})
    if {"nextCursor", "hasMore"} <= properties.keys():
        arrays = [name for name, schema in properties.items() if resolve(schema).get("type") == "array"]
        return "cursor", arrays[0] if arrays else None
    return None, None


def _operation(method: str, path: str, item: dict[str, Any], operation: dict[str, Any]) -> Operation:
    params = _parameters(item, operation)
    shape, items_key = _list_shape(operation)
    return Operation(
        method=method.upper(),
        path=path,
        operation_id=operation["operationId"],
        security=_security(operation),
        path_params=tuple(p["name"] for p in params if p["in"] == "path"),
        query_params=tuple(p["name"] for p in params if p["in"] == "query"),
        header_params=tuple(p["name"] for p in params if p["in"] == "header"),
        has_body="requestBody" in operation,
        documented=frozenset(str(s) for s in operation.get("responses", {})),
        list_shape=shape,
        items_key=items_key,
    )


def _path_items() -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(method, path, path item, operation object) for every operation, in spec order."""
    for path, item in load_spec()["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method, path, item, operation


@cache
def operations() -> tuple[Operation, ...]:
    """Every operation of the spec, in spec order."""
    return tuple(_operation(method, path, item, operation) for method, path, item, operation in _path_items())


def operation(label: str) -> Operation:
    """The operation named like `"GET /api/v1/contacts/{id}"`."""
    for candidate in operations():
        if candidate.label == label:
            return candidate
    raise LookupError(f"no operation {label!r} in the spec")


def by_id(operation_id: str) -> Operation:
    for candidate in operations():
        if candidate.operation_id == operation_id:
            return candidate
    raise LookupError(f"no operationId {operation_id!r} in the spec")
