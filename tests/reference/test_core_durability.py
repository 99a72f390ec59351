"""Storage: concurrent writers lose nothing, a restart keeps everything, open jobs resume after a restart."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from msgflash_reference.server_thread import RunningServer
from tests.reference.harness import ServerSet, api, core_config, data, make_contacts

CLIENTS = 8
WRITES_EACH = 500


def test_eight_clients_times_500_writes_lose_nothing(servers: ServerSet) -> None:
    server = servers.start()
    key = server.seed.identities["owner"].api_key

    def writer(n: int) -> list[str]:
        with httpx.Client(base_url=server.base_url, headers={"x-api-key": key}, timeout=30) as client:
            made = []
            for i in range(WRITES_EACH):
                response = client.post("/api/v1/contacts", json={"name": f"w{n}-{i}", "phone": f"+336{n}{i:07d}"})
                assert response.status_code == 201, response.text
                made.append(response.json()["data"]["id"])
            return made

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        created = [cid for ids in pool.map(writer, range(CLIENTS)) for cid in ids]
    assert len(set(created)) == CLIENTS * WRITES_EACH
    owner = api(server, "owner")
    assert data(owner.get("/api/v1/contacts", params={"limit": 1}))["total"] == CLIENTS * WRITES_EACH
    usage = data(owner.get("/api/v1/billing/usage"))["usage"]
    assert usage["apiRequestsCount"] >= CLIENTS * WRITES_EACH + 2  # every write was counted too


def test_restart_keeps_data_and_resumes_open_jobs(tmp_path: Path, servers: ServerSet) -> None:
    db_path = tmp_path / "restart.sqlite"
    slow = core_config(db_path, job_batch_size=10, job_batch_delay_seconds=0.5)
    first = RunningServer(slow, seed=True).start()
    owner = api(first, "owner")
    contacts = make_contacts(owner, 3)
    group = data(owner.post("/api/v1/contacts/groups", json={"name": "kept"}), 201)
    job_id = data(
        owner.post("/api/v1/contacts/bulk-delete", json={"contactIds": [str(uuid.uuid4()) for _ in range(100)]}), 202
    )["jobId"]
    key = first.seed.identities["owner"].api_key
    first.stop()

    second = RunningServer(core_config(db_path, job_batch_size=100), seed=False).start()
    try:
        again = httpx.Client(base_url=second.base_url, headers={"x-api-key": key}, timeout=10)
        assert {c["id"] for c in data(again.get("/api/v1/contacts"))["contacts"]} == {c["id"] for c in contacts}
        assert data(again.get(f"/api/v1/contacts/groups/{group['id']}"))["name"] == "kept"
        deadline = time.monotonic() + 5
        while data(again.get(f"/api/v1/contacts/bulk-jobs/{job_id}"))["status"] != "done":
            assert time.monotonic() < deadline, "the job did not resume"
            time.sleep(0.02)
    finally:
        second.stop()
