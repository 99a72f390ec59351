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

    @property
    def violated(self) -> tuple[str, ...]:
        """The guarantees this test saw violated: on `failed`, those its violation named (all of its own when
        it named none); the others it stopped before finishing."""
        if self.outcome != "failed":
            return ()
        return self.failed_guarantees or self.guarantees


@dataclass(frozen=True)
class RunFacts:
    requests: int = 0
    paced_requests: dict[str, int] = field(default_factory=dict)  # per credential label (never a secret)
    pace_rate: float = 0.0  # requests per second per API key the harness kept to
    console_pace_rate: float = 0.0  # ... per credential the docs give no limit (`profile.paced_as_console`)
    interrupted: bool = False
    stop_reason: str | None = None
    cleanup_problems: tuple[str, ...] = ()
    collection_errors: int = 0
    secret_leaks: tuple[str, ...] = ()  # a lane's own scan: "<label> in <file>" (scrubbed already)


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
            record["secret_leaks"] = tuple(record.get("secret_leaks", ()))
            stream.facts = RunFacts(**record)
    return stream


def merge_streams(streams: list[ResultStream]) -> ResultStream:
    """One run's stream from its lanes' (`msgflash_compliance.lanes`): a test checked in one lane and deselected
    or never run in the others counts once, as checked; requests add up, per credential too (the lanes share
    the keys)."""
    chosen: dict[str, TestResult] = {}
    for stream in streams:
        for result in stream.results:
            if result.nodeid not in chosen or _weight(result) > _weight(chosen[result.nodeid]):
                chosen[result.nodeid] = result
    paced: dict[str, int] = {}
    for stream in streams:
        for label, count in stream.facts.paced_requests.items():
            paced[label] = paced.get(label, 0) + count
    facts = [stream.facts for stream in streams]
    return ResultStream(
        results=list(chosen.values()),
        facts=RunFacts(
            requests=sum(f.requests for f in facts),
            paced_requests=dict(sorted(paced.items())),
            pace_rate=max((f.pace_rate for f in facts), default=0.0),
            console_pace_rate=max((f.console_pace_rate for f in facts), default=0.0),
            interrupted=any(f.interrupted for f in facts),
            stop_reason=next((f.stop_reason for f in facts if f.stop_reason), None),
            cleanup_problems=tuple(p for f in facts for p in f.cleanup_problems),
            collection_errors=max((f.collection_errors for f in facts), default=0),
            secret_leaks=tuple(leak for f in facts for leak in f.secret_leaks),
        ),
    )


def _weight(result: TestResult) -> int:
    """Which of a test's results a merged stream keeps: what a check found, over "not run", over "deselected"."""
    if result.outcome == "deselected":
        return 0
    return 1 if result.outcome == "broken" and result.message.startswith(NOT_RUN) else 2
