"""The OpenAPI description and the reference server agree on what is valid (issue 17): Schemathesis's own
input checks (positive_data_acceptance: a schema-valid request is accepted; negative_data_rejection: a
schema-violating one is refused), run by its CLI on a fixed seed against a freshly seeded reference server,
exit 0 —

* on every `/api/v1` operation with the owner's personal key;
* on the console operations of the spec with the owner's console JWT, except the four billing mutations
  (checkout, cancel, downgrade, cancel-scheduled-change: they change the owner's plan under the run; the
  console mutation suite generates them on scratch accounts). No console operation deletes the account.

The only refusals of schema-valid requests let through are the documented state refusals listed in
`schema_agreement_hooks` (a cursor, token or invitation the server never issued; pausing, resuming or
cancelling something in the wrong state; invitation lists naming the caller or an e-mail twice), each by its
operation, status and error code.
Each run gets its own server: the console run revokes the keys it lists, the public one fills workspaces.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from msgflash_compliance.contract.paths import SPEC_PATH
from msgflash_reference.server_thread import RunningServer
from tests.contract.schema_agreement_hooks import is_state_refusal
from tests.reference.harness import start_server

HOOKS = Path(__file__).with_name("schema_agreement_hooks.py")
SEED = 1
MAX_EXAMPLES = 15
CHECKS = "positive_data_acceptance,negative_data_rejection"
PHASES = "examples,coverage,fuzzing"
BILLING_MUTATIONS = r"^console(CreateCheckout|CancelSubscription|DowngradeSubscription|CancelScheduledChange)$"
REPORT_TAIL = 12_000  # characters of the CLI's output shown on a failure


def schemathesis_cli() -> str:
    found = Path(sys.executable).with_name("schemathesis")
    assert found.exists(), f"the schemathesis CLI is not installed beside {sys.executable}"
    return str(found)


def run_schemathesis(server: RunningServer, workdir: Path, header: str, *selection: str) -> None:
    """The agreement run over `selection`; fails with the CLI's report unless it exits 0."""
    command = [
        schemathesis_cli(), "run", str(SPEC_PATH), "--url", server.base_url, "-H", header, *selection,
        "--checks", CHECKS, "--phases", PHASES, "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
        "--output-sanitize", "true",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)}
    # cwd: Schemathesis keeps its cache (.schemathesis/) in the working directory, never in the checkout
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (
        f"schemathesis exited {done.returncode}: the spec and the reference server disagree\n"
        + (done.stdout + done.stderr)[-REPORT_TAIL:]
    )


@pytest.fixture
def server(tmp_path: Path) -> RunningServer:
    running = start_server(tmp_path)
    yield running
    running.stop()


def test_every_public_operation_agrees_with_the_personal_key(server: RunningServer, tmp_path: Path) -> None:
    assert server.seed is not None
    key = server.seed.identities["owner"].api_key
    run_schemathesis(server, tmp_path, f"x-api-key: {key}", "--include-path-regex", "^/api/v1/")


def test_console_operations_agree_with_the_owner_session(server: RunningServer, tmp_path: Path) -> None:
    assert server.seed is not None
    owner = server.seed.identities["owner"]
    login = httpx.post(f"{server.base_url}/api/auth/login", json={"email": owner.email, "password": owner.password})
    assert login.status_code == 200, login.text
    token = login.json()["data"]["token"]
    run_schemathesis(
        server, tmp_path, f"Authorization: Bearer {token}",
        "--include-path-regex", "^/api/(?!v1/)", "--exclude-operation-id-regex", BILLING_MUTATIONS,
    )


@dataclass
class _Operation:
    label: str


@dataclass
class _Case:
    label: str
    query: dict[str, str] = field(default_factory=dict)

    @property
    def operation(self) -> _Operation:
        return _Operation(self.label)


@dataclass
class _Answer:
    status_code: int
    error: dict[str, object]

    @property
    def content(self) -> bytes:
        return json.dumps({"error": self.error}).encode()


CURSOR_DETAILS = [{"field": "cursor", "message": "is not a valid cursor for this listing and sort"}]


@pytest.mark.parametrize(
    ("case", "answer", "let_through"),
    [
        (_Case("GET /api/v1/contacts", {"cursor": "0"}), _Answer(400, {"code": "VALIDATION_ERROR",
                                                                       "details": CURSOR_DETAILS}), True),
        (_Case("GET /api/v1/contacts", {"cursor": "0", "limit": "5"}),
         _Answer(400, {"code": "VALIDATION_ERROR", "details": [*CURSOR_DETAILS, {"field": "limit"}]}), False),
        (_Case("GET /api/v1/contacts", {}), _Answer(400, {"code": "VALIDATION_ERROR", "details": CURSOR_DETAILS}),
         False),
        (_Case("POST /api/v1/campaigns/{id}/pause"), _Answer(400, {"code": "BAD_REQUEST"}), True),
        (_Case("POST /api/v1/campaigns/{id}/pause"), _Answer(400, {"code": "VALIDATION_ERROR"}), False),
        (_Case("POST /api/v1/campaigns"), _Answer(400, {"code": "BAD_REQUEST"}), False),
        (_Case("POST /api/v1/templates"), _Answer(400, {"code": "TEMPLATE_INVALID"}), True),
        (_Case("POST /api/v1/templates"), _Answer(400, {"code": "VALIDATION_ERROR"}), False),
        (_Case("POST /api/teams/invitations/accept"), _Answer(410, {"code": "INVITE_INVALID_OR_EXPIRED"}), True),
        (_Case("POST /api/teams/invitations/accept"), _Answer(400, {"code": "INVITE_INVALID_OR_EXPIRED"}), False),
    ],
)
def test_only_the_documented_state_refusals_are_let_through(case: _Case, answer: _Answer, let_through: bool) -> None:
    """The hooks drop nothing but the listed refusals: a VALIDATION_ERROR to a valid body always stays a failure."""
    assert is_state_refusal(case, answer) is let_through
