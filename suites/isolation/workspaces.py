"""The three workspaces of the isolation suite and one item of every kind in each.

On first use a workspace gets its items, all kinds at once (a group's member and a campaign's recipient are its
contact, so the snapshots are taken after everything is made): planted through the data factory (prefixed,
deleted when the module ends) or, for what no public route creates, found in the workspace (instances;
messages unless sends are allowed). A kind that cannot be had keeps its reason, raised by the checks that
need it: not covered (the profile forbids it, the workspace has none), or broken (setting up failed).
Each item is read back once from its own workspace: the view a refused request must leave unchanged.

Campaigns (no route deletes one) are scheduled 30 days ahead and paused when the module ends. A plan without
campaigns or webhooks (the Free outsider) gets them on a sandbox by a short stay on a plan that has them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from fixtures.assertions import error_code_of, expect_ok, json_body
from fixtures.clients import Actor, Harness
from fixtures.errors import ContractViolation, HarnessError, NotCovered, not_covered
from fixtures.factories import DataFactory
from msgflash_compliance.contract.plans import plans_for
from msgflash_compliance.profile import TargetProfile
from suites.areas.common import ended, instances, poll
from suites.areas.sandbox import on_plan
from suites.isolation.kinds import KIND_BY_NAME, Kind, Listing
from suites.key_scoping.sandbox_controls import plan_code

PAGE_SIZE = 100
MAX_PAGES = 3  # a list walk reads at most this many pages (a production workspace may hold thousands)
JOB_SIZE = 100  # ids in a bulk delete: at 100 it runs as a job; the ids are random, so it deletes nothing
JOB_POLLS = 40
LOOKUP_NUMBERS = 2  # a synchronous lookup
ACCOUNT_OF = {"owner": "owner", "team": "owner", "outsider": "outsider"}  # whose plan a workspace is on
PLAN_FEATURES = {"campaigns": "campaigns", "webhooks": "webhooks"}  # kinds a plan may lack -> plan feature
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
            self._spaces[name] = space = Workspace(name, client)
            try:
                self._set_up(space)
            except (ContractViolation, HarnessError) as err:  # e.g. its plan unreadable: every kind is broken
                for kind in KIND_BY_NAME:
                    space.items.setdefault(kind, HarnessError(f"cannot set up the {name} workspace: {err}"))
        return self._spaces[name]

    # -- what ---------------------------------------------------------------------------------------------

    def item(self, workspace: str, kind: str) -> Item:
        """The workspace's item of `kind`; raises why there is none (not covered, or broken)."""
        found = self.space(workspace).items[kind]
        if isinstance(found, BaseException):  # NotCovered is a BaseException (pytest skip)
            raise found
        return found

    def walk(self, workspace: str, kind: Kind) -> Walk:
        """Every id of the workspace's list of `kind`, page by page (at most MAX_PAGES)."""
        space = self.space(workspace)
        if kind.name not in space.walks:
            assert kind.listing is not None, kind.name
            space.walks[kind.name] = walk(space.client, kind.listing)
        return space.walks[kind.name]

    def console_walk(self, workspace: str, search: str | None = None) -> Walk:
        """The console's contact list of the workspace (the owner's session with X-Team-Id for the team)."""
        key = (workspace, search)
        if key not in self._console_walks:
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

    def _set_up(self, space: Workspace) -> None:
        makers: dict[str, Callable[[Workspace], Item]] = {
            "instances": self._instance, "messages": self._message, "contacts": self._contact,
            "groups": self._group, "templates": self._template, "webhooks": self._webhook,
            "campaigns": self._campaign, "bulk-jobs": self._job, "number-lookups": self._lookup,
        }
        with self._plan_with_features(space.name) as lacking:
            for kind, make in makers.items():
                try:
                    if kind in lacking:
                        not_covered(lacking[kind])
                    read_only = self.profile.safety.read_only and KIND_BY_NAME[kind].origin == "planted"
                    space.items[kind] = self._found(space, KIND_BY_NAME[kind]) if read_only else make(space)
                except NotCovered as err:
                    space.items[kind] = err
                except (ContractViolation, HarnessError) as err:  # setting up is not what the checks are about
                    space.items[kind] = HarnessError(f"cannot set up a {kind} item in the {space.name} "
                                                     f"workspace: {err}")
        for kind, item in space.items.items():
            if isinstance(item, Item):
                try:
                    item.view = self.read_back(space.name, KIND_BY_NAME[kind], item.id)
                except HarnessError as err:
                    space.items[kind] = err
                    continue
                if item.view is None:
                    space.items[kind] = HarnessError(f"the {space.name} workspace cannot read back its own "
                                                     f"{kind} item {item.id}")

    @contextmanager
    def _plan_with_features(self, workspace: str) -> Iterator[dict[str, str]]:
        """The kinds the account's plan lacks, with why they are not covered; on a sandbox the account is
        moved for the block to the cheapest plan that has them all (and back), so none lacks."""
        if self.profile.safety.read_only:
            yield {}
            return
        actor = self.actor(workspace)
        try:
            code = plan_code(actor)
        except ContractViolation as err:
            raise HarnessError(f"cannot read the {ACCOUNT_OF[workspace]} account's plan: {err}") from None
        current = next((p for p in plans_for(self.settings) if p.code == code), None)
        lacking = {kind: feature for kind, feature in PLAN_FEATURES.items()
                   if current is not None and not getattr(current.features, feature)}
        if not lacking:
            yield {}
            return
        richer = next((p for p in plans_for(self.settings)
                       if all(getattr(p.features, f) for f in PLAN_FEATURES.values())), None)
        if not self.profile.sandbox.enabled or actor.email is None or richer is None:
            yield {kind: f"the {ACCOUNT_OF[workspace]} account's plan ({code}) has no {feature}, and without "
                         "the sandbox the suite cannot move it to one that has" for kind, feature in lacking.items()}
            return
        with on_plan(self.harness, actor.email, richer.code, previous=code):
            yield {}

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
        item = space.items.get(kind)
        if isinstance(item, NotCovered):
            raise item
        if not isinstance(item, Item):
            raise HarnessError(f"no {kind} item {why}")
        return item

    def _connected_instance(self, space: Workspace) -> str:
        item = self._needed(space, "instances", "to act through")
        if item.related.get("status") != "connected":
            not_covered(f"the {space.name} workspace has no connected instance")
        return item.id

    def _require_send(self, what: str) -> None:
        if not self.profile.safety.allow_send:
            not_covered(f"{what} acts on WhatsApp: needs [safety] allow_send = true")

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
        return Item(self.factory.webhook(space.client)["id"])

    def _campaign(self, space: Workspace) -> Item:
        self._require_send("a campaign")
        contact = self._needed(space, "contacts", "to be the campaign's recipient")
        body = {"instanceId": self._connected_instance(space), "name": self.factory.name("campaign"),
                "schedule": _later(), "recipients": {"type": "explicit", "value": [contact.id]},
                "type": "text", "body": self.factory.name("hello")}
        made = expect_ok(space.client.post("/api/v1/campaigns", json=body), 201)
        space.campaigns.append(made["id"])
        return Item(made["id"])

    def _job(self, space: Workspace) -> Item:
        if self.profile.safety.read_only:
            not_covered("the profile is read_only (safety.read_only = true): a bulk job is made by a bulk delete")
        body = {"contactIds": [str(uuid.uuid4()) for _ in range(JOB_SIZE)]}
        job_id = str(expect_ok(space.client.post("/api/v1/contacts/bulk-delete", json=body), 202)["jobId"])
        poll(space.client, f"/api/v1/contacts/bulk-jobs/{job_id}/progress", until=ended, guarantee=(),
             max_polls=JOB_POLLS)  # ended: its view no longer changes by itself
        return Item(job_id)

    def _lookup(self, space: Workspace) -> Item:
        self._require_send("a number lookup")
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
