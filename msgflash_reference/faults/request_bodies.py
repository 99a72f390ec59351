"""Faults of request bodies (MSG-02..14, STAT-02, TPL-05, CMP-07, LKP-03, WH-03): a request model declared the way
a buggy implementation would (a field optional, a wrong enum, a wrong bound), substituted through
`svc.policies.request_bodies`; and how a send names its instance (`svc.policies.instance_reference`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, create_model

from msgflash_reference.bodies import RequestBodies
from msgflash_reference.clock import iso
from msgflash_reference.faults.fault import Apply, Fault, chain, swap
from msgflash_reference.faults.resource_views import campaign_checks_forgetting
from msgflash_reference.ids import is_uuid
from msgflash_reference.message_content import MessageType, ScheduleBody, SendBody
from msgflash_reference.policies import Policies
from msgflash_reference.policies.instance_reference import InstanceReference
from msgflash_reference.requests.campaigns import CampaignCreate
from msgflash_reference.requests.number_lookups import LookupCreate
from msgflash_reference.requests.statuses import StatusBody
from msgflash_reference.requests.templates import TemplateCreate, TemplateType, TemplateUpdate
from msgflash_reference.requests.webhooks import WebhookCreate


@dataclass(frozen=True)
class _SubstitutedBodies(RequestBodies):
    """Validates some routes' bodies against a faulty variant of their declared model."""

    substitutes: Mapping[type, type] = field(default_factory=dict)

    def model(self, declared: type[Any]) -> type[Any]:
        return self.substitutes.get(declared, declared)


class _FirstInstanceWhenMissing(InstanceReference):
    """Looks the instance up with the id as an optional condition: without one, the workspace's first instance
    matches (the ORM drops a filter whose value is undefined)."""

    def parse(self, raw: str | None) -> str | None:
        return None if raw is None else super().parse(raw)

    def resolve(self, conn: sqlite3.Connection, workspace_id: str, ref: str | None) -> str:
        if ref is not None:
            return ref
        row = conn.execute(
            "SELECT id FROM instances WHERE workspace_id = ? AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1",
            (workspace_id,),
        ).fetchone()
        return row["id"] if row else ""


class _IdNameOrNumber(InstanceReference):
    """Accepts the instance's id, name or WhatsApp number (a dashboard convenience leaking into the API)."""

    def parse(self, raw: str | None) -> str | None:
        ref = (raw or "").strip()
        return ref.lower() if is_uuid(ref) else ref

    def resolve(self, conn: sqlite3.Connection, workspace_id: str, ref: str | None) -> str:
        row = conn.execute(
            """SELECT id FROM instances WHERE workspace_id = ? AND deleted_at IS NULL AND ? IN (id, name, wa_number)
               ORDER BY created_at, id LIMIT 1""",
            (workspace_id, ref),
        ).fetchone()
        return row["id"] if row else ref or ""


def _variant(model: type[BaseModel], **fields: Any) -> type[BaseModel]:
    """`model` with `fields` redeclared (`name=(annotation, default or Field)`), validators and config kept."""
    return create_model(model.__name__, __base__=model, **fields)


def _send_and_schedule(**fields: Any) -> dict[type, type]:
    """The same mistake in the send body and in the schedule body built on it."""
    return {SendBody: _variant(SendBody, **fields), ScheduleBody: _variant(ScheduleBody, **fields)}


def _now() -> str:
    return iso(datetime.now(UTC))


def _bodies(substitutes: dict[type, type]) -> Apply:
    """Swap the request_bodies policy for one substituting these models (on top of an earlier fault's)."""

    def apply(policies: Policies) -> Policies:
        current = policies.request_bodies
        earlier = current.substitutes if isinstance(current, _SubstitutedBodies) else {}
        return swap("request_bodies", _SubstitutedBodies({**earlier, **substitutes}))(policies)

    return apply


FAULTS: tuple[Fault, ...] = (
    Fault("send-instance-optional", ("MSG-02",),
          "instanceId is optional in the send body and the lookup drops the missing id: a send without it goes "
          "out through the workspace's first instance",
          chain(_bodies(_send_and_schedule(instanceId=(str | None, None))),
                swap("instance_reference", _FirstInstanceWhenMissing()))),
    Fault("send-to-optional", ("MSG-03",),
          "`to` is optional in the send body: a send without it answers 422 INVALID_DESTINATION (the missing "
          "number fails the E.164 check) instead of 400 VALIDATION_ERROR",
          _bodies(_send_and_schedule(to=(str | None, Field(default=None, max_length=64))))),
    Fault("send-type-free-string", ("MSG-05",),
          "the send body types `type` as a plain string: a type outside the nine is stored and sent",
          _bodies(_send_and_schedule(type=(str | None, None)))),
    Fault("instance-by-name-or-number", ("MSG-08",),
          "a send's instanceId may also be the instance's name or WhatsApp number",
          swap("instance_reference", _IdNameOrNumber())),
    Fault("schedule-at-defaults-to-now", ("MSG-14",),
          "scheduledAt defaults to now: a schedule without it is accepted and sent at once",
          _bodies({ScheduleBody: _variant(ScheduleBody,
                                         scheduledAt=(str, Field(default_factory=_now, max_length=64)))})),
    Fault("status-types-from-templates", ("STAT-02",),
          "the status body reuses the template type enum: video, audio and document statuses are published",
          _bodies({StatusBody: _variant(StatusBody, type=(TemplateType, ...))})),
    Fault("template-types-from-messages", ("TPL-05",),
          "the template bodies reuse the message type enum: voice_note, location, contact and buttons templates "
          "are created",
          _bodies({TemplateCreate: _variant(TemplateCreate, type=(MessageType, ...)),
                  TemplateUpdate: _variant(TemplateUpdate, type=(MessageType | None, None))})),
    Fault("campaign-types-from-messages", ("CMP-07",),
          "the campaign body reuses the message type enum and the campaign validator has no rule for location "
          "or contact content: such campaigns are created",
          chain(_bodies({CampaignCreate: _variant(CampaignCreate, type=(MessageType | None, None))}),
                campaign_checks_forgetting("latitude", "longitude", "contactId"))),
    Fault("lookup-numbers-max-100000", ("LKP-03",),
          "the lookup body bounds numbers at 100 000 (a zero too many): 10 001 numbers are accepted",
          _bodies({LookupCreate: _variant(LookupCreate,
                                         numbers=(list[str], Field(min_length=1, max_length=100_000)))})),
    Fault("webhook-events-unchecked", ("WH-03",),
          "webhook events are not checked against the documented set: an unknown event name is stored",
          _bodies({WebhookCreate: _variant(WebhookCreate, events=(list[str], Field(min_length=1)))})),
)
