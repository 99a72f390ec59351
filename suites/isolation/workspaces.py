"""The three workspaces of the isolation suite and one item of every kind in each.

An item is had on first use (a check or a kind made with it asks for it): planted through the data factory
(prefixed, deleted when the module ends) or, for what no public route creates, found in the workspace
(instances; messages unless sends are allowed; everything on a read_only profile). A kind that cannot be had
keeps its reason, raised by every check that needs it: not covered (the profile forbids it, the workspace has
none), or broken (setting up failed). Each item is read back once from its own workspace: the view a refused
request must leave unchanged.

Campaigns (no route deletes one) are scheduled 30 days ahead and paused when the module ends. A plan without
campaigns or webhooks (the Free outsider) gets them on a sandbox by a short stay on a plan that has them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from fixtures.assertions import expect_ok
from fixtures.checks import error_code_of, json_body
from fixtures.clients import Actor, Harness
from fixtures.errors import ContractViolation, HarnessError, NotCovered, not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.contract.plans import plans_for
from msgflash_compliance.profile import TargetProfile
from suites.areas.common import ended, instances, poll, require_send
from suites.areas.sandbox import on_plan
from suites.isolation.kinds import KIND_BY_NAME, Kind, Listing
from suites.key_scoping.sandbox_controls import plan_code

PAGE_SIZE = 100
MAX_PAGES = 3  # a list walk reads at most this many pages (a production workspace may hold thousands)
JOB_SIZE = 100  # ids in a bulk delete: at 100 it runs as a job; the ids are random, so it deletes nothing
LOOKUP_NUMBERS = 2  # a synchronous lookup
ACCOUNT_OF = {"owner": "owner", "team": "owner", "outsider": "outsider"}  # whose plan a workspace is on
CONSOLE_CONTACTS = Listing("/api/contacts", "contacts", "cursor", search=True)  # console twin of /api/v1/contacts


def _later(days: int = 30) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Item:
    id: str
    name: str | None = None  # what a search finds it by (contacts, groups)
    related: dict[str, str] = field(default_factory=dict)  # e.g. a group's member contact
    view: Any = None  # as its own workspace reads it, right after setting up


@dataclass(frozen=True)
class Walk:
    ids: frozenset[str]
    complete: bool  # every page was read (not cut at MAX_PAGES)


@dataclass
class Workspace:
    name: str
    client: httpx.Client
    items: dict[str, Item | BaseException] = field(default_factory=dict)
    walks: dict[str, Walk] = field(default_factory=dict)
    campaigns: list[str] = field(default_factory=list)


class Workspaces:
    """The owner's personal workspace, the team's and the outsider's, each set up on first use."""

    def __init__(self, harness: Harness, identities: dict[str, Actor], factory: DataFactory,
                 profile: TargetProfile, settings: Any) -> None:
        self.harness, self.identities, self.factory = harness, identities, factory
        self.profile, self.settings = profile, settings
        self._spaces: dict[str, Workspace] = {}
        self._consoles: dict[str, httpx.Client] = {}
        self._console_walks: dict[tuple[str, str | None], Walk] = {}
        self._plans: dict[str, str] = {}  # account -> its plan code, read once

    # -- who ----------------------------------------------------------------------------------------------

    def client(self, name: str) -> httpx.Client:
        return self.space(name).client

    def actor(self, name: str) -> Actor:
        actor = self.identities.get(ACCOUNT_OF[name])
        if actor is None:
            not_covered(f"the profile has no [identities.{ACCOUNT_OF[name]}]")
        return actor  # type: ignore[return-value]

    def space(self, name: str) -> Workspace:
        if name not in self._spaces:
            if name == "team":
                team = self.profile.team
                if team is None or team.api_key is None:
                    not_covered("the profile has no [team] with an api_key")
                client = self.harness.team_client()
            else:
                client = self.actor(name).api
            self._spaces[name] = Workspace(name, client)
        return self._spaces[name]

    # -- what ---------------------------------------------------------------------------------------------

    def item(self, workspace: str, kind: str) -> Item:
        """The workspace's item of `kind`, made on first use; raises why there is none (not covered, broken)."""
        space = self.space(workspace)
        if kind not in space.items:
            space.items[kind] = self._set_up(space, KIND_BY_NAME[kind])
        found = space.items[kind]
        if isinstance(found, BaseException):  # NotCovered is a BaseException (pytest skip)
            raise found
        return found

    def walk(self, workspace: str, kind: Kind) -> Walk:
        """Every id of the workspace's list of `kind`, page by page (at most MAX_PAGES)."""
        space = self.space(workspace)
        if kind.name not in space.walks:
            assert kind.listing is not None, kind.name
            self._had(workspace, kind.name)
            space.walks[kind.name] = walk(space.client, kind.listing)
        return space.walks[kind.name]

    def _had(self, workspace: str, kind: str) -> None:
        """Have the workspace's item before a walk is kept, so that the walk lists it."""
        with suppress(NotCovered, HarnessError):  # the checks that need the item say why there is none
            self.item(workspace, kind)

    def console_walk(self, workspace: str, search: str | None = None) -> Walk:
        """The console's contact list of the workspace (the owner's session with X-Team-Id for the team)."""
        key = (workspace, search)
        if key not in self._console_walks:
            self._had(workspace, "contacts")
            self._console_walks[key] = walk(self._console(workspace), CONSOLE_CONTACTS, search=search)
        return self._console_walks[key]

    def _console(self, workspace: str) -> httpx.Client:
        if workspace not in self._consoles:
            actor = self.actor(workspace)
            if not actor.identity.has_console:
                not_covered(f"identity {actor.name} has no console credentials (jwt or email+password)")
            team_id = None
            if workspace == "team":
                if self.profile.team is None:
                    not_covered("the profile has no [team]")
                team_id = self.profile.team.id  # type: ignore[union-attr]
            self._consoles[workspace] = actor.client("console", team_id=team_id)
        return self._consoles[workspace]

    def read_back(self, workspace: str, kind: Kind, item_id: str) -> Any:
        """The item as its own workspace reads it now; None when it is gone (404, or absent from its list)."""
        client = self.client(workspace)
        if kind.read_back is not None:
            response = client.get(kind.read_back.format(id=item_id))
            return None if response.status_code == 404 else _data(response, f"read back a {kind.name} item")
        assert kind.listing is not None, kind.name
        listed = _data(client.get(kind.listing.path), f"list the {kind.name}")
        return next((i for i in _items(listed, kind.listing) if i.get("id") == item_id), None)

    def search(self, workspace: str, kind: Kind, text: str) -> frozenset[str]:
        """The ids `search=<text>` finds in the workspace's list of `kind`."""
        assert kind.listing is not None and kind.listing.search, kind.name
        return walk(self.client(workspace), kind.listing, search=text).ids

    def finish(self) -> None:
        """Pause the campaigns the module scheduled (nothing deletes a campaign); the factory deletes the rest."""
        for space in self._spaces.values():
            for campaign_id in space.campaigns:
                space.client.post(f"/api/v1/campaigns/{campaign_id}/pause")

    # -- setting up -----------------------------------------------------------------------------------------

    def _set_up(self, space: Workspace, kind: Kind) -> Item | BaseException:
        """The item, read back once from its workspace; or why there is none."""
        makers: dict[str, Callable[[Workspace], Item]] = {
            "instances": self._instance, "messages": self._message, "contacts": self._contact,
            "groups": self._group, "templates": self._template, "webhooks": self._webhook,
            "campaigns": self._campaign, "bulk-jobs": self._job, "number-lookups": self._lookup,
        }
        try:
            read_only = self.profile.safety.read_only and kind.origin == "planted"
            item = self._found(space, kind) if read_only else makers[kind.name](space)
            item.view = self.read_back(space.name, kind, item.id)
        except NotCovered as err:
            return err
        except (ContractViolation, HarnessError) as err:  # setting up is not what the checks are about
            return HarnessError(f"cannot set up a {kind.name} item in the {space.name} workspace: {err}")
        if item.view is None:
            return HarnessError(f"the {space.name} workspace cannot read back its own {kind.name} item {item.id}")
        return item

    @contextmanager
    def _plan_with(self, workspace: str, feature: str) -> Iterator[None]:
        """The block on a plan with `feature`: the account's own, or on a sandbox the cheapest that has it (and
        back afterwards); not covered otherwise."""
        actor = self.actor(workspace)
        if actor.name not in self._plans:
            self._plans[actor.name] = plan_code(actor)
        code = self._plans[actor.name]
        current = next((p for p in plans_for(self.settings) if p.code == code), None)
        if current is None or getattr(current.features, feature):
            yield
            return
        richer = next((p for p in plans_for(self.settings) if getattr(p.features, feature)), None)
        if not self.profile.sandbox.enabled or actor.email is None or richer is None:
            not_covered(f"the {actor.name} account's plan ({code}) has no {feature}, and without the sandbox "
                        "the suite cannot move it to one that has")
        with on_plan(self.harness, actor.email, richer.code, previous=code):  # type: ignore[union-attr]
            yield

    def _found(self, space: Workspace, kind: Kind) -> Item:
        """A read_only profile creates nothing: the first item the workspace lists, if any."""
        if kind.listing is None:
            not_covered(f"the profile is read_only and the API lists no {kind.name} to find one")
        params = {} if kind.listing.paging == "none" else {"limit": 1}
        listed = _items(_data(space.client.get(kind.listing.path, params=params), f"list the {kind.name}"),
                        kind.listing)  # type: ignore[arg-type]
        if not listed:
            not_covered(f"the {space.name} workspace has no {kind.name}, and a read_only profile creates none")
        name = listed[0].get("name")
        return Item(listed[0]["id"], name=name if isinstance(name, str) else None)

    def _needed(self, space: Workspace, kind: str, why: str) -> Item:
        """Another kind's item this one is made with; raises why there is none."""
        try:
            return self.item(space.name, kind)
        except HarnessError as err:
            raise HarnessError(f"no {kind} item {why}: {err}") from None

    def _connected_instance(self, space: Workspace) -> str:
        item = self._needed(space, "instances", "to act through")
        if item.related.get("status") != "connected":
            not_covered(f"the {space.name} workspace has no connected instance")
        return item.id

    def _instance(self, space: Workspace) -> Item:
        found = instances(space.client)
        if not found:
            not_covered(f"the {space.name} workspace has no instance (no public route creates one)")
        best = next((i for i in found if i.get("status") == "connected"), found[0])
        return Item(best["id"], related={"status": str(best.get("status"))})

    def _message(self, space: Workspace) -> Item:
        listed = _data(space.client.get("/api/v1/messages", params={"limit": 1}), "list the messages")
        first = _items(listed, KIND_BY_NAME["messages"].listing)  # type: ignore[arg-type]
        if first:
            return Item(first[0]["id"])
        if self.profile.safety.read_only or not self.profile.safety.allow_send:
            not_covered(f"the {space.name} workspace has no message, and this profile allows no send to make one")
        body = {"instanceId": self._connected_instance(space), "to": self.factory.phone(), "type": "text",
                "text": self.factory.name("message")}
        sent = expect_ok(space.client.post("/api/v1/messages/send", json=body), (200, 201, 202))
        return Item(str(sent["id"]))

    def _contact(self, space: Workspace) -> Item:
        made = self.factory.contact(space.client)
        return Item(made["id"], name=made["name"])

    def _group(self, space: Workspace) -> Item:
        contact = self._needed(space, "contacts", "to be the group's member")
        made = self.factory.group(space.client)
        expect_ok(space.client.post(f"/api/v1/contacts/groups/{made['id']}/members",
                                    json={"contactIds": [contact.id]}))
        return Item(made["id"], name=made["name"], related={"member": contact.id})

    def _template(self, space: Workspace) -> Item:
        return Item(self.factory.template(space.client)["id"])

    def _webhook(self, space: Workspace) -> Item:
        with self._plan_with(space.name, "webhooks"):
            return Item(self.factory.webhook(space.client)["id"])

    def _campaign(self, space: Workspace) -> Item:
        require_send(self.profile, "a campaign")
        contact = self._needed(space, "contacts", "to be the campaign's recipient")
        body = {"instanceId": self._connected_instance(space), "name": self.factory.name("campaign"),
                "schedule": _later(), "recipients": {"type": "explicit", "value": [contact.id]},
                "type": "text", "body": self.factory.name("hello")}
        with self._plan_with(space.name, "campaigns"):
            made = expect_ok(space.client.post("/api/v1/campaigns", json=body), 201)
        space.campaigns.append(made["id"])
        return Item(made["id"])

    def _job(self, space: Workspace) -> Item:
        body = {"contactIds": [str(uuid.uuid4()) for _ in range(JOB_SIZE)]}
        job_id = str(expect_ok(space.client.post("/api/v1/contacts/bulk-delete", json=body), 202)["jobId"])
        # Waited until ended: its view no longer changes by itself.
        poll(space.client, f"/api/v1/contacts/bulk-jobs/{job_id}/progress", until=ended, guarantee=())
        return Item(job_id)

    def _lookup(self, space: Workspace) -> Item:
        require_send(self.profile, "a number lookup")
        numbers = [self.factory.phone()[:-1] + "0" for _ in range(LOOKUP_NUMBERS)]
        body = {"instanceId": self._connected_instance(space), "numbers": numbers}
        made = expect_ok(space.client.post("/api/v1/number-lookups", json=body))
        return Item(str(made.get("lookupId") or made["id"]))


def _data(response: httpx.Response, what: str) -> Any:
    code = error_code_of(response) or ""
    if response.status_code == 403 and code.endswith("_NOT_AVAILABLE_ON_PLAN"):
        not_covered(f"{what}: the workspace's plan has no such resource ({code})")
    if response.status_code != 200:
        raise HarnessError(f"{what}: {response.request.method} {response.request.url.path} answered "
                           f"{response.status_code}")
    body = json_body(response)
    if not isinstance(body, dict) or "data" not in body:
        raise HarnessError(f"{what}: {response.request.url.path} answered without a top-level data")
    return body["data"]


def _items(data: Any, listing: Listing) -> list[dict[str, Any]]:
    items = data.get(listing.items_key) if listing.items_key and isinstance(data, dict) else data
    if not isinstance(items, list):
        raise HarnessError(f"GET {listing.path}: the items are not a list")
    return [i for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)]


def walk(client: httpx.Client, listing: Listing, search: str | None = None) -> Walk:
    """Every id of a list, page by page (at most MAX_PAGES of PAGE_SIZE), optionally searched."""
    ids: set[str] = set()
    params: dict[str, Any] = {} if listing.paging == "none" else {"limit": PAGE_SIZE}
    if search is not None:
        params["search"] = search
    for page in range(1, MAX_PAGES + 1):
        if listing.paging == "pages":
            params["page"] = page
        data = _data(client.get(listing.path, params=params), f"walk {listing.path}")
        ids |= {i["id"] for i in _items(data, listing)}
        if listing.paging == "none":
            return Walk(frozenset(ids), True)
        if listing.paging == "pages":
            if page >= int(data.get("totalPages") or 0):
                return Walk(frozenset(ids), True)
            continue
        if not data.get("hasMore") or not data.get("nextCursor"):
            return Walk(frozenset(ids), True)
        params["cursor"] = data["nextCursor"]
    return Walk(frozenset(ids), False)
