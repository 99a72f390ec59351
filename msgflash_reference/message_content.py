"""Send / schedule request bodies (facts §11.3) and what a message carries once composed.

Body rules ("depends on type"): `text` needs `text`; image, video, audio, document and voice_note need
`mediaUrl`; location needs `latitude` and `longitude`; contact needs `contactId` (the shared contact);
buttons needs `title`, `description` and 1–2 `buttons`. Exactly one of `type` (direct mode) and
`templateId` (template mode). Violations are 400 VALIDATION_ERROR with `details`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from msgflash_reference.bodies import NonNullBody
from msgflash_reference.clock import parse_iso
from msgflash_reference.errors import ApiError, invalid_field, validation_error

MessageType = Literal["text", "image", "video", "audio", "document", "voice_note", "location", "contact", "buttons"]
ButtonType = Literal["reply", "copy", "url", "call", "pix"]
MEDIA_TYPES = frozenset({"image", "video", "audio", "document", "voice_note"})
# RFC 3339 date-time (the spec's `format: date-time`), with a zone; any year 0001-9999 (G29: a time in the past
# is due at once, one beyond 9999 UTC after its offset is the far future).
TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
# G32: no field has a length limit of its own (the docs give none); the body size bounds a request.
MAX_BUTTONS = 2


# Fields each button type needs besides its type (facts §11.3).
BUTTON_FIELDS: dict[str, tuple[str, ...]] = {
    "reply": ("displayText", "id"),
    "copy": ("displayText", "copyCode"),
    "url": ("displayText", "url"),
    "call": ("displayText", "phoneNumber"),
    "pix": ("currency", "name", "keyType", "key"),
}


class ButtonBody(NonNullBody):
    """One button; its type is named `type` (schedule example) or `title` (send snippet) — both accepted."""

    type: ButtonType | None = None
    title: ButtonType | None = None
    displayText: str | None = Field(default=None)
    id: str | None = Field(default=None)
    url: str | None = Field(default=None)
    phoneNumber: str | None = Field(default=None)
    copyCode: str | None = Field(default=None)
    currency: str | None = Field(default=None)
    name: str | None = Field(default=None)
    keyType: str | None = Field(default=None)
    key: str | None = Field(default=None)

    @model_validator(mode="after")
    def _type_and_fields(self) -> ButtonBody:
        if self.type is None and self.title is None:
            raise ValueError("a button needs its type (`type`, or `title` as in the send snippet)")
        if self.type is not None and self.title is not None and self.type != self.title:
            raise ValueError("`type` and `title` name different button types")
        kind = self.button_type
        missing = [name for name in BUTTON_FIELDS[kind] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {kind} button needs {', '.join(missing)}")
        return self

    @property
    def button_type(self) -> str:
        return str(self.type or self.title)

    def view(self) -> dict[str, Any]:
        fields = {k: v for k, v in self.model_dump().items() if v is not None and k not in ("type", "title")}
        return {"type": self.button_type, **fields}


class DirectContent(NonNullBody):
    """Content fields shared by messages and campaigns (a campaign calls the text `body`)."""

    mediaUrl: str | None = Field(default=None)
    title: str | None = Field(default=None)
    description: str | None = Field(default=None)
    footer: str | None = Field(default=None)
    buttons: list[ButtonBody] | None = Field(default=None, min_length=1)  # at most MAX_BUTTONS: content_problems
    variables: dict[str, Any] | None = None


class SendBody(DirectContent):
    instanceId: str
    to: str
    type: MessageType | None = None
    templateId: str | None = None
    text: str | None = Field(default=None)
    latitude: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    locationName: str | None = Field(default=None)
    locationAddress: str | None = Field(default=None)
    contactId: str | None = None


class ScheduleBody(SendBody):
    scheduledAt: str


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def buttons_problems(body: DirectContent) -> list[dict]:
    """At most MAX_BUTTONS buttons, whatever the mode (the spec's maxItems)."""
    if body.buttons is not None and len(body.buttons) > MAX_BUTTONS:
        return [{"field": "buttons", "message": f"at most {MAX_BUTTONS} buttons"}]
    return []


def content_problems(kind: str, *, text: str | None, text_field: str, body: DirectContent, **extra: Any) -> list[dict]:
    """The `{field, message}` problems of direct-mode content of type `kind` (empty when it is complete)."""
    problems: list[dict] = []

    def need(field: str, message: str) -> None:
        problems.append({"field": field, "message": message})

    problems += buttons_problems(body)
    if kind == "text" and _blank(text):
        need(text_field, f"is required for type text (the message {text_field})")
    if kind in MEDIA_TYPES and _blank(body.mediaUrl):
        need("mediaUrl", f"is required for type {kind}")
    if kind == "location":
        for name in ("latitude", "longitude"):
            if extra.get(name) is None:
                need(name, "is required for type location")
    if kind == "contact" and extra.get("contactId") is None:
        need("contactId", "is required for type contact (the contact to share)")
    if kind == "buttons":
        for name in ("title", "description"):
            if _blank(getattr(body, name)):
                need(name, "is required for type buttons")
        if not body.buttons:
            need("buttons", "1 or 2 buttons are required for type buttons")
    return problems


def check_send_mode(body: SendBody) -> None:
    """Exactly one content mode, and direct-mode content complete for its type (400 VALIDATION_ERROR)."""
    if body.type is None and body.templateId is None:
        raise validation_error([{"field": "type", "message": "give a type (direct mode) or a templateId"}])
    if body.type is not None and body.templateId is not None:
        raise validation_error([{"field": "templateId", "message": "give either type or templateId, not both"}])
    if body.type is None:
        problems = buttons_problems(body)
        if problems:
            raise validation_error(problems)
    if body.type is not None:
        problems = content_problems(
            body.type,
            text=body.text,
            text_field="text",
            body=body,
            latitude=body.latitude,
            longitude=body.longitude,
            contactId=body.contactId,
        )
        if problems:
            raise validation_error(problems)


def buttons_meta(body: DirectContent) -> dict[str, Any]:
    return {
        "title": body.title,
        "description": body.description,
        "footer": body.footer,
        "buttons": [b.view() for b in body.buttons or []],
    }


def not_found_in_context(what: str) -> ApiError:
    return ApiError(
        "TEMPLATE_CONTEXT_UNAVAILABLE", f"The {what} given for the template's {what}.* variables is unavailable"
    )


def parse_timestamp(raw: str, field: str) -> datetime:
    """An RFC 3339 date-time with a zone; 400 VALIDATION_ERROR otherwise. Its offset may carry it past year 1 or
    9999 in UTC: then the earliest (latest) instant stands for it."""
    text = raw.strip().upper()
    value: datetime | None = None
    if TIMESTAMP_RE.match(text):
        try:
            local = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            local = None
        if local is not None:
            try:
                value = parse_iso(text)
            except OverflowError:
                value = (datetime.min if local.year == 1 else datetime.max).replace(tzinfo=UTC)
    if value is None:
        raise invalid_field(field, "must be an RFC 3339 date-time with a time zone, e.g. 2026-05-01T10:00:00Z")
    return value
