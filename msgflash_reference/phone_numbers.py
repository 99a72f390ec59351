"""Phone numbers in international format: normalising what clients send, and the simulated WhatsApp registry.

A number is valid when, after removing spaces, dashes, dots and parentheses (and turning a leading `00` into
`+`), it is E.164: `+`, a non-zero digit, then 6 to 14 digits. Nothing is looked up anywhere: whether a valid
number "is on WhatsApp" is decided by its last digit (documented rule of the reference server): **a number
ending in 0 is not on WhatsApp, every other valid number is.**
"""

from __future__ import annotations

import re

E164_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")
_SEPARATORS_RE = re.compile(r"[\s\-.()]")
MAX_INPUT_CHARS = 64


def normalize_number(raw: str) -> str | None:
    """The E.164 form of `raw`, or None when it is not a valid international number."""
    if not isinstance(raw, str) or len(raw) > MAX_INPUT_CHARS:
        return None
    compact = _SEPARATORS_RE.sub("", raw)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    return compact if E164_RE.match(compact) else None


def on_whatsapp(number: str) -> bool:
    """The simulated registry: a normalised number is on WhatsApp unless its last digit is 0."""
    return not number.endswith("0")
