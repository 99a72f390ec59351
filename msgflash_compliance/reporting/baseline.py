"""Known deviations (`run --baseline FILE`): failures a team has accepted for now, so the gate stays useful.

The file is TOML, one `[[known]]` table per accepted failure:

    [[known]]
    guarantee = "AUTH-01"                  # a catalog ID
    reason = "vendor ticket 1234: 403 instead of 401"
    link = "https://tracker.example/1234"  # optional
    expires = 2027-03-31                   # optional (a TOML date or "YYYY-MM-DD"); from that day on it fails again

A failed guarantee with a live entry becomes `known`: reported and counted on its own, not failing the gate.
An expired entry changes nothing (the guarantee fails as before) and is flagged; an entry whose guarantee now
passes is flagged `stale` (remove it). A file that cannot be read is a usage error (exit 2, one line).
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from msgflash_compliance.errors import UsageError
from msgflash_compliance.reporting.verdicts import VERDICTS, GuaranteeVerdict, count_verdicts

KNOWN = "known"
REPORTED_VERDICTS = (*VERDICTS, KNOWN)
_FIELDS = {"guarantee", "reason", "link", "expires"}


@dataclass(frozen=True)
class KnownDeviation:
    guarantee: str
    reason: str
    link: str | None = None
    expires: date | None = None

    def expired(self, today: date) -> bool:
        return self.expires is not None and today >= self.expires

    def describe(self) -> str:
        text = self.reason + (f" ({self.link})" if self.link else "")
        return text + (f", until {self.expires.isoformat()}" if self.expires else "")


@dataclass(frozen=True)
class BaselineOutcome:
    path: str
    known: tuple[str, ...] = ()  # failed guarantees the baseline accepted
    expired: tuple[str, ...] = ()  # failed, the entry past its date: they fail the gate
    stale: tuple[str, ...] = ()  # the entry's guarantee passed: the entry can go

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "known": list(self.known), "expired": list(self.expired),
                "stale": list(self.stale)}


def load_baseline(path: Path, known_ids: Iterable[str]) -> list[KnownDeviation]:
    """Parse and check the file; any problem is one `UsageError` line naming the file and the entry."""
    catalog_ids = set(known_ids)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise UsageError(f"baseline {path}: cannot read it ({err.strerror or err.__class__.__name__})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise UsageError(f"baseline {path}: not valid TOML ({err})") from None
    unknown_keys = set(document) - {"known"}
    if unknown_keys:
        raise UsageError(f"baseline {path}: unknown top-level key {sorted(unknown_keys)[0]!r} "
                         "(expected [[known]] tables)")
    entries = document.get("known", [])
    if not isinstance(entries, list):
        raise UsageError(f"baseline {path}: `known` must be [[known]] tables")
    deviations: list[KnownDeviation] = []
    for number, entry in enumerate(entries, start=1):
        deviations.append(_entry(path, number, entry, catalog_ids))
    seen: set[str] = set()
    for deviation in deviations:
        if deviation.guarantee in seen:
            raise UsageError(f"baseline {path}: {deviation.guarantee} is listed twice")
        seen.add(deviation.guarantee)
    return deviations


def _entry(path: Path, number: int, entry: object, catalog_ids: set[str]) -> KnownDeviation:
    where = f"baseline {path}: [[known]] #{number}"
    if not isinstance(entry, dict):
        raise UsageError(f"{where}: not a table")
    extra = set(entry) - _FIELDS
    if extra:
        raise UsageError(f"{where}: unknown field {sorted(extra)[0]!r} (fields: guarantee, reason, link, expires)")
    guarantee, reason, link = entry.get("guarantee"), entry.get("reason"), entry.get("link")
    if not isinstance(guarantee, str) or not guarantee:
        raise UsageError(f"{where}: `guarantee` (a catalog ID) is required")
    if guarantee not in catalog_ids:
        raise UsageError(f"{where}: unknown guarantee {guarantee!r}")
    if not isinstance(reason, str) or not reason.strip():
        raise UsageError(f"{where} ({guarantee}): `reason` is required")
    if link is not None and not isinstance(link, str):
        raise UsageError(f"{where} ({guarantee}): `link` must be a string")
    return KnownDeviation(guarantee, reason.strip(), link, _expires(where, guarantee, entry.get("expires")))


def _expires(where: str, guarantee: str, value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise UsageError(f"{where} ({guarantee}): `expires` must be a date YYYY-MM-DD, got {value!r}")


def apply_baseline(verdicts: list[GuaranteeVerdict], deviations: list[KnownDeviation], today: date,
                   path: str) -> tuple[list[GuaranteeVerdict], BaselineOutcome]:
    """Failed guarantees with a live entry → `known`; expired and stale entries are flagged in the notes."""
    by_id = {d.guarantee: d for d in deviations}
    applied: list[GuaranteeVerdict] = []
    known, expired, stale = [], [], []
    for verdict in verdicts:
        deviation = by_id.get(verdict.id)
        if deviation is None:
            applied.append(verdict)
        elif verdict.verdict == "failed" and not deviation.expired(today):
            known.append(verdict.id)
            note = f"known deviation (baseline): {deviation.describe()}"
            applied.append(dataclasses.replace(verdict, verdict=KNOWN, notes=(note, *verdict.notes)))  # type: ignore[arg-type]
        elif verdict.verdict == "failed":
            expired.append(verdict.id)
            note = f"baseline entry expired on {deviation.expires}: {deviation.reason}"
            applied.append(dataclasses.replace(verdict, notes=(note, *verdict.notes)))
        elif verdict.verdict == "passed":
            stale.append(verdict.id)
            note = f"stale baseline entry: it passes now, remove it ({deviation.reason})"
            applied.append(dataclasses.replace(verdict, notes=(*verdict.notes, note)))
        else:
            applied.append(verdict)  # not checked this run (skipped, broken, not covered): nothing to say
    return applied, BaselineOutcome(path, tuple(known), tuple(expired), tuple(stale))


def count_reported(verdicts: Iterable[GuaranteeVerdict]) -> dict[str, int]:
    """Verdict counts with `known` counted on its own (never inside `failed`)."""
    verdicts = list(verdicts)
    return {**count_verdicts(verdicts), KNOWN: sum(v.verdict == KNOWN for v in verdicts)}
