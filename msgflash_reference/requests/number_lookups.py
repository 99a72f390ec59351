"""Request bodies of /api/v1/number-lookups."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from msgflash_reference.message_content import NonNullBody


class LookupCreate(NonNullBody):
    instanceId: str
    numbers: list[str] = Field(min_length=1, max_length=10_000)


class ImportBody(BaseModel):
    """Open object (the spec documents `tag` only): other fields are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")
    tag: str | None = Field(default=None, min_length=1)

    @field_validator("tag", mode="before")
    @classmethod
    def _tag_not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null (leave the field out instead)")
        return value
