"""How a send or schedule turns its `instanceId` into the workspace's instance: `svc.policies.instance_reference`
(a UUID, 400 VALIDATION_ERROR otherwise, then the ownership policy's 404). Faults: `faults/request_bodies.py`.
"""

from __future__ import annotations

import sqlite3

from msgflash_reference.ids import parse_id


class InstanceReference:
    """`instanceId` is the instance's id: parsed with the body (400 before any 403/404), resolved in the transaction."""

    def parse(self, raw: str | None) -> str | None:
        return parse_id(raw or "", "instanceId")

    def resolve(self, conn: sqlite3.Connection, workspace_id: str, ref: str | None) -> str:
        """The id to load (the ownership policy then answers 404 for one the workspace does not have)."""
        return ref or ""
