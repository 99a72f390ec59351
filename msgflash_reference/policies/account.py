"""The answers of the account routes (`/api/v1/me`): `svc.policies.account_answers`. Faults:
`faults/envelopes.py` (the success envelope, ENV-01).
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from msgflash_reference.envelopes import ok


class AccountAnswers:
    """The success answer of GET /api/v1/me: the account view in the `data` envelope."""

    def me(self, view: dict[str, Any]) -> JSONResponse:
        return ok(view)
