"""Public billing views (`/api/v1/billing/*` and `/api/v1/usage`, facts §4.1 and §11.2) as one swappable policy:
`svc.policies.public_billing`.

`routes/billing.py` and `routes/account.py` build every public billing answer through it: the plan catalogue,
the subscription overview, the usage summary (and its legacy alias), the payments page, and the answer to a
write method on a billing path (not offered: the app's 405 with `Allow`, G15 and decisions #9). The console
billing routes keep calling `billing_views` directly, so a fault here (`faults/public_billing.py`) is a bug of
the public API only.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from msgflash_reference.billing_views import payments_page, plans_list, subscription_overview, usage_summary
from msgflash_reference.server_parts import ServerParts

if TYPE_CHECKING:
    pass

LIMIT_FIELDS = ("maxInstances", "maxApiKeys", "maxWebhookEndpoints", "monthlyOutboundQuota", "monthlyApiRequestQuota")


@dataclass(frozen=True)
class PublicBillingViews:
    def plans(self, svc: ServerParts) -> list[dict[str, Any]]:
        return plans_list(svc)

    def subscription(self, conn: sqlite3.Connection, svc: ServerParts, owner_id: str, now: datetime) -> dict[str, Any]:
        return subscription_overview(conn, svc, owner_id, now)

    def usage(self, conn: sqlite3.Connection, svc: ServerParts, owner_id: str, now: datetime) -> dict[str, Any]:
        return usage_summary(conn, svc, owner_id, now)

    def legacy_usage(self, conn: sqlite3.Connection, svc: ServerParts, owner_id: str, now: datetime) -> dict[str, Any]:
        """`GET /api/v1/usage`: the same body as `/api/v1/billing/usage` (BILL-07)."""
        return self.usage(conn, svc, owner_id, now)

    def payments(
        self, conn: sqlite3.Connection, svc: ServerParts, owner_id: str, page: str | None, limit: str | None
    ) -> dict[str, Any]:
        return payments_page(conn, svc, owner_id, page, limit)

    def write(self, request: Request, svc: ServerParts) -> Response:
        """A write method on a public billing path: public billing is read-only (BILL-13). Raising the
        framework's 405 lets the app answer it like any other wrong method (envelope and `Allow`)."""
        raise StarletteHTTPException(status_code=405)
