"""Templates (TPL-01..09, facts §11.5, G7): creating one and its detected `variables`, invalid placeholders,
the content each type needs, the types a template cannot have, `variables` recomputed by the server, preview
(rendered, missing variables, nothing sent), page/limit listing.

Templates and contacts are made through the factory; a create that should have been refused but was not is
still deleted at the end of the run.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import strategies as st

from fixtures.assertions import check, expect_error, expect_ok
from fixtures.clients import Actor
from fixtures.factories import DataFactory
from msgflash_compliance.profile import TargetProfile
from suites.areas.common import missing_fields, require_writes, track_wrong_create
from suites.areas.properties import run_property
from suites.areas.shapes import TEMPLATE_FIELDS, TEMPLATE_PREVIEW_FIELDS

TEMPLATES = "/api/v1/templates"
NAMESPACES = ("contact", "user", "instance", "custom")
MEDIA_URL = "https://example.invalid/media/picture.png"
DEFAULT_LIMIT = 20


def _create(owner: Actor, factory: DataFactory, body: dict[str, Any]) -> Any:
    """POST a template that should be refused; if it is not, the run still deletes it."""
    response = owner.api.post(TEMPLATES, json={"name": factory.name("template"), **body})
    track_wrong_create(response, owner.api, factory, "template", TEMPLATES + "/{id}")
    return response


@pytest.mark.smoke
@pytest.mark.guarantee("TPL-01")
def test_a_template_lists_its_variables(owner: Actor, factory: DataFactory) -> None:
    template = factory.template(owner.api, type="text", body="Hello {{contact.firstName}}")
    missing = missing_fields(template, TEMPLATE_FIELDS)
    check(not missing, f"POST {TEMPLATES}: the created template lacks {missing}", guarantee="TPL-01")
    got = {k: template[k] for k in ("type", "body", "mediaUrl", "variables")}
    expected = {"type": "text", "body": "Hello {{contact.firstName}}", "mediaUrl": None,
                "variables": ["contact.firstName"]}
    check(got == expected, f"POST {TEMPLATES}: expected {expected}, got {got}", guarantee="TPL-01")


def _bad_placeholder() -> st.SearchStrategy[str]:
    unknown = st.from_regex(r"\A[a-z][a-z0-9]{1,10}\Z").filter(lambda n: n not in NAMESPACES)
    field = st.from_regex(r"\A[a-zA-Z][a-zA-Z0-9]{0,10}\Z")
    return st.one_of(
        st.builds(lambda ns, f: "{{" + f"{ns}.{f}" + "}}", unknown, field),  # a namespace not in the docs
        st.sampled_from(NAMESPACES).map(lambda ns: "{{" + ns + "}}"),  # a namespace without a field
        st.builds(lambda ns, f: "{{" + f"{ns}.{f}", st.sampled_from(NAMESPACES), field),  # never closed
    )


@pytest.mark.guarantee("TPL-02")
def test_an_invalid_placeholder_is_refused(owner: Actor, factory: DataFactory, profile: TargetProfile) -> None:
    require_writes(profile)

    def refused(placeholder: str) -> None:
        response = _create(owner, factory, {"type": "text", "body": f"Hi {placeholder} there"})
        expect_error(response, 400, "TEMPLATE_INVALID", guarantee="TPL-02")

    run_property(refused, placeholder=_bad_placeholder(),
                 explicit=[{"placeholder": "{{order.number}}"}, {"placeholder": "{{contact}}"}])


@pytest.mark.guarantee("TPL-03")
def test_a_text_template_needs_a_body(owner: Actor, factory: DataFactory, profile: TargetProfile) -> None:
    require_writes(profile)
    expect_error(_create(owner, factory, {"type": "text"}), 400, "VALIDATION_ERROR", guarantee="TPL-03")


@pytest.mark.guarantee("TPL-04")
def test_a_media_template_needs_a_media_url(owner: Actor, factory: DataFactory, profile: TargetProfile) -> None:
    require_writes(profile)
    response = _create(owner, factory, {"type": "image", "body": "A caption"})
    expect_error(response, 400, "VALIDATION_ERROR", guarantee="TPL-04")


@pytest.mark.guarantee("TPL-05")
@pytest.mark.parametrize("kind", ["voice_note", "location", "contact", "buttons"])
def test_types_a_template_cannot_have(kind: str, owner: Actor, factory: DataFactory,
                                      profile: TargetProfile) -> None:
    require_writes(profile)
    response = _create(owner, factory, {"type": kind, "body": "Hello", "mediaUrl": MEDIA_URL})
    expect_error(response, 400, "VALIDATION_ERROR", guarantee="TPL-05")


@pytest.mark.guarantee("TPL-06")
def test_variables_are_recomputed_from_the_body(owner: Actor, factory: DataFactory) -> None:
    template = factory.template(owner.api, body="Your code: {{custom.code}}",
                               variables=["custom.bogus", "contact.lastName"])
    check(template.get("variables") == ["custom.code"],
          f"POST {TEMPLATES} with a hand-written variables list kept {template.get('variables')!r}; the server "
          "recomputes variables from the body (expected ['custom.code'])", guarantee="TPL-06")
    path = f"{TEMPLATES}/{template['id']}"
    updated = expect_ok(owner.api.put(path, json={"body": "Bye {{user.firstName}}", "variables": ["custom.nope"]}),
                        guarantee="TPL-06")
    check(updated.get("variables") == ["user.firstName"],
          f"PUT {TEMPLATES}/{{id}} with a hand-written variables list answered {updated.get('variables')!r}; "
          "expected ['user.firstName'] from the new body", guarantee="TPL-06")


@pytest.fixture
def greeting(owner: Actor, factory: DataFactory) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A template reading a contact's first name and `custom.code`, a contact, and that contact's first name."""
    first = factory.name("ada")  # one word: the first name of "<first> Lovelace"
    contact = factory.contact(owner.api, name=f"{first} Lovelace")
    template = factory.template(owner.api, body="Hello {{contact.firstName}}, your code is {{custom.code}}")
    return template, contact, first


def _newest_message_id(owner: Actor) -> str | None:
    data = expect_ok(owner.api.get("/api/v1/messages", params={"limit": 1}), guarantee="TPL-07")
    messages = data.get("messages") if isinstance(data, dict) else None
    return messages[0].get("id") if messages and isinstance(messages[0], dict) else None


@pytest.mark.guarantee("TPL-07")
def test_preview_renders_and_sends_nothing(owner: Actor,
                                           greeting: tuple[dict[str, Any], dict[str, Any], str]) -> None:
    template, contact, first = greeting
    newest = _newest_message_id(owner)
    body = {"contactId": contact["id"], "variables": {"code": "X1"}}
    data = expect_ok(owner.api.post(f"{TEMPLATES}/{template['id']}/preview", json=body), guarantee="TPL-07")
    missing = missing_fields(data, TEMPLATE_PREVIEW_FIELDS)
    check(not missing, f"POST {TEMPLATES}/{{id}}/preview: the answer lacks {missing}", guarantee="TPL-07")
    expected = {"rendered": f"Hello {first}, your code is X1", "missingVariables": [], "valid": True,
                "variables": ["contact.firstName", "custom.code"]}
    got = {k: data.get(k) for k in expected}
    check(got == expected, f"preview with the contact and variables.code: expected {expected}, got {got}",
          guarantee="TPL-07")
    check(_newest_message_id(owner) == newest, "a message appeared in GET /api/v1/messages after a preview; "
          "preview must send nothing", guarantee="TPL-07")


@pytest.mark.guarantee("TPL-08")
def test_preview_lists_what_it_cannot_fill(owner: Actor,
                                           greeting: tuple[dict[str, Any], dict[str, Any], str]) -> None:
    template, contact, _ = greeting
    data = expect_ok(owner.api.post(f"{TEMPLATES}/{template['id']}/preview", json={"contactId": contact["id"]}),
                     guarantee="TPL-08")
    got = {k: data.get(k) for k in ("missingVariables", "valid")} if isinstance(data, dict) else data
    check(got == {"missingVariables": ["custom.code"], "valid": False},
          f"preview without variables.code: expected missingVariables ['custom.code'] and valid false, got {got}",
          guarantee="TPL-08")


@pytest.mark.guarantee("TPL-09")
@pytest.mark.serial  # checked alone: walks the whole listing by page number, which other checks' templates would shift
def test_templates_are_listed_by_page(owner: Actor, factory: DataFactory) -> None:
    made = {factory.template(owner.api)["id"] for _ in range(3)}
    first = expect_ok(owner.api.get(TEMPLATES), guarantee="TPL-09")
    check(isinstance(first, dict) and first.get("page") == 1 and first.get("limit") == DEFAULT_LIMIT,
          f"GET {TEMPLATES}: expected page 1 and limit {DEFAULT_LIMIT} by default, got page "
          f"{(first or {}).get('page')!r}, limit {(first or {}).get('limit')!r}", guarantee="TPL-09")
    total = first.get("total")
    check(isinstance(total, int) and total >= len(made), f"GET {TEMPLATES}: total {total!r} is not the count",
          guarantee="TPL-09")
    check(len(first.get("templates") or []) == min(total, DEFAULT_LIMIT),
          f"GET {TEMPLATES}: {len(first.get('templates') or [])} templates on the first page of {total}",
          guarantee="TPL-09")
    limit = max(1, math.ceil(total / 4))  # at most about 5 pages, at least 2 (3 templates or more)
    seen: list[str] = []
    pages = math.ceil(total / limit)
    for number in range(1, pages + 2):  # one page past the last: empty
        data = expect_ok(owner.api.get(TEMPLATES, params={"page": number, "limit": limit}), guarantee="TPL-09")
        rows = data.get("templates") or []
        check(data.get("page") == number and data.get("totalPages") == pages,
              f"GET {TEMPLATES}?page={number}&limit={limit}: page {data.get('page')!r}, totalPages "
              f"{data.get('totalPages')!r}; expected {number} and {pages}", guarantee="TPL-09")
        expected_rows = max(0, min(limit, total - (number - 1) * limit))
        check(len(rows) == expected_rows, f"GET {TEMPLATES}?page={number}&limit={limit}: {len(rows)} templates, "
              f"expected {expected_rows} of {total}", guarantee="TPL-09")
        seen += [r["id"] for r in rows if isinstance(r, dict)]
    check(len(seen) == len(set(seen)) and made <= set(seen),
          f"walking {pages} pages of {limit}: {len(seen) - len(set(seen))} repeated, "
          f"{len(made - set(seen))} of the run's templates never listed", guarantee="TPL-09")
