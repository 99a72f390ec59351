"""The embedded target (`msgflash_compliance.embedded`): the reference server in this process, not a child."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from msgflash_compliance.embedded import embedded_server
from msgflash_compliance.errors import UsageError
from msgflash_compliance.profile import load_profile


def test_the_embedded_server_runs_in_process_and_writes_a_working_profile(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def no_child(*args: object, **kwargs: object) -> None:
        raise AssertionError("the embedded server must not start a process")

    monkeypatch.setattr(subprocess, "Popen", no_child)
    with embedded_server(tmp_path, faults=[]) as path:
        profile = load_profile(path)
        owner = profile.identity("owner")
        assert owner is not None and owner.api_key is not None
        answer = httpx.get(profile.base_url + "/api/v1/me", headers={"x-api-key": owner.api_key.get_secret_value()})
        assert answer.status_code == 200
    with pytest.raises(httpx.TransportError):  # stopped with the block
        httpx.get(profile.base_url + "/api/v1/me", timeout=2)


@pytest.mark.parametrize(("faults", "rate_limit", "says"), [
    (["no-such-fault"], None, "unknown fault 'no-such-fault'"),
    ([], 0, "--embedded-rate-limit must be >= 1"),
])
def test_a_bad_fault_or_rate_limit_is_a_usage_error(tmp_path: Path, faults: list[str], rate_limit: int | None,
                                                    says: str) -> None:
    with pytest.raises(UsageError, match=says), embedded_server(tmp_path, faults, rate_limit):
        pass
