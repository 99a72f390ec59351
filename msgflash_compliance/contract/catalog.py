"""The guarantee catalog (`openapi/guarantees.yaml`) as typed, validated, read-only data."""

from __future__ import annotations

import argparse
import difflib
import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, field_validator, model_validator

from msgflash_compliance.contract.paths import CATALOG_PATH
from msgflash_compliance.contract.settings import ContractSettings
from msgflash_compliance.contract.yaml_files import load_yaml
from msgflash_compliance.errors import UsageError

DOCS_PREFIX = "https://docs.msgflash.com/"
SECONDARY_MARK = "[S]"
AREAS: tuple[str, ...] = (
    "AUTH", "TEAM", "INV", "ROLE", "BILL", "PLAN", "ENV", "ERR", "RATE", "PAGE", "MSG", "STAT", "TPL", "CMP",
    "CNT", "GRP", "JOB", "WH", "INST", "MEDIA", "LKP",
)
ID_PATTERN = re.compile(r"^([A-Z]+)-(\d{2})$")

Level = Literal["MUST", "SHOULD", "INFO"]
Scope = Literal["black-box", "sandbox", "out"]


class CatalogError(ValueError):
    """The catalog file itself is wrong: a project bug, not a target's fault."""


class UnknownGuarantee(KeyError):
    """`Catalog.get` on an ID the catalog lacks; the message names the nearest IDs."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0])


class Expected(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    status: int | None  # None: the docs promise no single status (e.g. "2xx", "404 or 405")
    code: str | None  # error.code, None when there is none or it is undocumented
    text: str = ""  # the catalog's own wording of the expectation, for reports


class Guarantee(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    area: str
    level: Level
    statement: str
    precondition: str
    request: str
    expected: Expected
    sources: tuple[str, ...]
    doc_url: str | None
    setting: str | None
    ambiguity: str | None
    scope: Scope
    out_reason: str | None = None
    checked_by: tuple[str, ...] = ()

    @field_validator("sources")
    @classmethod
    def _sources_are_docs_or_secondary(cls, sources: tuple[str, ...]) -> tuple[str, ...]:
        for source in sources:
            if not (source.startswith(DOCS_PREFIX) or source.startswith(SECONDARY_MARK)):
                raise ValueError(
                    f"source {source!r} is neither a {DOCS_PREFIX} URL nor marked {SECONDARY_MARK}"
                )
        return sources

    @field_validator("setting")
    @classmethod
    def _setting_exists(cls, setting: str | None) -> str | None:
        if setting is not None and setting not in ContractSettings.model_fields:
            valid = ", ".join(ContractSettings.model_fields)
            raise ValueError(f"setting {setting!r} is not a contract setting (valid: {valid})")
        return setting

    @model_validator(mode="after")
    def _consistent(self) -> Guarantee:
        match = ID_PATTERN.match(self.id)
        if not match or match.group(1) != self.area or self.area not in AREAS:
            raise ValueError(f"id {self.id!r} must be AREA-NN with AREA == area {self.area!r} in {AREAS}")
        if "\n" in self.statement or not self.statement.strip():
            raise ValueError("statement must be one non-empty line")
        first_doc = next((s for s in self.sources if s.startswith(DOCS_PREFIX)), None)
        if self.doc_url != first_doc:
            raise ValueError(f"doc_url must be the first docs source ({first_doc!r}), got {self.doc_url!r}")
        if (self.scope == "out") != bool(self.out_reason):
            raise ValueError("out_reason is required exactly when scope is 'out'")
        return self


class Catalog(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    guarantees: tuple[Guarantee, ...]
    _by_id: dict[str, Guarantee] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _unique_ids(self) -> Catalog:
        seen: dict[str, Guarantee] = {}
        duplicates: set[str] = set()
        for guarantee in self.guarantees:
            if guarantee.id in seen:
                duplicates.add(guarantee.id)
            seen.setdefault(guarantee.id, guarantee)
        if duplicates:
            raise ValueError(f"duplicate guarantee ids: {', '.join(sorted(duplicates))}")
        self._by_id = seen
        return self

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.guarantees)

    def get(self, guarantee_id: str) -> Guarantee:
        try:
            return self._by_id[guarantee_id]
        except KeyError:
            wanted = guarantee_id.strip().upper()
            padded = re.sub(r"-(\d)$", r"-0\1", wanted)  # "TEAM-4" most likely means TEAM-04
            near = [padded] if padded in self._by_id else []
            close = difflib.get_close_matches(wanted, self._by_id, n=5, cutoff=0.6)
            near += [i for i in close if i not in near]
            hint = f"; nearest: {', '.join(near)}" if near else ""
            raise UnknownGuarantee(f"no guarantee {guarantee_id!r} in the catalog{hint}") from None

    def __contains__(self, guarantee_id: object) -> bool:
        return guarantee_id in self._by_id

    def __iter__(self) -> Iterator[Guarantee]:  # type: ignore[override]  # iterate guarantees, not fields
        return iter(self.guarantees)

    def __len__(self) -> int:
        return len(self.guarantees)

    def by_area(self, area: str) -> tuple[Guarantee, ...]:
        if area not in AREAS:
            raise UnknownGuarantee(f"no area {area!r} (valid: {', '.join(AREAS)})")
        return tuple(g for g in self.guarantees if g.area == area)


def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """Parse and validate the catalog file; cached per resolved path (the result is immutable)."""
    return _load_catalog(Path(path).resolve())


@functools.lru_cache(maxsize=8)
def _load_catalog(path: Path) -> Catalog:
    try:
        document = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise CatalogError(f"cannot read the guarantee catalog {path}: {err}") from err
    try:
        return Catalog.model_validate(document)
    except ValidationError as err:
        problems = "; ".join(_locate(document, e) for e in err.errors(include_url=False))
        raise CatalogError(f"invalid guarantee catalog {path}: {problems}") from None


def _locate(document: object, error: dict) -> str:
    """Name the guarantee by ID rather than by list index, so the message points at the YAML entry."""
    loc = list(error.get("loc", ()))
    if len(loc) >= 2 and loc[0] == "guarantees" and isinstance(loc[1], int) and isinstance(document, dict):
        entry = document["guarantees"][loc[1]]
        loc[1] = entry.get("id", loc[1]) if isinstance(entry, dict) else loc[1]
    return f"{'.'.join(str(p) for p in loc)}: {error.get('msg')}"


def catalog_command(args: argparse.Namespace) -> int:
    """`msgflash-compliance catalog [--json] [--area AREA]`: per guarantee, ID, level, scope (black-box: any
    target; sandbox: the reference server's controls only; out: not checkable) and statement, then its doc link."""
    catalog = load_catalog()
    area = getattr(args, "area", None)
    if area:
        if area.upper() not in AREAS:
            raise UsageError(f"unknown area {area!r}; valid areas: {', '.join(AREAS)}")
        selected = catalog.by_area(area.upper())
    else:
        selected = catalog.guarantees
    if getattr(args, "json", False):
        print(json.dumps([g.model_dump(mode="json") for g in selected], indent=2, ensure_ascii=False))
    else:
        width = max((len(g.id) for g in selected), default=0)
        for g in selected:
            print(f"{g.id:<{width}}  {g.level:<6}  {g.scope:<9}  {g.statement}")
            print(f"{'':<{width}}  {describe_sources(g)}")
    return 0


def describe_sources(guarantee: Guarantee) -> str:
    """The second line of `catalog`'s text output: where the docs say it (and why it is out of scope)."""
    docs = f"docs: {guarantee.doc_url}" if guarantee.doc_url else "docs: none (secondary sources only)"
    return docs + (f"; out of scope: {guarantee.out_reason}" if guarantee.out_reason else "")
