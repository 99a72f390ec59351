"""Request bodies of /api/billing/*."""

from __future__ import annotations

from pydantic import Field

from msgflash_reference.bodies import StrictBody


class CheckoutBody(StrictBody):
    planCode: str = Field(min_length=1, max_length=50)


class DowngradeBody(StrictBody):
    plan: str = Field(min_length=1, max_length=50)
