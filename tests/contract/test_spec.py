"""Self-tests for openapi/msgflash-v1.yaml: valid OpenAPI 3.1, complete, shaped the way the suites rely on.

The expected operations are written out here (not read from ../shared), so removing or renaming an operation
in the spec fails a test instead of silently shrinking what the suite checks.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from openapi_spec_validator import validate

from msgflash_compliance.contract.openapi import load_spec, operations, resolve
from msgflash_compliance.contract.paths import SPEC_PATH

# (method, path, operationId) for every documented route, grouped by the facts digest section it comes from.
PUBLIC_OPERATIONS: list[tuple[str, str, str]] = [
    # §11.1 account and usage
    ("GET", "/api/v1/me", "getMe"),
    ("GET", "/api/v1/usage", "getLegacyUsage"),
    # §11.2 billing (read-only)
    ("GET", "/api/v1/billing/plans", "listPlans"),
    ("GET", "/api/v1/billing/subscription", "getSubscription"),
    ("GET", "/api/v1/billing/usage", "getBillingUsage"),
    ("GET", "/api/v1/billing/payments", "listPayments"),
    # §11.3 messages, §11.4 statuses
    ("POST", "/api/v1/messages/send", "sendMessage"),
    ("POST", "/api/v1/messages/schedule", "scheduleMessage"),
    ("GET", "/api/v1/messages", "listMessages"),
    ("GET", "/api/v1/messages/{id}", "getMessage"),
    ("POST", "/api/v1/statuses", "publishStatus"),
    # §11.5 templates
    ("GET", "/api/v1/templates", "listTemplates"),
    ("POST", "/api/v1/templates", "createTemplate"),
    ("GET", "/api/v1/templates/{id}", "getTemplate"),
    ("PUT", "/api/v1/templates/{id}", "updateTemplate"),
    ("DELETE", "/api/v1/templates/{id}", "deleteTemplate"),
    ("POST", "/api/v1/templates/{id}/preview", "previewTemplate"),
    # §11.6 campaigns
    ("POST", "/api/v1/campaigns", "createCampaign"),
    ("GET", "/api/v1/campaigns/{id}", "getCampaign"),
    ("POST", "/api/v1/campaigns/{id}/pause", "pauseCampaign"),
    ("POST", "/api/v1/campaigns/{id}/resume", "resumeCampaign"),
    # §11.7 contacts, §11.9 bulk jobs
    ("GET", "/api/v1/contacts", "listContacts"),
    ("POST", "/api/v1/contacts", "createContact"),
    ("GET", "/api/v1/contacts/{id}", "getContact"),
    ("PUT", "/api/v1/contacts/{id}", "updateContact"),
    ("DELETE", "/api/v1/contacts/{id}", "deleteContact"),
    ("POST", "/api/v1/contacts/bulk-delete", "bulkDeleteContacts"),
    ("GET", "/api/v1/contacts/bulk-jobs", "listBulkJobs"),
    ("GET", "/api/v1/contacts/bulk-jobs/{jobId}", "getBulkJob"),
    ("GET", "/api/v1/contacts/bulk-jobs/{jobId}/progress", "getBulkJobProgress"),
    ("POST", "/api/v1/contacts/bulk-jobs/{jobId}/cancel", "cancelBulkJob"),
    # §11.8 contact groups (+ reference choice G6)
    ("GET", "/api/v1/contacts/groups", "listContactGroups"),
    ("POST", "/api/v1/contacts/groups", "createContactGroup"),
    ("GET", "/api/v1/contacts/groups/{groupId}", "getContactGroup"),
    ("PUT", "/api/v1/contacts/groups/{groupId}", "updateContactGroup"),
    ("DELETE", "/api/v1/contacts/groups/{groupId}", "deleteContactGroup"),
    ("GET", "/api/v1/contacts/groups/{groupId}/members", "listGroupMembers"),
    ("POST", "/api/v1/contacts/groups/{groupId}/members", "addGroupMembers"),
    ("DELETE", "/api/v1/contacts/groups/{groupId}/members", "removeGroupMembers"),
    # §11.10 webhooks
    ("GET", "/api/v1/webhooks", "listWebhooks"),
    ("POST", "/api/v1/webhooks", "createWebhook"),
    ("DELETE", "/api/v1/webhooks/{id}", "deleteWebhook"),
    # §11.11 instances
    ("GET", "/api/v1/instances", "listInstances"),
    ("GET", "/api/v1/instances/{id}", "getInstance"),
    ("GET", "/api/v1/instances/{id}/state", "getInstanceState"),
    ("GET", "/api/v1/instances/{id}/health", "getInstanceHealth"),
    # §11.13 number lookups
    ("POST", "/api/v1/number-lookups", "createNumberLookup"),
    ("GET", "/api/v1/number-lookups", "listNumberLookups"),
    ("GET", "/api/v1/number-lookups/{id}", "getNumberLookup"),
    ("GET", "/api/v1/number-lookups/{id}/progress", "getNumberLookupProgress"),
    ("POST", "/api/v1/number-lookups/{id}/cancel", "cancelNumberLookup"),
    ("POST", "/api/v1/number-lookups/{id}/import-contacts", "importNumberLookupContacts"),
]

CONSOLE_OPERATIONS: list[tuple[str, str, str]] = [
    # §1 console auth (Google OAuth left out: a browser redirect)
    ("POST", "/api/auth/signup", "consoleSignup"),
    ("POST", "/api/auth/login", "consoleLogin"),
    ("POST", "/api/auth/resend-verification", "consoleResendVerification"),
    ("GET", "/api/auth/verify-email/validate", "consoleValidateVerificationToken"),
    ("POST", "/api/auth/verify-email", "consoleVerifyEmail"),
    ("POST", "/api/auth/forgot-password", "consoleForgotPassword"),
    ("GET", "/api/auth/reset-password/validate", "consoleValidateResetToken"),
    ("POST", "/api/auth/reset-password", "consoleResetPassword"),
    ("GET", "/api/auth/me", "consoleGetMe"),
    # §2.2 workspace
    ("GET", "/api/workspace/current", "consoleGetCurrentWorkspace"),
    # §4.2 console billing
    ("GET", "/api/billing/plans", "consoleListPlans"),
    ("GET", "/api/billing/subscription", "consoleGetSubscription"),
    ("GET", "/api/billing/usage", "consoleGetUsage"),
    ("GET", "/api/billing/payments", "consoleListPayments"),
    ("POST", "/api/billing/checkout", "consoleCreateCheckout"),
    ("POST", "/api/billing/cancel", "consoleCancelSubscription"),
    ("POST", "/api/billing/downgrade", "consoleDowngradeSubscription"),
    ("POST", "/api/billing/cancel-scheduled-change", "consoleCancelScheduledChange"),
    # §12 teams
    ("GET", "/api/teams", "consoleListTeams"),
    ("POST", "/api/teams", "consoleCreateTeam"),
    ("GET", "/api/teams/{teamId}", "consoleGetTeam"),
    ("PATCH", "/api/teams/{teamId}", "consoleRenameTeam"),
    ("DELETE", "/api/teams/{teamId}", "consoleDeleteTeam"),
    ("POST", "/api/teams/{teamId}/invitations", "consoleCreateInvitation"),
    ("POST", "/api/teams/{teamId}/invitations/{invitationId}/resend", "consoleResendInvitation"),
    ("DELETE", "/api/teams/{teamId}/invitations/{invitationId}", "consoleRevokeInvitation"),
    ("DELETE", "/api/teams/{teamId}/members/{userId}", "consoleRemoveMember"),
    ("POST", "/api/teams/{teamId}/members/leave", "consoleLeaveTeam"),
    ("GET", "/api/teams/{teamId}/instance-assignments", "consoleListInstanceAssignments"),
    ("POST", "/api/teams/{teamId}/instance-assignments", "consoleAssignInstance"),
    ("DELETE", "/api/teams/{teamId}/instance-assignments", "consoleUnassignInstance"),
    ("GET", "/api/teams/{teamId}/api-keys", "consoleListTeamApiKeys"),
    ("POST", "/api/teams/{teamId}/api-keys", "consoleCreateTeamApiKey"),
    ("DELETE", "/api/teams/{teamId}/api-keys/{keyId}", "consoleRevokeTeamApiKey"),
    ("GET", "/api/teams/invitations/mine", "consoleListMyInvitations"),
    ("POST", "/api/teams/invitations/accept", "consoleAcceptInvitation"),
    # §12 unified API keys
    ("GET", "/api/api-keys", "consoleListApiKeys"),
    ("POST", "/api/api-keys", "consoleCreateApiKey"),
    ("DELETE", "/api/api-keys/{id}", "consoleRevokeApiKey"),
    ("GET", "/api/api-keys/usage", "consoleGetApiKeyUsage"),
    # reference choice G20
    ("GET", "/api/contacts", "consoleListContacts"),
    ("POST", "/api/contacts", "consoleCreateContact"),
]

EXPECTED_OPERATIONS = PUBLIC_OPERATIONS + CONSOLE_OPERATIONS

# Console routes reachable without a JWT.
UNAUTHENTICATED_CONSOLE_PATHS = {
    "/api/auth/signup", "/api/auth/login", "/api/auth/resend-verification", "/api/auth/verify-email/validate",
    "/api/auth/verify-email", "/api/auth/forgot-password", "/api/auth/reset-password/validate",
    "/api/auth/reset-password", "/api/billing/plans",
}

# facts §7: every code the docs, [S] sources and the portal code show.
DOCUMENTED_ERROR_CODES = {
    "UNAUTHORIZED", "FORBIDDEN", "SUBSCRIPTION_INACTIVE", "API_RATE_LIMIT_EXCEEDED",
    "MONTHLY_API_REQUEST_QUOTA_EXCEEDED", "MONTHLY_OUTBOUND_QUOTA_EXCEEDED", "MAX_INSTANCES_REACHED",
    "API_KEYS_NOT_AVAILABLE_ON_PLAN", "MAX_API_KEYS_REACHED", "WEBHOOKS_NOT_AVAILABLE_ON_PLAN",
    "MAX_WEBHOOK_ENDPOINTS_REACHED", "CAMPAIGNS_NOT_AVAILABLE_ON_PLAN", "STATUSES_NOT_AVAILABLE_ON_PLAN",
    "MAX_CONTACT_GROUPS_REACHED", "FEATURE_NOT_AVAILABLE_ON_PLAN", "VALIDATION_ERROR", "BAD_REQUEST",
    "TEMPLATE_INVALID", "TEMPLATE_VARIABLES_MISSING", "TEMPLATE_CONTEXT_UNAVAILABLE", "INVALID_DESTINATION",
    "NOT_FOUND", "CONFLICT", "INTERNAL_ERROR", "PROVIDER_TIMEOUT", "PROVIDER_UNAVAILABLE", "PROVIDER_ERROR",
    "TEAM_KEY_REQUIRED", "TEAM_KEY_NOT_ALLOWED", "TEAM_NOT_FOUND", "BILLING_TEAM_MUTATION_FORBIDDEN",
    "BILLING_PAYMENTS_TEAM_OWNER_ONLY", "EMAIL_NOT_VERIFIED", "PLAN_CHANGE_BLOCKED_ACTIVE_TEAMS",
    "TEAM_ACCESS_DENIED", "TEAM_FEATURE_UNAVAILABLE", "TEAM_LIMIT_REACHED", "TEAM_SEAT_LIMIT_REACHED",
    "INSTANCE_NOT_ASSIGNED", "INVITE_INVALID_OR_EXPIRED", "INVITE_EMAIL_MISMATCH", "INVITE_DUPLICATE_MEMBER",
    "DOWNGRADE_ALREADY_SCHEDULED", "INVALID_PLAN_CHANGE", "ALREADY_ON_FREE_PLAN", "NO_SCHEDULED_CHANGE",
}

# operationId -> (default, maximum) of its `limit` query parameter (facts §9, G6, G7, G9, G11).
LIMIT_DEFAULTS = {
    "listContacts": 50, "consoleListContacts": 50, "listContactGroups": 50, "listGroupMembers": 50,
    "listBulkJobs": 20, "listTemplates": 20, "listPayments": 20, "consoleListPayments": 20,
    "listMessages": 20, "listNumberLookups": 20,
}

# Cursor lists and the items key of their page.
CURSOR_LISTS = {
    "listContacts": "contacts", "consoleListContacts": "contacts", "listContactGroups": "groups",
    "listGroupMembers": "members", "listBulkJobs": "jobs", "listMessages": "messages",
    "listNumberLookups": "lookups",
}

# create operation -> operations its 201 response links to with the new id.
CREATE_LINKS = {
    "createContact": {"getContact", "updateContact", "deleteContact"},
    "createContactGroup": {"getContactGroup", "updateContactGroup", "deleteContactGroup"},
    "createTemplate": {"getTemplate", "updateTemplate", "deleteTemplate"},
    "createWebhook": {"deleteWebhook"},
}

# Request bodies whose fields the docs list, so unknown fields must be refused.
STRICT_BODIES = {
    "sendMessage", "scheduleMessage", "publishStatus", "createTemplate", "updateTemplate", "previewTemplate",
    "createCampaign", "createContact", "updateContact", "bulkDeleteContacts", "createContactGroup",
    "addGroupMembers", "removeGroupMembers", "createWebhook", "createNumberLookup", "consoleCreateTeam",
    "consoleCreateInvitation", "consoleAcceptInvitation", "consoleAssignInstance", "consoleCreateApiKey",
    "consoleCreateContact", "consoleCreateCheckout", "consoleDowngradeSubscription",
}

# Reusable error responses, one per documented error status (405 is reference choice G15).
ERROR_RESPONSES = (
    "BadRequest", "Unauthorized", "Forbidden", "NotFound", "MethodNotAllowed", "Conflict", "Gone",
    "UnprocessableEntity", "TooManyRequests", "BadGateway",
)


def iter_operations() -> Iterator[tuple[str, str, dict[str, Any], list[dict[str, Any]]]]:
    """(METHOD, path, operation, parameters incl. path-level ones, resolved)."""
    for op in operations():
        yield op.method, op.path, op.definition, op.parameters()


def operations_by_id() -> dict[str, tuple[str, str, dict[str, Any], list[dict[str, Any]]]]:
    return {op["operationId"]: (m, p, op, params) for m, p, op, params in iter_operations()}


def statuses(operation: dict[str, Any]) -> set[str]:
    return set(operation["responses"])


def test_spec_is_valid_openapi_3_1() -> None:
    spec = load_spec()
    assert spec["openapi"] == "3.1.0"
    validate(spec)
    assert spec["servers"][0]["url"] == "http://127.0.0.1:8765"


def test_every_documented_route_is_present_with_its_operation_id() -> None:
    actual = {(m, p, op.get("operationId")) for m, p, op, _ in iter_operations()}
    expected = set(EXPECTED_OPERATIONS)
    assert not expected - actual, f"missing or renamed: {sorted(expected - actual)}"
    assert not actual - expected, f"not in the expected list: {sorted(actual - expected)}"


def test_operation_ids_are_unique_and_operations_are_tagged() -> None:
    declared_tags = {tag["name"] for tag in load_spec()["tags"]}
    ids = [op["operationId"] for _, _, op, _ in iter_operations()]
    assert len(ids) == len(set(ids))
    for method, path, op, _ in iter_operations():
        assert op.get("tags"), f"{method} {path} has no tag"
        assert set(op["tags"]) <= declared_tags, f"{method} {path} uses an undeclared tag"
        is_console = not path.startswith("/api/v1/")
        assert op["operationId"].startswith("console") == is_console, op["operationId"]


def test_every_operation_declares_a_success_and_a_client_error_and_no_default() -> None:
    for method, path, op, _ in iter_operations():
        codes = statuses(op)
        assert "default" not in codes, f"{method} {path}: `default` would hide status mismatches"
        assert any(c.startswith("2") for c in codes), f"{method} {path} has no 2xx"
        assert any(c.startswith("4") for c in codes), f"{method} {path} has no 4xx"


def test_public_operations_use_the_api_key_and_declare_auth_team_and_rate_limit_answers() -> None:
    for method, path, op, params in iter_operations():
        if not path.startswith("/api/v1/"):
            continue
        label = f"{method} {path}"
        assert op["security"] == [{"apiKey": []}], label
        assert {"400", "401", "403", "429"} <= statuses(op), label
        assert any(p["name"] == "X-Team-Id" and p["in"] == "header" for p in params), label
        if "{" in path:
            assert "404" in statuses(op), label


def test_console_operations_use_the_jwt_and_the_team_header_only_on_resource_routes() -> None:
    for method, path, op, params in iter_operations():
        if path.startswith("/api/v1/"):
            continue
        label = f"{method} {path}"
        takes_team_header = any(p["name"] == "X-Team-Id" for p in params)
        if path in UNAUTHENTICATED_CONSOLE_PATHS:
            assert op["security"] == [], label
        else:
            assert op["security"] == [{"bearerJwt": []}], label
            assert "401" in statuses(op), label
        if path.startswith(("/api/auth/", "/api/teams")):
            assert not takes_team_header, f"{label} must not take X-Team-Id"
        elif path != "/api/billing/plans":
            assert takes_team_header, f"{label} should take X-Team-Id"
            assert "404" in statuses(op), f"{label}: TEAM_NOT_FOUND"


def test_team_header_is_an_optional_uuid() -> None:
    header = load_spec()["components"]["parameters"]["TeamId"]
    assert {"name": "X-Team-Id", "in": "header", "required": False}.items() <= header.items()
    assert header["schema"] == {"type": "string", "format": "uuid"}


def test_security_schemes() -> None:
    schemes = load_spec()["components"]["securitySchemes"]
    assert {"type": "apiKey", "in": "header", "name": "x-api-key"}.items() <= schemes["apiKey"].items()
    assert schemes["bearerJwt"]["type"] == "http"
    assert schemes["bearerJwt"]["scheme"] == "bearer"
    assert schemes["bearerJwt"]["bearerFormat"] == "JWT"


def test_error_code_enum_holds_every_documented_code_and_marks_the_undocumented_one() -> None:
    code = load_spec()["components"]["schemas"]["ErrorCode"]
    assert set(code["enum"]) == DOCUMENTED_ERROR_CODES | {"METHOD_NOT_ALLOWED"}
    assert code["x-not-in-docs"] == ["METHOD_NOT_ALLOWED"]


def test_every_error_response_uses_the_one_error_envelope() -> None:
    responses = load_spec()["components"]["responses"]
    for name in ERROR_RESPONSES:
        schema = responses[name]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}, name
    for method, path, op, _ in iter_operations():
        for status, response in op["responses"].items():
            if status[0] in "45":
                schema = resolve(response)["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}, f"{method} {path} {status}"


def test_success_bodies_are_wrapped_in_data() -> None:
    for method, path, op, _ in iter_operations():
        for status, response in op["responses"].items():
            content = resolve(response).get("content")
            if status.startswith("2") and content:
                schema = resolve(content["application/json"]["schema"])
                assert schema["required"] == ["data"], f"{method} {path} {status}"


@pytest.mark.parametrize(("operation_id", "default"), sorted(LIMIT_DEFAULTS.items()))
def test_limit_bounds_and_defaults(operation_id: str, default: int) -> None:
    _, _, _, params = operations_by_id()[operation_id]
    (limit,) = [p for p in params if p["name"] == "limit"]
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": default}


def test_documented_value_bounds() -> None:
    schemas = load_spec()["components"]["schemas"]
    assert {"minItems": 1, "maxItems": 10000}.items() <= schemas["ContactIds"].items()
    numbers = schemas["NumberLookupCreateRequest"]["properties"]["numbers"]
    assert (numbers["minItems"], numbers["maxItems"]) == (1, 10000)
    events = schemas["WebhookCreateRequest"]["properties"]["events"]
    assert (events["minItems"], events["maxItems"]) == (1, 50)
    assert len(schemas["WebhookEvent"]["enum"]) == 7
    assert schemas["Buttons"]["maxItems"] == 2
    assert schemas["E164Phone"]["pattern"] == r"^\+[1-9][0-9]{6,14}$"
    assert schemas["PersonalKeySecret"]["pattern"] == "^msgf_live_[0-9a-f]{64}$"
    assert schemas["TeamKeySecret"]["pattern"] == "^msgf_team_[0-9a-f]{64}$"
    assert len(schemas["MessageType"]["enum"]) == 9
    assert len(schemas["CampaignType"]["enum"]) == 7
    assert len(schemas["TemplateType"]["enum"]) == 5
    assert schemas["PublishStatusRequest"]["properties"]["type"]["enum"] == ["text", "image"]
    assert schemas["ContactSort"]["enum"] == ["createdAt_desc", "name_asc"]
    search = load_spec()["components"]["parameters"]["Search"]["schema"]
    assert (search["minLength"], search["maxLength"]) == (1, 100)


@pytest.mark.parametrize("operation_id", sorted(STRICT_BODIES))
def test_documented_request_bodies_refuse_unknown_fields(operation_id: str) -> None:
    _, _, op, _ = operations_by_id()[operation_id]
    schema = resolve(resolve(op["requestBody"])["content"]["application/json"]["schema"])
    assert schema.get("additionalProperties") is False


@pytest.mark.parametrize(("operation_id", "items_key"), sorted(CURSOR_LISTS.items()))
def test_cursor_lists_page_with_next_cursor_and_link_to_themselves(operation_id: str, items_key: str) -> None:
    _, _, op, params = operations_by_id()[operation_id]
    assert any(p["name"] == "cursor" for p in params)
    ok = op["responses"]["200"]
    page = resolve(resolve(ok["content"]["application/json"]["schema"])["properties"]["data"])
    assert items_key in page["required"]
    assert {"$ref": "#/components/schemas/CursorPage"} in page["allOf"]
    next_page = ok["links"]["NextPage"]
    assert next_page["operationId"] == operation_id
    assert next_page["parameters"]["cursor"] == "$response.body#/data/nextCursor"


@pytest.mark.parametrize(("operation_id", "targets"), sorted(CREATE_LINKS.items()))
def test_creates_link_to_the_created_resource(operation_id: str, targets: set[str]) -> None:
    _, _, op, _ = operations_by_id()[operation_id]
    links = op["responses"]["201"]["links"].values()
    new_id = "$response.body#/data/id"
    linked = {link["operationId"] for link in links if new_id in link["parameters"].values()}
    assert targets <= linked


def test_async_bulk_answers_link_to_their_job() -> None:
    accepted = load_spec()["components"]["responses"]["BulkJobAccepted"]
    assert accepted["links"]["GetBulkJob"]["parameters"]["jobId"] == "$response.body#/data/jobId"
    for operation_id in ("bulkDeleteContacts", "addGroupMembers", "removeGroupMembers"):
        _, _, op, _ = operations_by_id()[operation_id]
        assert op["responses"]["202"] == {"$ref": "#/components/responses/BulkJobAccepted"}


def test_every_link_targets_an_existing_operation() -> None:
    known = set(operations_by_id())
    for method, path, op, _ in iter_operations():
        for response in op["responses"].values():
            for name, link in resolve(response).get("links", {}).items():
                assert link["operationId"] in known, f"{method} {path}: link {name}"


def test_doc_references_point_at_the_docs_site() -> None:
    with_doc = 0
    for method, path, op, _ in iter_operations():
        if "x-doc" in op:
            with_doc += 1
            assert op["x-doc"].startswith("https://docs.msgflash.com/"), f"{method} {path}"
    assert with_doc >= 70


def test_schemathesis_loads_one_operation_per_route_and_builds_the_state_machine() -> None:
    schema = schemathesis.openapi.from_path(SPEC_PATH)
    labels = [result.ok().label for result in schema.get_all_operations()]
    assert sorted(labels) == sorted(f"{m} {p}" for m, p, _ in EXPECTED_OPERATIONS)
    # Building the state machine resolves every link; a broken one raises here.
    assert schema.as_state_machine() is not None
