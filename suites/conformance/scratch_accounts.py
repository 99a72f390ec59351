"""Disposable console accounts on a sandbox, for generated requests that may not touch the seeded identities.

`sign_up(harness, factory, label)` makes one: a prefixed `@example.com` address signed up through the API,
verified with the token of the sandbox outbox's verification mail, logged in. Its password and JWT join the
run's secrets (redacted wherever they would appear). The account itself stays: the API cannot delete one.
Sandbox only: callers check `[sandbox] enabled` first (an account on a real target would never go away).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx

from fixtures.checks import error_code_of, json_body
from fixtures.clients import Bearer, Harness, HarnessClient
from fixtures.errors import HarnessError
from fixtures.factories import DataFactory
from suites.areas.sandbox import outbox

VERIFICATION_MAIL = "verify_email"


@dataclass(frozen=True)
class ScratchAccount:
    """One signed-in scratch account; its client carries the JWT and is throttled as `<label>.console`."""

    label: str
    email: str
    user_id: str
    client: HarnessClient = field(repr=False)
    harness: Harness = field(repr=False)

    def housekeeping(self) -> HarnessClient:
        """A twin client for the suite's own set-up and clean-up requests (outside budget and evidence)."""
        return self.harness.client(self.client.credential, auth=self.client.auth, housekeeping=True)


def data_of(response: httpx.Response, what: str, statuses: tuple[int, ...] = (200,)) -> Any:
    body = json_body(response) or {}
    if response.status_code not in statuses or not isinstance(body, dict) or "data" not in body:
        raise HarnessError(f"scratch account: {what} answered {response.status_code} "
                           f"{error_code_of(response) or ''}; cannot set up the scratch workspace")
    return body["data"]


def sign_up(harness: Harness, factory: DataFactory, label: str) -> ScratchAccount:
    """Sign up, verify and log in a fresh account named `<prefix><run>-<label>-n@example.com`."""
    email = f"{factory.name(label)}@example.com"
    password = "Mfc-" + secrets.token_urlsafe(12) + "-9"
    harness.secrets.add(f"{label}.password", password)
    with harness.client(f"{label}.signup", housekeeping=True) as public:
        data_of(public.post("/api/auth/signup", json={"email": email, "password": password,
                                                     "fullName": factory.name(f"{label}-name")}),
              "POST /api/auth/signup", (200, 201))
        mails = outbox(harness, email, VERIFICATION_MAIL)
        if not mails or not isinstance(mails[0].get("token"), str):
            raise HarnessError(f"scratch account: no verification mail for {email} in the sandbox outbox")
        data_of(public.post("/api/auth/verify-email", json={"token": mails[0]["token"]}), "POST /api/auth/verify-email")
        session = data_of(public.post("/api/auth/login", json={"email": email, "password": password}),
                        "POST /api/auth/login")
    token = session.get("token") if isinstance(session, dict) else None
    if not isinstance(token, str) or not token:
        raise HarnessError("scratch account: the login answer has no data.token")
    harness.secrets.add(f"{label}.jwt", token)
    client = harness.client(f"{label}.console", auth=Bearer(token))
    me = data_of(client.get("/api/auth/me"), "GET /api/auth/me")
    user_id = me.get("id") if isinstance(me, dict) else None
    if not isinstance(user_id, str):
        raise HarnessError("scratch account: GET /api/auth/me has no data.id")
    return ScratchAccount(label, email, user_id, client, harness)
