"""Resource ids: UUID v4 strings (G1). A malformed id is a 400, an unknown one a 404."""

from __future__ import annotations

import re
import uuid

from msgflash_reference.errors import invalid_field

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def new_id() -> str:
    return str(uuid.uuid4())


def is_uuid(value: str) -> bool:
    return bool(UUID_RE.match(value))


def parse_id(value: str, field: str = "id") -> str:
    """The canonical (lowercase) form of a UUID from a path or query; 400 VALIDATION_ERROR when malformed."""
    if not is_uuid(value):
        raise invalid_field(field, "must be a UUID")
    return value.lower()
