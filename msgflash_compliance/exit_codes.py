"""The command line's exit codes: a CI gate branches on these, so they never change meaning."""

from enum import IntEnum


class ExitCode(IntEnum):
    COMPLIANT = 0  # every guarantee checked held
    VIOLATIONS = 1  # at least one guarantee failed: the target breaks its contract
    USAGE = 2  # bad flag, bad profile: nothing was checked
    BROKEN = 3  # target unreachable or misbehaving (and nothing failed)
