"""What the isolation suite looks at, as a short table for the Allure description of each check: one kind's
verbs (and its list) × the workspace pairs, each cell the guarantee it checks, the current check marked."""

from __future__ import annotations

from suites.isolation.kinds import PAIRS, Kind, guarantee_of, pair_label
from suites.isolation.workspaces import MAX_PAGES, PAGE_SIZE

CONSOLE_ROWS = {"contacts": ("console-list", "GET /api/contacts (+ search; JWT, X-Team-Id for the team)")}
LEGEND = ("Each cell: the home workspace's item (left of `->`) asked for from the viewer workspace (right of "
          "`->`), expected 404 NOT_FOUND in the error envelope, and after a write the item re-read at home "
          "unchanged. `list`: no id the home workspace lists (or owns) appears in any page of the viewer's "
          f"list (walked at most {MAX_PAGES} pages of {PAGE_SIZE}), nor in its search for the item's name.")


def kind_matrix(kind: Kind, current: tuple[str, str, str] | None = None) -> str:
    """Markdown: rows are the kind's verbs, columns the (home -> viewer) pairs; `current` is (verb, home,
    viewer)."""
    rows = [(verb.name, f"{verb.method} {verb.operation.path}") for verb in kind.verbs]
    if kind.listing is not None:
        rows.append(("list", f"GET {kind.listing.path}" + (" (+ search)" if kind.listing.search else "")))
    if kind.name in CONSOLE_ROWS:
        rows.append(CONSOLE_ROWS[kind.name])
    header = "| verb | request | " + " | ".join(pair_label(h, v) for h, v in PAIRS) + " |"
    lines = [f"**{kind.name}** × workspace pairs", "", header, "|" + " --- |" * (len(PAIRS) + 2)]
    for verb, request in rows:
        cells = []
        for home, viewer in PAIRS:
            cell = guarantee_of(home, viewer)
            cells.append(f"**▶ {cell}**" if current == (verb, home, viewer) else cell)
        lines.append(f"| {verb} | `{request}` | " + " | ".join(cells) + " |")
    return "\n".join([*lines, "", LEGEND])
