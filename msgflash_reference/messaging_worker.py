"""One background thread for the messaging area: message delivery, number lookups, campaign runs.

Started and stopped with the app through the lifespan of the `messages_send` router (FastAPI merges router
lifespans into the app's), so nothing in `app.py` beyond including the router. Each step is one short write
transaction; a failing step is logged and retried on the next tick, never fatal. Work is kept in the database
(`message_deliveries`, open `number_lookups`, due `campaigns`), so it resumes after a restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from msgflash_reference.campaign_runner import advance_campaigns
from msgflash_reference.delivery import advance_deliveries
from msgflash_reference.lookups import advance_lookups
from msgflash_reference.services import Services

log = logging.getLogger("msgflash_reference.messaging")

TICK_SECONDS = 0.025  # pause after a step that found work
IDLE_SECONDS = 0.05  # pause when nothing was due


class MessagingWorker:
    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.steps: tuple[Callable[[Services], bool], ...] = (advance_deliveries, advance_lookups, advance_campaigns)

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="msgflash-messaging", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def run_once(self) -> bool:
        """Every step once; True when one of them found work."""
        worked = False
        for step in self.steps:
            if self._stop.is_set():
                break
            try:
                worked = step(self.svc) or worked
            except Exception:  # a bad row must not stop the simulator; the step is retried next tick
                log.exception("messaging worker step %s failed", step.__name__)
        return worked

    def _run(self) -> None:
        while not self._stop.is_set():
            self._stop.wait(TICK_SECONDS if self.run_once() else IDLE_SECONDS)


@asynccontextmanager
async def messaging_lifespan(app: FastAPI) -> AsyncIterator[None]:
    worker = MessagingWorker(app.state.services)
    app.state.messaging_worker = worker
    worker.start()
    try:
        yield
    finally:
        worker.stop()
