"""What the console's API-key lists show of a key (AUTH-13): `svc.policies.key_list_view`.

Faults: `faults/api_keys.py`.
"""

from __future__ import annotations

from typing import Any


class KeyListView:
    """The console key lists' items (GET /api/api-keys, GET /api/teams/:id/api-keys): the stored row's view,
    never the secret (AUTH-13). `issued` hears of every secret the create routes return, `provisioned` of the
    keys issued outside them (the seed's keys: those an account had before the run); the default keeps
    nothing."""

    def issued(self, key_id: str, secret: str) -> None:
        return None

    def provisioned(self, key_id: str, secret: str) -> None:
        return None

    def listed(self, view: dict[str, Any]) -> dict[str, Any]:
        return view

    def usage_listed(self, view: dict[str, Any]) -> dict[str, Any]:
        """A row of GET /api/api-keys/usage: the list's view plus the counters."""
        return self.listed(view)
