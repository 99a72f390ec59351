"""Controls: the answers a check needs before its refusal means anything (a member can use its team, a new
team key works). A control that fails leaves the check unable to conclude: broken, not failed."""

from __future__ import annotations

from typing import Any

import httpx

from fixtures.assertions import body_excerpt, describe_request
from fixtures.checks import json_body
from fixtures.errors import HarnessError


def expect_control(response: httpx.Response, what: str, status: int = 200) -> Any:
    """`data` of a success the check relies on; HarnessError (broken) when the target does not give it."""
    body = json_body(response)
    if response.status_code != status or not isinstance(body, dict) or "data" not in body:
        raise HarnessError(
            f"control failed ({what}): {describe_request(response)} answered {response.status_code}, "
            f"expected {status} with data; body: {body_excerpt(response)}"
        )
    return body["data"]
