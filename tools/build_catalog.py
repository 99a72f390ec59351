"""Build `openapi/guarantees.yaml` from the markdown catalog in `../shared/contract/guarantees.md`.

Provenance only: run once by hand (`.venv/bin/python tools/build_catalog.py`), then review the YAML. Nothing
reads the markdown at run time. The hand review lives in the tables below (REVIEW, SETTING_BY_ID, SANDBOX,
OUT), so a rebuild reproduces it; `checked_by` lists already in the YAML are carried over: suites fill them.

Level rule (decisions.md): MUST when docs.msgflash.com states it, SHOULD when it rests on [S] or on inference,
INFO when the behaviour is undocumented. Where decisions.md settles an ambiguity with a default, the level
follows the source of that default and the entry names the contract setting.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
MARKDOWN = ROOT.parent / "shared" / "contract" / "guarantees.md"
OUTPUT = ROOT / "openapi" / "guarantees.yaml"
DOCS = "https://docs.msgflash.com"

ROW = re.compile(r"^\| ([A-Z]+)-(\d+) \| (.*) \|\s*$")
STATUS = re.compile(r"(?<![\w.])([1-5]\d\d)(?![\w.])")
CODE = re.compile(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|UNAUTHORIZED|FORBIDDEN|CONFLICT)`")

# --- hand review ---------------------------------------------------------------------------------

# Decisions.md rows each guarantee depends on (the field names of ContractSettings).
SETTING_BY_ID: dict[str, str] = {
    # 1 plan line-up: which plans exist and their numbers
    **dict.fromkeys(
        ["BILL-01", "BILL-04", "PLAN-01", "PLAN-02", "PLAN-03", "PLAN-04", "PLAN-07", "PLAN-08", "PLAN-09",
         "PLAN-10", "PLAN-11", "PLAN-12", "PLAN-13", "PLAN-19", "TEAM-20", "TEAM-21", "TEAM-22", "TEAM-23",
         "TEAM-24", "CMP-14", "STAT-04", "WH-05", "WH-06", "GRP-03", "INST-05"],
        "plan_lineup",
    ),
    "BILL-17": "plan_change_blocked_status",
    "ROLE-07": "collaborator_billing_reads",
    "TEAM-02": "team_key_team_mismatch",
    "TEAM-03": "team_key_team_mismatch",
    "TEAM-13": "personal_key_team_header_on_personal_routes",
    **dict.fromkeys(["BILL-11", "PAGE-03", "PAGE-07", "PAGE-09"], "bad_query_params"),
    "PAGE-08": "cursor_reuse_across_sorts",
    "ERR-02": "foreign_resource",
    "AUTH-07": "foreign_resource",
    "BILL-13": "public_billing_writes",
    # 10 real sends: every guarantee whose check makes the target deliver a WhatsApp message or status
    **dict.fromkeys(
        ["MSG-01", "MSG-12", "MSG-13", "MSG-17", "STAT-01", "STAT-05", "CMP-01", "ROLE-12", "MEDIA-04",
         "PAGE-12", "PAGE-13"],
        "real_whatsapp_sends",
    ),
}

# Needs the reference server's sandbox controls or seeded state (clock, usage, payments, mail tokens).
SANDBOX: set[str] = {
    "AUTH-08", "INV-02", "INV-03", "INV-04", "BILL-12", "BILL-14", "BILL-15", "BILL-16", "BILL-17",
    "TEAM-12", "PLAN-07", "PLAN-15", "PLAN-16", "PLAN-17", "MSG-16", "RATE-05", "INST-05", "PAGE-15",
    "JOB-04", "LKP-09", "CMP-09", "CMP-10", "CMP-11", "CMP-12",
}

# Cannot be checked black-box at all.
OUT: dict[str, str] = {
    "WH-08": "outbound webhook delivery needs a receiver the target can reach; the suite does not run one",
    "ERR-08": "a provider timeout or outage cannot be provoked from outside",
    "ERR-09": "a server fault cannot be provoked from outside",
    "LKP-05": "a provider failure cannot be provoked from outside",
    "MEDIA-01": "media uploads are console multipart uploads the suite does not perform",
    "MEDIA-03": "media uploads are console multipart uploads the suite does not perform",
    "PLAN-06": "no plan in either documented line-up lacks API keys, so the code cannot be provoked",
    "PLAN-18": "which features use the generic code is undocumented, so there is nothing to call",
    "ERR-07": "which resources are unique is undocumented, so there is no duplicate to create",
}

# Field-by-field corrections to what the parser derives. `statement` is always written here when the derived
# one reads badly; `expected` is (status, code).
REVIEW: dict[str, dict[str, Any]] = {
    "AUTH-04": {"level": "SHOULD", "expected": (401, "UNAUTHORIZED"),
                "ambiguity": "docs only say the backend reads x-api-key; the 401 status is implied"},
    "AUTH-06": {"level": "MUST",
                "statement": "a team key secret starts with msgf_team_",
                "ambiguity": "suffix format undocumented; the reference server uses 64 lowercase hex (G19)"},
    "AUTH-07": {"ambiguity": "another workspace's resource answers 404 NOT_FOUND (decisions #8); 403 "
                "FORBIDDEN is for a resource the caller can see but its role may not use (e.g. G13)"},
    "AUTH-10": {"level": "SHOULD", "expected": (401, "UNAUTHORIZED"),
                "ambiguity": "the code is documented, the status is not (401 per reference choice G12)"},
    "AUTH-11": {"level": "SHOULD", "expected": (403, "EMAIL_NOT_VERIFIED"),
                "ambiguity": "the code is documented, the status is not (403 per reference choice G12)"},
    "AUTH-12": {"expected": (200, None)},
    "AUTH-09": {"expected": (None, None)},
    "AUTH-13": {"level": "SHOULD"},
    "TEAM-09": {"expected": (200, None)},
    "TEAM-10": {"level": "SHOULD"},
    "TEAM-13": {"level": "INFO", "expected": (None, None),
                "statement": "a personal key with X-Team-Id on a personal-only route (GET /api/v1/me) is "
                "observed and reported, never failed",
                "ambiguity": "TEAM_KEY_REQUIRED is only defined for workspace routes; behaviour undefined "
                "(decisions #5: INFO only)"},
    "TEAM-16": {"expected": (200, None)},
    "TEAM-17": {"expected": (None, None)},
    "TEAM-23": {"ambiguity": "whether pending invites count toward seats is unstated (the reference counts "
                "them, G21)"},
    "TEAM-28": {"expected": (None, None)},
    "INV-01": {"expected": (200, None)},
    "INV-02": {"expected": (None, None)},
    "INV-04": {"expected": (410, "INVITE_INVALID_OR_EXPIRED")},
    "INV-07": {"expected": (None, None)},
    "INV-08": {"level": "MUST", "expected": (200, None)},
    "INV-09": {"level": "MUST", "expected": (None, None)},
    "ROLE-01": {"expected": (200, None)},
    "ROLE-02": {"expected": (200, None)},
    "ROLE-03": {"level": "MUST",
                "ambiguity": "the FAQ states the rule and the code; the console route names come from [S]"},
    "ROLE-05": {"level": "MUST", "sources_extra": ["D/resources/faq"]},
    "ROLE-06": {"level": "MUST", "sources_extra": ["D/resources/faq"]},
    "ROLE-07": {"level": "MUST", "expected": (403, None),
                "statement": "a collaborator's console GET /api/billing/subscription in a team is refused "
                "(403; code not documented, recorded)",
                "ambiguity": "FAQ: collaborators have no billing access; [S] S32: read-only allowed. "
                "Default per decisions #3: 403, code not documented"},
    "ROLE-08": {"expected": (200, None)},
    "ROLE-09": {"expected": (403, "TEAM_ACCESS_DENIED")},
    "ROLE-10": {"expected": (None, None)},
    "ROLE-12": {"level": "SHOULD", "expected": (None, None)},
    "ROLE-16": {"expected": (403, "TEAM_ACCESS_DENIED")},
    "ROLE-18": {"expected": (204, None)},
    "BILL-01": {"level": "MUST", "expected": (200, None),
                "ambiguity": "price field priceEur vs priceMonthly+currency; catalogue "
                "free/starter/pro/plus vs free/pro/max (decisions #1 default: Free/Starter/Pro/Plus with "
                "priceMonthly+currency, G18)"},
    "BILL-02": {"expected": (200, None)},
    "BILL-06": {"expected": (200, None)},
    "BILL-07": {"expected": (200, None)},
    "BILL-10": {"expected": (200, None)},
    "BILL-11": {"level": "MUST", "expected": (200, None),
                "statement": "GET /api/v1/billing/payments?limit=100 returns at most 100 payments; "
                "limit=101 never gives a 5xx or more than 100 items",
                "ambiguity": "limit=101: clamp or 400 VALIDATION_ERROR is undocumented (decisions #6: the "
                "reference answers 400; anything but a 5xx or a wrong page is INFO)"},
    "BILL-13": {"level": "MUST", "expected": (None, None),
                "statement": "a write method on public /api/v1/billing/* is not offered (404 or 405)",
                "ambiguity": "exact status undocumented (decisions #9: 404 or 405)"},
    "BILL-17": {"level": "SHOULD", "expected": (409, "PLAN_CHANGE_BLOCKED_ACTIVE_TEAMS"),
                "ambiguity": "409 in [S] S32 §3.10, 400 in [S] S32 §10 (decisions #2 default: 409 with "
                "details.teamIds)"},
    "BILL-18": {"expected": (200, None)},
    "BILL-19": {"expected": (200, None)},
    "BILL-20": {"expected": (200, None)},
    "PLAN-03": {"level": "MUST", "expected": (403, "MAX_API_KEYS_REACHED"),
                "precondition": "Pro account with 10 API keys (free-starter-pro-plus; 5 on free-pro-max)",
                "request": "create an 11th key",
                "statement": "the Pro key cap is 10 (FAQ): an 11th key is refused with 403 "
                "MAX_API_KEYS_REACHED",
                "ambiguity": "10 per D/authentication and D/resources/faq; 5 per "
                "D/resources/plans-and-quotas and D/api-reference/billing/plans (decisions #1 default: "
                "FAQ, 10)"},
    "PLAN-05": {"level": "SHOULD"},
    "PLAN-06": {"level": "INFO",
                "ambiguity": "docs give Free 1 key, so no plan lacks API keys; [S] says Free has none"},
    "PLAN-08": {"level": "MUST",
                "ambiguity": "Variant B Free has 3 webhook endpoints (decisions #1 default: Free has no "
                "webhooks)"},
    "PLAN-10": {"level": "MUST",
                "ambiguity": "Variant B gives campaigns to Free (decisions #1 default: Starter or higher)"},
    "PLAN-12": {"level": "SHOULD", "expected": (403, "STATUSES_NOT_AVAILABLE_ON_PLAN"),
                "statement": "Starter posting a status is refused with 403 STATUSES_NOT_AVAILABLE_ON_PLAN "
                "(plans table: statuses Pro and Plus)",
                "ambiguity": "D/guides/statuses says Starter or higher and the FR billing example shows "
                "statuses: true; the plans table and EN billing example say no (reference choice G18: Pro+)"},
    "PLAN-13": {"level": "MUST",
                "ambiguity": "Variant B Free has 10 groups (decisions #1 default: Free 2)"},
    "PLAN-16": {"level": "MUST", "expected": (None, None)},
    "PLAN-18": {"level": "INFO"},
    "PLAN-19": {"level": "MUST", "expected": (200, None),
                "statement": "GET /api/v1/billing/plans lists exactly the plan codes of the configured "
                "line-up (default free, starter, pro, plus)",
                "ambiguity": "Variant A codes free, starter, pro, plus vs Variant B free, pro, max "
                "(\"Starter retired\"); decisions #1 default: FAQ, Variant A"},
    "ENV-01": {"expected": (None, None)},
    "ENV-02": {"expected": (None, None)},
    "ENV-04": {"expected": (200, None)},
    "ENV-05": {"expected": (200, None)},
    "ENV-06": {"expected": (429, "API_RATE_LIMIT_EXCEEDED")},
    "ERR-02": {"level": "MUST"},
    "ERR-07": {"level": "INFO"},
    "ERR-10": {"expected": (None, None),
               "statement": "every error.code is one of the documented UPPER_SNAKE codes and comes with its "
               "documented HTTP status"},
    "RATE-01": {"expected": (429, "API_RATE_LIMIT_EXCEEDED")},
    "RATE-02": {"expected": (None, None)},
    "RATE-03": {"expected": (None, None)},
    "RATE-06": {"level": "INFO", "expected": (None, None),
                "statement": "429 headers and whether rejected calls count in apiRequestsCount are observed "
                "and reported",
                "ambiguity": "undocumented (the reference sends Retry-After and does not count rejected "
                "calls, G16)"},
    "PAGE-01": {"expected": (200, None)},
    "PAGE-02": {"expected": (200, None)},
    "PAGE-03": {"level": "INFO", "expected": (400, "VALIDATION_ERROR"),
                "statement": "GET /api/v1/contacts?limit=101 (or 0) is rejected or clamped, never a 5xx or "
                "a page of more than 100",
                "ambiguity": "max is 100; clamp vs 400 VALIDATION_ERROR undocumented (decisions #6: the "
                "reference answers 400; the suite fails only on a 5xx or a silently wrong page)"},
    "PAGE-07": {"level": "INFO", "expected": (400, "VALIDATION_ERROR"),
                "statement": "GET /api/v1/contacts?sort=foo is rejected (reference: 400 VALIDATION_ERROR), "
                "never a 5xx or a silently wrong page",
                "ambiguity": "only createdAt_desc and name_asc are documented; the error is undocumented "
                "(decisions #6)"},
    "PAGE-08": {"level": "SHOULD", "expected": (None, None),
                "statement": "a cursor from sort=createdAt_desc reused with sort=name_asc gives either 400 "
                "or a page consistent with the new sort, never duplicates or gaps presented as valid",
                "ambiguity": "client rule \"do not mix sorts across pages\"; server behaviour undocumented "
                "(decisions #7)"},
    "PAGE-09": {"level": "INFO", "expected": (None, None),
                "statement": "search of 1–100 chars matches contact name or phone case-insensitively; 0 or "
                "> 100 chars is rejected (reference: 400 VALIDATION_ERROR), never a 5xx",
                "ambiguity": "the error for 0 or > 100 chars is undocumented (decisions #6, G17); the "
                "matching rule itself is documented"},
    "PAGE-10": {"expected": (200, None)},
    "PAGE-11": {"expected": (200, None)},
    "PAGE-12": {"expected": (200, None)},
    "PAGE-13": {"expected": (200, None)},
    "PAGE-14": {"expected": (200, None)},
    "PAGE-15": {"expected": (200, None)},
    "PAGE-16": {"expected": (200, None)},
    "MSG-01": {"level": "MUST", "expected": (None, None),
               "statement": "POST /api/v1/messages/send on a connected instance succeeds (2xx) and creates a "
               "message with status queued, delivered asynchronously",
               "ambiguity": "success HTTP status not visible in the docs: 200, 201 or 202 (the reference "
               "answers 201, G2)"},
    "MSG-08": {"expected": (None, None)},
    "MSG-12": {"expected": (200, None)},
    "MSG-17": {"expected": (None, None)},
    "STAT-05": {"expected": (None, None)},
    "TPL-06": {"expected": (None, None)},
    "TPL-08": {"expected": (200, None)},
    "TPL-09": {"expected": (200, None)},
    "CMP-08": {"level": "INFO", "expected": (None, None),
               "statement": "the campaign repeat values noe (as documented), none, daily and weekly are "
               "observed and reported",
               "ambiguity": "the documented enum is literally noe, likely a typo for none"},
    "CMP-15": {"expected": (200, None)},
    "CNT-02": {"level": "SHOULD", "expected": (201, None)},
    "CNT-03": {"expected": (200, None)},
    "CNT-04": {"expected": (200, None)},
    "CNT-08": {"expected": (200, None)},
    "GRP-09": {"expected": (200, None)},
    "JOB-02": {"expected": (200, None)},
    "JOB-03": {"expected": (200, None)},
    "JOB-05": {"level": "INFO", "expected": (None, None),
               "statement": "cancelling a job that is already done is observed and reported",
               "ambiguity": "only pending/processing jobs are cancellable; the error is undocumented"},
    "JOB-07": {"level": "INFO", "expected": (None, None),
               "statement": "the job id format is observed and reported (UUID expected)",
               "ambiguity": "typed UUID, but examples use job_abc123 (the reference uses UUIDs, G1)"},
    "WH-03": {"level": "SHOULD", "expected": (400, "VALIDATION_ERROR")},
    "WH-04": {"level": "INFO", "expected": (None, None),
              "statement": "creating a webhook with a non-HTTPS url is observed and reported"},
    "WH-07": {"expected": (404, "NOT_FOUND")},
    "WH-09": {"level": "INFO", "expected": (201, None),
              "statement": "which fields the webhook create response carries is observed and reported "
              "(id, url, secret, events always; active or createdAt per doc variant)"},
    "INST-06": {"level": "INFO", "expected": (None, None),
                "statement": "whether the public API offers instance create/connect is observed and "
                "reported"},
    "INST-04": {"expected": (200, None)},
    "MEDIA-01": {"expected": (None, None)},
    "MEDIA-02": {"level": "SHOULD", "expected": (401, None),
                 "ambiguity": "console-only route; the status is undocumented, presumably 401"},
    "MEDIA-03": {"level": "INFO", "expected": (None, None)},
    "MEDIA-04": {"expected": (None, None)},
    "LKP-02": {"level": "SHOULD"},
    "LKP-06": {"expected": (200, None)},
    "LKP-08": {"expected": (None, None)},
    "LKP-09": {"level": "MUST", "expected": (None, None)},
    "STAT-01": {"expected": (201, None)},
}


# --- parsing -------------------------------------------------------------------------------------

def plain(text: str) -> str:
    """Markdown cell → plain text: no backticks, no bold, single spaces."""
    return re.sub(r"\s+", " ", text.replace("`", "").replace("**", "")).strip()


def split_cells(body: str) -> list[str]:
    # A cell may hold `a|b` inside backticks (cursor tuple `createdAt|id`): split only outside backticks.
    cells, current, in_code = [], [], False
    for char in body:
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    cells.append("".join(current).strip())
    return cells


def parse_sources(cell: str, gid: str) -> list[str]:
    """`D/x ("quote"), [S] S32 §3.2, §4; code [S]` → full URLs and `[S]`-marked strings, in order."""
    cell = re.sub(r'\s*\("[^"]*"\)', "", cell)  # quoted doc snippets are not sources
    cell = re.sub(r"\s*\((?:[^()]*)\)", "", cell)
    out: list[str] = []
    for raw in re.split(r";|,| vs ", cell):
        frag = raw.strip().replace("`", "")
        if not frag or frag in {"—", "-"}:
            continue
        if frag.startswith("D/"):
            out.append(DOCS + frag[1:].split(" ")[0])
        elif "[S]" in frag:
            before, after = frag.split("[S]", 1)
            detail = after.strip() or before.strip()  # "code [S]" names what rests on [S]
            out.append(f"[S] {detail}".strip())
        elif frag.startswith("§") and out and out[-1].startswith("[S]"):
            out[-1] = f"{out[-1]}, {frag}"
        elif re.match(r"S\d|S-", frag):
            out.append(f"[S] {frag}")
        else:
            raise SystemExit(f"{gid}: cannot read source fragment {frag!r}")
    return list(dict.fromkeys(out))


def derive_level(pre: str, expected: str, sources: list[str]) -> str:
    low = expected.lower()
    if low.startswith("(ambiguous)") or "undocumented" in low or "undefined" in low:
        return "INFO"
    docs_backed = any(s.startswith(DOCS) for s in sources)
    if (not docs_backed or "[S]" in pre or "[S]" in expected or "inferred" in low or "presumably" in low
            or "ambiguous" in low):
        return "SHOULD"
    return "MUST"


def derive_expected(expected: str) -> tuple[int | None, str | None]:
    # Only a status at the head of the cell (or right after "refused; [S]") is the expected answer.
    head = re.sub(r"^(refused|rejected|success)[;,]?\s*(\[S\]\s*)?", "", expected.strip(), flags=re.I)
    head = re.sub(r"^\[S\]\s*", "", head)
    status_match = STATUS.match(head)
    code_match = CODE.search(expected)
    return (int(status_match.group(1)) if status_match else None,
            code_match.group(1) if code_match else None)


def paren_groups(text: str) -> list[tuple[int, int]]:
    """Spans of the top-level (...) groups of a cell, nesting allowed."""
    spans, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "(":
            if depth == 0:
                start = index
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, index + 1))
    return spans


def split_ambiguity(text: str) -> tuple[str, str | None]:
    """Cell text → (text with the ambiguity remarks taken out, the remarks or None)."""
    notes: list[str] = []
    kept = text
    for start, end in reversed(paren_groups(text)):
        inner = text[start + 1:end - 1].strip()
        if "ambiguous" not in inner:
            continue
        if inner.startswith("ambiguous"):
            note = re.sub(r"^ambiguous[:;,]?\s*", "", inner)
            kept = kept[:start].rstrip() + kept[end:]
        else:
            note = re.sub(r"\s*[—;,-]+\s*ambiguous\s*$", "", inner)
            kept = kept[:start] + f"({note})" + kept[end:]
        if note:
            notes.insert(0, note)
    if not notes and re.search(r"\bambiguous\b", kept):  # a bare "ambiguous" closing a clause
        match = re.search(r"([^;()]*?)\s*[—-]\s*ambiguous\b", kept)
        notes.append(match.group(1).strip() if match else "docs are unclear")
        kept = re.sub(r"\s*[—-]\s*ambiguous\b", "", kept)
    return kept, ("; ".join(plain(n) for n in notes) or None) if notes else None


def derive_ambiguity(pre: str, expected: str) -> str | None:
    return split_ambiguity(expected)[1] or split_ambiguity(pre)[1]


# Short requests ("create", "send") read on their own only with the area's subject in front.
AREA_SUBJECT = {
    "AUTH": "auth", "TEAM": "team context", "INV": "invitations", "ROLE": "team roles", "BILL": "billing",
    "PLAN": "plan limits", "ENV": "envelope", "ERR": "errors", "RATE": "rate limit", "PAGE": "pagination",
    "MSG": "messages", "STAT": "statuses", "TPL": "templates", "CMP": "campaigns", "CNT": "contacts",
    "GRP": "contact groups", "JOB": "bulk jobs", "WH": "webhooks", "INST": "instances", "MEDIA": "media",
    "LKP": "number lookups",
}


def derive_statement(area: str, pre: str, request: str, expected: str) -> str:
    result = plain(split_ambiguity(expected)[0]).rstrip(" ;,—-")
    given = plain(split_ambiguity(pre)[0].replace("[S]", "")).strip()
    lead = plain(request)
    if "/api" not in lead:
        lead = f"{AREA_SUBJECT[area]}: {lead}"
    if given and given.lower() not in {"—", "-", "none", "any", "same"}:
        return f"{lead} (given {given}) → {result}"
    return f"{lead} → {result}"


def parse_markdown(text: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    previous_pre = ""
    for line in text.splitlines():
        match = ROW.match(line)
        if not match:
            continue
        area, number, rest = match.groups()
        gid = f"{area}-{number}"
        cells = split_cells(rest)
        if len(cells) != 4:
            raise SystemExit(f"{gid}: expected 4 cells after the ID, got {len(cells)}")
        pre, request, expected, source_cell = cells
        if pre.strip().lower() == "same":  # "same" repeats the row above
            pre = previous_pre
        previous_pre = pre
        review = REVIEW.get(gid, {})
        sources = parse_sources(source_cell, gid)
        for extra in review.get("sources_extra", []):
            url = DOCS + extra[1:]
            if url not in sources:
                sources.insert(0, url)
        status, code = review.get("expected", derive_expected(expected))
        scope = "out" if gid in OUT else "sandbox" if gid in SANDBOX else "black-box"
        entries.append({
            "id": gid,
            "area": area,
            "level": review.get("level", derive_level(pre, expected, sources)),
            "statement": review.get("statement", derive_statement(area, pre, request, expected)),
            "precondition": review.get("precondition", plain(pre)),
            "request": review.get("request", plain(request)),
            "expected": {"status": status, "code": code, "text": plain(expected)},
            "sources": sources,
            "doc_url": next((s for s in sources if s.startswith(DOCS)), None),
            "setting": SETTING_BY_ID.get(gid),
            "ambiguity": review.get("ambiguity", derive_ambiguity(pre, expected)),
            "scope": scope,
            "out_reason": OUT.get(gid),
            "checked_by": [],
        })
    return entries


def carried_checked_by(path: Path) -> dict[str, list[str]]:
    if not path.exists():
        return {}
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {g["id"]: list(g.get("checked_by") or []) for g in document.get("guarantees", [])}


HEADER = """\
# The guarantee catalog: every documented promise of the MsgFlash API, with a stable ID.
# Built once from ../shared/contract/guarantees.md by tools/build_catalog.py, then hand-reviewed (the review
# lives in that tool's tables, so a rebuild reproduces it). Suites add their test node ids to `checked_by`.
# level: MUST = docs.msgflash.com states it; SHOULD = rests on [S] sources or inference; INFO = undocumented
# (observed and reported, never failed). `setting` names the ContractSettings field the entry depends on.
# scope: black-box = checkable against any target; sandbox = needs the reference server's controls or seeded
# state; out = cannot be checked from outside (see out_reason).
"""


def main() -> int:
    entries = parse_markdown(MARKDOWN.read_text(encoding="utf-8"))
    unknown = (set(REVIEW) | set(SETTING_BY_ID) | SANDBOX | set(OUT)) - {e["id"] for e in entries}
    if unknown:
        raise SystemExit(f"review tables name IDs the markdown lacks: {sorted(unknown)}")
    previous = carried_checked_by(OUTPUT)
    for entry in entries:
        entry["checked_by"] = previous.get(entry["id"], [])
    document = {"version": 1, "guarantees": entries}
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
    OUTPUT.write_text(HEADER + body, encoding="utf-8")
    print(f"wrote {len(entries)} guarantees to {OUTPUT.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
