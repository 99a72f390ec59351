"""Running matrix cells: send one harmless request per (route, situation) and judge it.

`KeyMatrix.sweep(situations)` enumerates every cell of the given situations **route by route** (each route
asked in every situation before the next route). The harness paces each credential at the target's per-key
rate, so interleaving the situations' credentials lets them share the wall time: the whole matrix costs about
what its busiest key costs (the owner's personal key, asked twice per route), not the sum over situations.
The outcomes are kept, and each situation's test judges its own cells, so each guarantee gets its own
verdict.

`KeyMatrix.cell(...)` runs one cell now (the Hypothesis-driven checks use it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import httpx

from fixtures.checks import error_of, json_body
from fixtures.errors import ContractViolation, NotCovered
from fixtures.factories import DataFactory
from suites.key_scoping.expectations import Mismatch, expected, judge
from suites.key_scoping.situations import KeyRing, Situation
from suites.routes import Route

SAME_MESSAGE_SITUATIONS = frozenset({
    Situation.TEAM_NO_ID, Situation.TEAM_OTHER_TEAM_ID, Situation.TEAM_RANDOM_ID,
})


@dataclass
class SituationRecord:
    mismatches: list[Mismatch] = field(default_factory=list)
    cells: int = 0
    stopped_by: BaseException | None = None  # a harness error or not-covered: re-raised in the test


class KeyMatrix:
    def __init__(self, ring: KeyRing, factory: DataFactory, routes: tuple[Route, ...]) -> None:
        self.ring = ring
        self.factory = factory
        self.routes = routes
        self.records: dict[Situation, SituationRecord] = {}
        self._invalid_key_messages: dict[str, str | None] = {}

    # -- one cell --------------------------------------------------------------------------------------

    def send(self, situation: Situation, route: Route, variant: str | None = None) -> httpx.Response:
        client = self.ring.client(situation, variant)
        request = route.request(self.factory.name)
        response = client.request(request.method, request.path, json=request.json)
        self._track_created(client, route, response)
        if situation == Situation.UNKNOWN_KEY and variant is None:
            self._invalid_key_messages[route.label] = _message(response)
        return response

    def invalid_key_message(self, route: Route) -> str | None:
        """The message a never-issued well-formed key gets on this route (TEAM-02/03 compare with it)."""
        if route.label not in self._invalid_key_messages:
            self.send(Situation.UNKNOWN_KEY, route)
        return self._invalid_key_messages[route.label]

    def cell(self, situation: Situation, route: Route, variant: str | None = None) -> Mismatch | None:
        want = expected(route, situation)
        response = self.send(situation, route, variant)
        reference = None
        if want.same_message_as_invalid_key and response.status_code == 401:
            reference = self.invalid_key_message(route)
        found = judge(response, want, reference)
        if found is None:
            return None
        shown = f"{situation}" + (f" [{variant}]" if variant else "")
        return Mismatch(found.guarantee, f"{shown}: {found.message}")

    def _track_created(self, client: httpx.Client, route: Route, response: httpx.Response) -> None:
        """A create that succeeded (for an accepted key, or wrongly for a refused one) is deleted at the
        end."""
        if route.creates is None or not 200 <= response.status_code < 300:
            return
        body = json_body(response)
        data = body.get("data") if isinstance(body, dict) else None
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            kind, delete_template = route.creates
            self.factory.track(client, kind, delete_template.format(id=data["id"]), data["id"])  # type: ignore[arg-type]

    # -- the full enumeration --------------------------------------------------------------------------

    def sweep(self, situations: Iterable[Situation]) -> None:
        """Every route in every situation not swept yet, route by route; outcomes kept per situation."""
        pending = [s for s in situations if s not in self.records]
        for situation in pending:
            self.records[situation] = SituationRecord()
        if any(s in SAME_MESSAGE_SITUATIONS for s in pending) and Situation.UNKNOWN_KEY not in pending:
            pending.insert(0, Situation.UNKNOWN_KEY)  # asked first per route: the message to compare with
            self.records.setdefault(Situation.UNKNOWN_KEY, SituationRecord())
        for route in self.routes:
            for situation in pending:
                record = self.records[situation]
                if record.stopped_by is not None:
                    continue
                try:
                    found = self.cell(situation, route)
                except NotCovered as err:
                    record.stopped_by = err
                    continue
                except Exception as err:  # re-raised by the situation's test: a harness error breaks it only
                    record.stopped_by = err
                    continue
                record.cells += 1
                if found is not None:
                    record.mismatches.append(found)

    def verdict(self, situation: Situation) -> None:
        """Raise what the sweep found for this situation: its harness error, or one violation listing every
        wrong cell (naming each guarantee they break)."""
        record = self.records[situation]
        if record.stopped_by is not None:
            raise record.stopped_by
        raise_mismatches(record.mismatches)


def raise_mismatches(mismatches: list[Mismatch]) -> None:
    if not mismatches:
        return
    guarantees = sorted({m.guarantee for m in mismatches})
    lines = [f"{len(mismatches)} cell(s) answered against the contract:"]
    lines += [f"- [{m.guarantee}] {m.message}" for m in mismatches]
    raise ContractViolation("\n".join(lines), guarantees)


def _message(response: httpx.Response) -> str | None:
    error = error_of(response)
    message = error.get("message") if error else None
    return message if isinstance(message, str) else None
