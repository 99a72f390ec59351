"""Errors the command line turns into one clear line and an exit code, never a traceback."""

from msgflash_compliance.exit_codes import ExitCode


class CliError(Exception):
    """A problem the user can fix; `str(err)` is the one line printed, `exit_code` what the process returns."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(CliError):
    exit_code = ExitCode.USAGE


class TargetBroken(CliError):
    exit_code = ExitCode.BROKEN
