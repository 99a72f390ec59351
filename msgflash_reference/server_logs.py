"""The server's error log: an unhandled exception as one line, never a formatted traceback.

Why: on Python 3.11 formatting a traceback calls `ast.parse` (the `^^^^` carets), and the AST builder's
recursion counter is process-wide, not per thread. The embedded server runs in a thread of the compliance
run, where pytest parses source to report a failure at the same moment; two parses at once end pytest with
`SystemError: AST constructor recursion depth mismatch` (an INTERNALERROR that broke a fault's run). The one
line keeps what a reader needs: the exception and the innermost frame of the server that raised it.
"""

from __future__ import annotations

import logging
import os
import traceback

# Every logger that reports an exception of the server: uvicorn's ("Exception in ASGI application"), the app's
# unexpected-error handler and the messaging workers. A logger's filter does not see its children's records.
PACKAGE = "msgflash_reference"
SERVER_LOGGERS = ("uvicorn.error", "msgflash_reference", "msgflash_reference.messaging")


class OneLineExceptions(logging.Filter):
    """Folds a record's exception into its message (`Type: text at file:line`) and drops the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            frames = traceback.extract_tb(error.__traceback__)  # reads lines, parses nothing
            ours = [f for f in frames if f"{PACKAGE}{os.sep}" in f.filename] or frames
            where = f" at {ours[-1].filename}:{ours[-1].lineno}" if ours else ""
            kind = type(error)
            name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
            record.msg = f"{record.getMessage().rstrip()}: {name}: {error}{where}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


ONE_LINE_EXCEPTIONS = OneLineExceptions()


def log_exceptions_in_one_line() -> None:
    """Install the filter on the server's loggers (after uvicorn configured its logging; once each)."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if ONE_LINE_EXCEPTIONS not in logger.filters:
            logger.addFilter(ONE_LINE_EXCEPTIONS)
