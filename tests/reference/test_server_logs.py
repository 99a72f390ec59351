"""The server logs an unhandled exception as one line (msgflash_reference/server_logs.py): formatting a
traceback parses source (`ast.parse`), which on Python 3.11 is not safe beside pytest in another thread."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from msgflash_reference.server_logs import SERVER_LOGGERS
from tests.reference.harness import api, start_server


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _crashes(seen: Records) -> list[logging.LogRecord]:
    return [r for r in list(seen.records) if "binascii.Error" in r.getMessage()]


def test_a_crash_is_logged_in_one_line_naming_the_servers_frame(tmp_path: Path) -> None:
    seen = Records()
    loggers = [logging.getLogger(name) for name in SERVER_LOGGERS]
    server = start_server(tmp_path, "unissued-cursor-crashes")  # a cursor it never issued: a 500
    for logger in loggers:
        logger.addHandler(seen)
    try:
        assert api(server, "owner").get("/api/v1/contacts", params={"cursor": "0"}).status_code == 500
        # uvicorn logs after the 500 went out (Starlette re-raises once it answered): wait for its line
        deadline = time.monotonic() + 10
        while len(_crashes(seen)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.stop()
        for logger in loggers:
            logger.removeHandler(seen)
    crashes = _crashes(seen)
    assert {r.name for r in crashes} == {"msgflash_reference", "uvicorn.error"}  # the app's handler, uvicorn's
    for record in crashes:
        assert record.exc_info is None and record.exc_text is None
        assert "msgflash_reference/faults/pagination.py:" in record.getMessage()
