"""Lanes forked from a warm interpreter (`msgflash_compliance.warm_start`): each child is a pytest session of its
own, as a fresh `python -m pytest` would be: its own process and session, its own random draws, its log, its exit
status, its signals."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from msgflash_compliance.lanes import lane_environment
from msgflash_compliance.warm_start import Started, WarmStarter

SESSION_FACTS = """
import os, random

def test_facts():
    with open(os.environ["FACTS_DIR"] + f"/{os.getpid()}", "w") as out:
        out.write(f"{os.getsid(0)} {os.getppid()} {random.random()}")

def test_outcome():
    assert os.environ.get("FAIL") != "1"
"""

WAITS = """
import time

def test_waits():
    time.sleep(30)
"""


def _wait(started: Started, seconds: float = 60.0) -> int:
    deadline = time.monotonic() + seconds
    while started.poll() is None:
        assert time.monotonic() < deadline, f"lane {started.pid} did not end"
        time.sleep(0.05)
    return started.poll()  # type: ignore[return-value]


def _args(test_file: Path) -> list[str]:
    return [str(test_file), "-v", "-p", "no:cacheprovider", "--rootdir", str(test_file.parent)]


@pytest.fixture
def starter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WarmStarter]:
    monkeypatch.setenv("FACTS_DIR", str(tmp_path))
    server = WarmStarter(lane_environment(), tmp_path)
    yield server
    server.close()


def test_each_lane_is_a_session_of_its_own_with_its_own_random_draws_log_and_exit(
        tmp_path: Path, starter: WarmStarter) -> None:
    (tmp_path / "test_facts.py").write_text(SESSION_FACTS, encoding="utf-8")
    lanes = [starter.start(_args(tmp_path / "test_facts.py"), tmp_path / f"lane-{n}.log") for n in (1, 2)]
    assert all(lane is not None for lane in lanes), "the warm server started no lane"
    codes = [_wait(lane) for lane in lanes]  # type: ignore[arg-type]
    assert codes == [0, 0], [(tmp_path / f"lane-{n}.log").read_text() for n in (1, 2)]
    facts = {int(path.name): path.read_text().split() for path in tmp_path.iterdir() if path.name.isdigit()}
    assert sorted(facts) == sorted(lane.pid for lane in lanes)  # type: ignore[union-attr]
    for pid, (sid, parent, _) in facts.items():
        assert int(sid) == pid, "a lane is not its own session (a terminal's Ctrl-C would reach it directly)"
        assert int(parent) != os.getpid(), "the lane was not forked by the warm server"
    assert len({draw for _, _, draw in facts.values()}) == 2, "two lanes drew the same random numbers"
    assert "2 passed" in (tmp_path / "lane-1.log").read_text()


def test_a_failing_lane_and_a_signalled_lane_report_as_pytest_exits(tmp_path: Path, starter: WarmStarter) -> None:
    (tmp_path / "test_fails.py").write_text("def test_fails():\n    assert 1 == 2\n", encoding="utf-8")
    (tmp_path / "test_waits.py").write_text(WAITS, encoding="utf-8")
    failing = starter.start(_args(tmp_path / "test_fails.py"), tmp_path / "failing.log")
    waiting = starter.start(_args(tmp_path / "test_waits.py"), tmp_path / "waiting.log")
    assert failing is not None and waiting is not None
    assert _wait(failing) == pytest.ExitCode.TESTS_FAILED, (tmp_path / "failing.log").read_text()
    assert "assert 1 == 2" in (tmp_path / "failing.log").read_text(), "the lane's asserts were not rewritten"
    deadline = time.monotonic() + 30
    while "test_waits.py" not in (tmp_path / "waiting.log").read_text():  # pytest is in the test's sleep
        assert time.monotonic() < deadline, "the waiting lane never started its test"
        time.sleep(0.05)
    os.kill(waiting.pid, signal.SIGINT)
    assert _wait(waiting) == pytest.ExitCode.INTERRUPTED, (tmp_path / "waiting.log").read_text()


def test_without_its_server_a_start_is_refused_and_a_running_lane_is_still_seen_ending(
        tmp_path: Path, starter: WarmStarter) -> None:
    (tmp_path / "test_waits.py").write_text(WAITS, encoding="utf-8")
    waiting = starter.start(_args(tmp_path / "test_waits.py"), tmp_path / "waiting.log")
    assert waiting is not None
    starter._process.kill()  # the server dies; its lane lives on, orphaned
    deadline = time.monotonic() + 10
    while starter.start(_args(tmp_path / "test_waits.py"), tmp_path / "other.log") is not None:
        assert time.monotonic() < deadline, "a start was accepted by a dead server"
    assert waiting.poll() is None, "a lane still running was reported ended"
    os.kill(waiting.pid, signal.SIGKILL)
    assert _wait(waiting, 10) != 0


def test_a_start_not_answered_in_time_ends_the_server_so_no_late_lane_is_taken_for_another(
        tmp_path: Path, starter: WarmStarter) -> None:
    """The server answers starts in order: a start given up on (timeout) and answered later would hand its pid to
    the next start, and its lane would run beside the fresh interpreter started in its place. So a start not
    answered in time ends the server: every later start is refused (the caller starts fresh interpreters), and
    the given-up lane never starts. (Asked at once, the server is still importing its libraries.)"""
    (tmp_path / "test_facts.py").write_text(SESSION_FACTS, encoding="utf-8")
    assert starter.start(_args(tmp_path / "test_facts.py"), tmp_path / "late.log", timeout=0.0) is None
    assert starter.start(_args(tmp_path / "test_facts.py"), tmp_path / "next.log") is None, \
        "a start after a given-up one was answered (with the given-up lane's pid, or by a server kept running)"
    time.sleep(3.0)  # longer than the server's imports: a lane it still forked would have opened its log by now
    assert not (tmp_path / "late.log").exists() and not (tmp_path / "next.log").exists()
