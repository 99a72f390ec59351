"""A run in lanes keeps one pace per key and one request budget, whichever process sends
(`fixtures.shared_numbers`, `TokenBucket(shared=...)`, `RequestBudget(shared=...)`)."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest

from fixtures.errors import BudgetExhausted
from fixtures.shared_numbers import SharedNumbers
from fixtures.throttle import BucketRegistry
from fixtures.transports import RequestBudget

RATE = 20.0
PER_PROCESS = 20  # enough that the control's half-time stands clear of a loaded machine's noise


def _take(folder: str, shared: bool, start: float) -> None:
    buckets = BucketRegistry(RATE, shared_dir=Path(folder) if shared else None)
    while time.monotonic() < start:  # both processes begin together
        time.sleep(0.001)
    for _ in range(PER_PROCESS):
        buckets.bucket("owner.api_key").acquire()
    buckets.close()


def _two_processes(folder: Path, shared: bool) -> float:
    context = multiprocessing.get_context("spawn")
    start = time.monotonic() + 3.0  # past the children's start-up, also on a loaded machine
    workers = [context.Process(target=_take, args=(str(folder), shared, start)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    return time.monotonic() - start


def test_two_processes_share_one_key_pace(tmp_path: Path) -> None:
    """40 requests at 20/s take at least 39 / 20 s together (the first is free); each process's own bucket
    (the positive control) lets them finish in about half that (19 / 20 s): below the midpoint of the two."""
    shared = _two_processes(tmp_path, shared=True)
    alone = _two_processes(tmp_path / "unused", shared=False)
    assert shared >= (2 * PER_PROCESS - 1) / RATE - 0.02, shared
    assert alone < ((PER_PROCESS - 1) / RATE + (2 * PER_PROCESS - 1) / RATE) / 2, alone


def test_the_request_budget_counts_every_process(tmp_path: Path) -> None:
    first = RequestBudget(5, shared=SharedNumbers(tmp_path / "requests.count", (0.0,)))
    second = RequestBudget(5, shared=SharedNumbers(tmp_path / "requests.count", (0.0,)))
    for _ in range(3):
        first.spend()
    second.spend()
    second.spend()
    with pytest.raises(BudgetExhausted):
        first.spend()
    assert (first.sent, second.sent) == (3, 2)


def test_a_shared_number_starts_at_its_initial_value_and_keeps_changes(tmp_path: Path) -> None:
    numbers = SharedNumbers(tmp_path / "n", (1.5, 2.5))
    with numbers.change() as values:
        assert values == [1.5, 2.5]
        values[0] += 1
    again = SharedNumbers(tmp_path / "n", (0.0, 0.0))
    with again.change() as values:
        assert values == [2.5, 2.5]
    numbers.close()
    again.close()
