"""Request bodies of /api/v1/contacts/groups: the spec types description and color as strings, so a null is
refused like any other wrong type (leave the field out instead)."""

from __future__ import annotations

from pydantic import Field

from msgflash_reference.bodies import NonNullBody

HEX_COLOR = r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"


class GroupCreate(NonNullBody):
    name: str = Field(min_length=1)
    description: str | None = Field(default=None)
    color: str | None = Field(default=None, pattern=HEX_COLOR)


class GroupUpdate(NonNullBody):
    name: str | None = Field(default=None, min_length=1)
    description: str | None = Field(default=None)
    color: str | None = Field(default=None, pattern=HEX_COLOR)
