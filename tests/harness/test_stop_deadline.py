"""The stop switch's deadline: a first signal that meets no request boundary within the grace raises the run's
KeyboardInterrupt in the main thread (so cleanup runs), and is never taken for a second signal (exit at once)."""

from __future__ import annotations

import os
import signal
import time

import pytest

from msgflash_compliance.interrupts import StopRequests


def test_the_deadline_raises_in_the_main_thread_and_is_no_second_signal() -> None:
    stop = StopRequests(grace=0.2)
    assert stop.install(), "the test runs in the main thread"
    try:
        with pytest.raises(KeyboardInterrupt, match="SIGINT"):
            os.kill(os.getpid(), signal.SIGINT)  # the first signal: noted, nothing raised where it lands
            time.sleep(5)  # a check busy without a request (Hypothesis generating): the deadline ends it
        assert stop.requested == "SIGINT"
    finally:
        stop.uninstall()
