"""Teams a plan check makes as one console user (to fill seats or own teams), deleted at the end of the check
and again, as a safety net, when the run ends. Team creation needs at least one invitation ([S], TEAM-25);
the invitations go to prefixed addresses at example.com and hold seats until they expire (G21)."""

from __future__ import annotations

from typing import Any

import httpx

from fixtures.checks import json_body
from fixtures.factories import DataFactory
from suites.key_scoping.controls import expect_control

TEAMS_PATH = "/api/teams"


def invite(factory: DataFactory, role: str = "collaborator") -> dict[str, str]:
    return {"email": f"{factory.name('invitee')}@example.com", "role": role}


class TeamMaker:
    def __init__(self, console: httpx.Client, factory: DataFactory) -> None:
        self.console, self.factory = console, factory
        self.made: list[str] = []

    def post(self, seats: int) -> httpx.Response:
        """POST a team holding `seats` seats (the owner plus seats - 1 invitations); tracks what was made."""
        body = {"name": self.factory.name("team"), "invites": [invite(self.factory) for _ in range(seats - 1)]}
        response = self.console.post(TEAMS_PATH, json=body)
        data = (json_body(response) or {}).get("data") if response.status_code == 201 else None
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            self.made.append(data["id"])
            self.factory.track(self.console, "team", f"{TEAMS_PATH}/{data['id']}", data["id"])  # type: ignore[arg-type]
        return response

    def create(self, seats: int = 2) -> str:
        data = expect_control(self.post(seats), f"create a team of {seats} seats", status=201)
        return str(data["id"])

    def delete(self, team_id: str) -> None:
        self.console.delete(f"{TEAMS_PATH}/{team_id}")
        if team_id in self.made:
            self.made.remove(team_id)

    def delete_all(self) -> None:
        for team_id in list(self.made):
            self.delete(team_id)


def owned_team_ids(console: httpx.Client) -> list[str]:
    """The ids of the live teams the signed-in user owns (GET /api/teams)."""
    data: Any = expect_control(console.get(TEAMS_PATH), "list my teams")
    rows = data if isinstance(data, list) else (data or {}).get("teams", [])
    return [r["id"] for r in rows
            if isinstance(r, dict) and isinstance(r.get("id"), str) and (r.get("isOwner") or r.get("role") == "owner")]
