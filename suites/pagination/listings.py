"""The cursor lists of the contract: where they live, what their pages carry, and which guarantee each
kind of finding on them belongs to.

Facts §9 documents contacts (two sorts, search), groups (search) and bulk jobs with their defaults; messages
take `status` and `instanceId` filters (defaults and order undocumented, G11); group members are a reference
choice (G6) with no guarantee of their own: walk findings there are observations, only the envelope (ENV-05)
can fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SHAPE = ("ENV-05",)
MAX_LIMIT = 100  # every cursor list (facts §9)

CREATED_DESC = "createdAt_desc"
NAME_ASC = "name_asc"
CONTACT_SORTS = (CREATED_DESC, NAME_ASC)


@dataclass(frozen=True)
class Listing:
    name: str
    path: str  # may hold {group_id}
    items_key: str
    default_limit: int | None  # the documented default; None when undocumented
    walk_ids: tuple[str, ...]  # exactly once, page sizes, hasMore/nextCursor, termination
    meta_ids: tuple[str, ...] = ()  # total, limit echo, default page
    max_ids: tuple[str, ...] = ()  # a page beyond the maximum
    has_total: bool = False
    echoes_limit: bool = False
    sort_order_ids: dict[str | None, tuple[str, ...]] = field(default_factory=dict)  # documented orders
    searchable: bool = False

    def url(self, **parts: str) -> str:
        return self.path.format(**parts)


CONTACTS = Listing(
    "contacts", "/api/v1/contacts", "contacts", 50, ("PAGE-04",), meta_ids=("PAGE-01",), max_ids=("PAGE-02",),
    has_total=True, echoes_limit=True, searchable=True,
    sort_order_ids={None: ("PAGE-05",), CREATED_DESC: ("PAGE-05",), NAME_ASC: ("PAGE-06",)},
)
GROUPS = Listing(
    "groups", "/api/v1/contacts/groups", "groups", 50, ("PAGE-10",), meta_ids=("PAGE-10",), max_ids=("PAGE-10",),
    has_total=True, echoes_limit=True, searchable=True,
)
JOBS = Listing("jobs", "/api/v1/contacts/bulk-jobs", "jobs", 20, ("PAGE-11",), meta_ids=("PAGE-11",),
               max_ids=("PAGE-11",))
MESSAGES = Listing("messages", "/api/v1/messages", "messages", None, ())  # walk ids come from the filter used
MEMBERS = Listing("members", "/api/v1/contacts/groups/{group_id}/members", "members", None, ())

MESSAGE_FILTER_IDS = {"status": ("PAGE-12",), "instanceId": ("PAGE-13",)}


def message_walk_ids(filters: dict[str, str]) -> tuple[str, ...]:
    """The guarantees a filtered messages walk checks: PAGE-12 for `status`, PAGE-13 for `instanceId`."""
    return tuple(i for name in filters for i in MESSAGE_FILTER_IDS.get(name, ()))


def sort_ids(listing: Listing, sort: str | None) -> tuple[str, ...]:
    """The guarantees of the documented order of `listing` under `sort` (empty when undocumented)."""
    return listing.sort_order_ids.get(sort, ())
