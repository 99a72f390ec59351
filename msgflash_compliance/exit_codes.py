"""The command line's exit codes: a CI gate branches on these, so they never change meaning."""

from enum import IntEnum


class ExitCode(IntEnum):
    COMPLIANT = 0  # every guarantee checked held
    VIOLATIONS = 1  # at least one guarantee failed: the target breaks its contract
    USAGE = 2  # bad flag, bad profile: nothing was checked
    BROKEN = 3  # target unreachable or misbehaving (and nothing failed)


# What each code means, in the words `run --help` and the CI recipes use.
MEANINGS: dict[ExitCode, str] = {
    ExitCode.COMPLIANT: "compliant: every checked guarantee held",
    ExitCode.VIOLATIONS: "contract violations: at least one guarantee failed",
    ExitCode.USAGE: "usage or profile error: nothing was checked",
    ExitCode.BROKEN: "target unreachable or broken (and nothing failed)",
}
