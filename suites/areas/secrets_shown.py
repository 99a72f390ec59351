"""Where a response shows a secret: a property of the whole body, not a search for one planted value.

* `shown_secrets`: every string of the JSON (values and field names, at any depth) is searched for the API key
  shape of the docs (`msgf_live_` + 64 lowercase hex, facts §2; team keys alike in the reference) and for every
  secret given (the run's key secrets: the profile's keys, the keys the run created), whatever their format;
* `secret_fields`: every field named like a secret (`secret`, `token`, `apiKey`, ... as the redaction knows
  them) that holds a value, at any depth: a secret the run never saw (another endpoint's) shows this way.

Findings name the JSON path and the secret's label, never the secret itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from fixtures.clients import Harness
from fixtures.redaction import is_secret_field

FULL_KEY_SECRET = re.compile(r"msgf_(?:live|team)_[0-9a-f]{64}")
# The run's labels of API key secrets: the profile's `<identity>.api_key`, `team.api_key`, and the keys
# created through the console (`created.…`, see suites/key_scoping/console_keys.py).
KEY_LABEL_SUFFIX = ".api_key"
CREATED_KEY_LABEL_PREFIX = "created."


def json_strings(value: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    """Every string in a decoded JSON value with its path (`$.data[2].key`); field names count as strings."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key} (field name)", str(key)
            yield from json_strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_strings(item, f"{path}[{index}]")


def known_key_secrets(harness: Harness) -> list[tuple[str, str]]:
    """`(label, secret)` of every API key secret the run knows so far."""
    return [(label, secret) for label, secret in harness.secrets.labelled()
            if secret and (label.endswith(KEY_LABEL_SUFFIX) or label.startswith(CREATED_KEY_LABEL_PREFIX))]


def shown_secrets(body: Any, known: Iterable[tuple[str, str]] = ()) -> list[str]:
    """Where `body` shows a full key secret: `"<path>: <what>"` lines, empty when it shows none."""
    known = list(known)
    found: list[str] = []
    for path, text in json_strings(body):
        labels = [label for label, secret in known if secret in text]
        if labels:
            found.append(f"{path}: the secret of {', '.join(f'<{label}>' for label in labels)}")
        elif FULL_KEY_SECRET.search(text):
            found.append(f"{path}: a full key secret (msgf_live_/msgf_team_ + 64 hex)")
    return found


def secret_fields(value: Any, path: str = "$") -> list[str]:
    """The paths of secret-named fields holding a value (null and "" say "no secret here")."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if is_secret_field(str(key)) and item not in (None, ""):
                found.append(f"{path}.{key}")
            else:
                found += secret_fields(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += secret_fields(item, f"{path}[{index}]")
    return found
