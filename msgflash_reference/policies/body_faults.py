"""Request-body seams and their faults: the bugs a request model (or the instance a send names) can carry.

`faults.py` loads this module through EXTENSION_MODULES. Its defaults land in `svc.policies.extra`:

* `request_bodies` (`bodies.RequestBodies`): which model `json_body(Model)` validates against — the declared
  one. A fault substitutes a variant of the declared model with one field declared the way a buggy
  implementation would (optional, a wrong enum, a wrong bound); the handler then does what it really does with
  what gets through.
* `instance_reference` (`InstanceReference`, read with `instance_reference(svc)`): how a send or schedule turns
  its `instanceId` into the workspace's instance (a UUID, 400 VALIDATION_ERROR otherwise, then the usual 404).

Faults (guarantee IDs in brackets): `send-instance-optional` [MSG-02], `send-to-optional` [MSG-03],
`send-type-free-string` [MSG-05], `instance-by-name-or-number` [MSG-08], `schedule-at-defaults-to-now`
[MSG-14], `status-types-from-templates` [STAT-02], `template-types-from-messages` [TPL-05],
`campaign-types-from-messages` [CMP-07], `lookup-numbers-max-100000` [LKP-03].
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, create_model

from msgflash_reference import routing  # noqa: F401  (registers `rid`, which the route modules' paths use)
from msgflash_reference.bodies import DEFAULT_REQUEST_BODIES, RequestBodies
from msgflash_reference.clock import iso
from msgflash_reference.faults import Fault
from msgflash_reference.ids import is_uuid, parse_id
from msgflash_reference.message_content import MessageType, ScheduleBody, SendBody
from msgflash_reference.policies.resource_views import DEFAULT_VIEWS
from msgflash_reference.routes.campaigns import CampaignCreate
from msgflash_reference.routes.number_lookups import LookupCreate
from msgflash_reference.routes.statuses import StatusBody
from msgflash_reference.routes.templates import TemplateCreate, TemplateType, TemplateUpdate

if TYPE_CHECKING:
    from msgflash_reference.policies import Policies
    from msgflash_reference.services import Services


# -- the instance a send names ------------------------------------------------------------------------------
class InstanceReference:
    """`instanceId` is the instance's id: parsed with the body (400 before any 403/404), resolved in the transaction."""

    def parse(self, raw: str | None) -> str | None:
        return parse_id(raw or "", "instanceId")

    def resolve(self, conn: sqlite3.Connection, workspace_id: str, ref: str | None) -> str:
        """The id to load (the ownership policy then answers 404 for one the workspace does not have)."""
        return ref or ""


DEFAULT_INSTANCE_REFERENCE = InstanceReference()
POLICY_DEFAULTS: dict[str, object] = {
    "request_bodies": DEFAULT_REQUEST_BODIES,
    "instance_reference": DEFAULT_INSTANCE_REFERENCE,
}


def instance_reference(svc: Services) -> InstanceReference:
    return svc.policies.extra.get("instance_reference", DEFAULT_INSTANCE_REFERENCE)


# -- faulty pieces ----------------------------------------------------------------------------------------
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


def _bodies(substitutes: dict[type, type]) -> Callable[[Policies], Policies]:
    """Swap the request_bodies policy for one substituting these models (on top of an earlier fault's)."""

    def apply(policies: Policies) -> Policies:
        current = policies.extra.get("request_bodies")
        earlier = current.substitutes if isinstance(current, _SubstitutedBodies) else {}
        return policies.with_extra("request_bodies", _SubstitutedBodies({**earlier, **substitutes}))

    return apply


def _instances(reference: InstanceReference) -> Callable[[Policies], Policies]:
    return lambda policies: policies.with_extra("instance_reference", reference)


def _campaign_checks_forgetting(*fields: str) -> Callable[[Policies], Policies]:
    """The campaign validator lets through the content problems reported on `fields`."""

    def apply(policies: Policies) -> Policies:
        views = policies.extra.get("views", DEFAULT_VIEWS)
        checks = replace(views.campaign_checks, forgotten=views.campaign_checks.forgotten | frozenset(fields))
        return policies.with_extra("views", replace(views, campaign_checks=checks))

    return apply


def _chain(*applies: Callable[[Policies], Policies]) -> Callable[[Policies], Policies]:
    def apply(policies: Policies) -> Policies:
        for step in applies:
            policies = step(policies)
        return policies

    return apply


FAULTS: tuple[Fault, ...] = (
    Fault("send-instance-optional", ("MSG-02",),
          "instanceId is optional in the send body and the lookup drops the missing id: a send without it goes "
          "out through the workspace's first instance",
          _chain(_bodies(_send_and_schedule(instanceId=(str | None, None))),
                 _instances(_FirstInstanceWhenMissing()))),
    Fault("send-to-optional", ("MSG-03",),
          "`to` is optional in the send body: a send without it answers 422 INVALID_DESTINATION (the missing "
          "number fails the E.164 check) instead of 400 VALIDATION_ERROR",
          _bodies(_send_and_schedule(to=(str | None, Field(default=None, max_length=64))))),
    Fault("send-type-free-string", ("MSG-05",),
          "the send body types `type` as a plain string: a type outside the nine is stored and sent",
          _bodies(_send_and_schedule(type=(str | None, None)))),
    Fault("instance-by-name-or-number", ("MSG-08",),
          "a send's instanceId may also be the instance's name or WhatsApp number",
          _instances(_IdNameOrNumber())),
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
          _chain(_bodies({CampaignCreate: _variant(CampaignCreate, type=(MessageType | None, None))}),
                 _campaign_checks_forgetting("latitude", "longitude", "contactId"))),
    Fault("lookup-numbers-max-100000", ("LKP-03",),
          "the lookup body bounds numbers at 100 000 (a zero too many): 10 001 numbers are accepted",
          _bodies({LookupCreate: _variant(LookupCreate,
                                         numbers=(list[str], Field(min_length=1, max_length=100_000)))})),
)
