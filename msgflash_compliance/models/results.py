"""The stream of per-test results the pytest plugin writes and the reports read (JSON lines).

One `TestResult` line per collected test (`deselected` ones included, so a report can tell "not selected" from
"no test"), then one `RunFacts` line with what the session knew about itself.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

Outcome = Literal["passed", "failed", "broken", "skipped", "not_covered", "deselected"]
OUTCOMES: tuple[Outcome, ...] = ("passed", "failed", "broken", "skipped", "not_covered", "deselected")
NOT_RUN = "not run: "  # starts the message of a selected test the session stopped before (broken)


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest test class

    nodeid: str
    guarantees: tuple[str, ...]
    outcome: Outcome
    failed_guarantees: tuple[str, ...] = ()  # on `failed`: the IDs the violation named (others: not checked)
    duration: float = 0.0
    message: str = ""  # redacted: failure message, skip reason, or an INFO observation
    observation: bool = False  # an INFO check that saw the target differ (reported, never failed)


@dataclass(frozen=True)
class RunFacts:
    requests: int = 0
    paced_requests: dict[str, int] = field(default_factory=dict)  # per credential label (never a secret)
    pace_rate: float = 0.0  # requests per second per credential the harness kept to
    interrupted: bool = False
    stop_reason: str | None = None
    cleanup_problems: tuple[str, ...] = ()
    collection_errors: int = 0


@dataclass
class ResultStream:
    results: list[TestResult] = field(default_factory=list)
    facts: RunFacts = field(default_factory=RunFacts)


def write_stream(path: Path, stream: ResultStream) -> None:
    with path.open("w", encoding="utf-8") as out:
        for result in stream.results:
            out.write(json.dumps({"type": "test", **asdict(result)}) + "\n")
        out.write(json.dumps({"type": "run", **asdict(stream.facts)}) + "\n")


def read_stream(path: Path) -> ResultStream:
    stream = ResultStream()
    if not path.exists():
        return stream
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        kind = record.pop("type")
        if kind == "test":
            record["guarantees"] = tuple(record["guarantees"])
            record["failed_guarantees"] = tuple(record["failed_guarantees"])
            stream.results.append(TestResult(**record))
        elif kind == "run":
            record["cleanup_problems"] = tuple(record["cleanup_problems"])
            stream.facts = RunFacts(**record)
    return stream
