"""The fault registry and the reference server's module tree keep their shape: every fault lives in an area
module of `msgflash_reference/faults/`, once; every area module is registered; the policy set has a typed field
per seam (no catch-all); the package has no import cycle and imports nothing of the checker."""

from __future__ import annotations

import ast
import dataclasses
import pkgutil
from pathlib import Path

import yaml

import msgflash_reference
import msgflash_reference.faults as faults_package
from msgflash_reference.faults import AREAS, all_faults, build_policies
from msgflash_reference.faults.fault import Fault
from msgflash_reference.policies import Policies

PACKAGE_DIR = Path(msgflash_reference.__file__).parent
CATALOG = Path(__file__).resolve().parents[2] / "openapi" / "guarantees.yaml"
CHECKER_PACKAGES = ("msgflash_compliance", "fixtures", "suites")
NOT_AREAS = {"fault"}  # the Fault type and the swap helper


def test_every_area_module_is_registered() -> None:
    on_disk = {m.name for m in pkgutil.iter_modules(faults_package.__path__)} - NOT_AREAS
    assert {m.__name__.rsplit(".", 1)[1] for m in AREAS} == on_disk


def test_every_fault_lives_in_one_area_module_once() -> None:
    seen: dict[str, str] = {}
    for area in AREAS:
        assert area.__name__.startswith("msgflash_reference.faults."), area.__name__
        for fault in area.FAULTS:
            assert isinstance(fault, Fault), (area.__name__, fault)
            assert fault.name not in seen, (fault.name, seen.get(fault.name), area.__name__)
            seen[fault.name] = area.__name__
    assert set(seen) == set(all_faults())


def test_every_fault_names_known_guarantees_and_applies() -> None:
    known = {g["id"] for g in yaml.safe_load(CATALOG.read_text(encoding="utf-8"))["guarantees"]}
    for fault in all_faults().values():
        assert fault.name == fault.name.strip().lower() and " " not in fault.name, fault.name
        assert fault.breaks and set(fault.breaks) <= known, (fault.name, set(fault.breaks) - known)
        assert fault.summary.strip(), fault.name
        assert isinstance(build_policies([fault.name]), Policies), fault.name


def test_policies_have_a_typed_field_per_seam() -> None:
    fields = {f.name: f.type for f in dataclasses.fields(Policies)}
    assert "extra" not in fields
    assert all(t not in ("Any", "Mapping[str, Any]", "object") for t in fields.values()), fields


def _imports() -> dict[str, set[str]]:
    """module -> the msgflash_reference / checker modules it imports (any level: top, function, TYPE_CHECKING)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE_DIR.rglob("*.py"):
        parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets.add(node.module)
                targets.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[module] = targets
    return graph


def test_the_reference_imports_nothing_of_the_checker() -> None:
    offenders = {
        (module, target)
        for module, targets in _imports().items()
        for target in targets
        if target.split(".")[0] in CHECKER_PACKAGES
    }
    assert not offenders


def test_no_import_cycle_inside_the_reference() -> None:
    graph = _imports()
    edges = {m: {t for t in targets if t in graph and t != m} for m, targets in graph.items()}
    # importing a package's submodule runs the package first, but that is no edge of its own: leave parents out
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(module: str, path: list[str]) -> bool:
        state[module] = 1
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                cycle.extend([*path[path.index(target):], target] if target in path else [module, target])
                return True
            if target not in state and visit(target, [*path, target]):
                return True
        state[module] = 2
        return False

    for module in sorted(edges):
        if module not in state and visit(module, [module]):
            break
    assert not cycle, " -> ".join(cycle)
