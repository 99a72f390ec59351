"""`msgflash-compliance`: a thin command line. Each subcommand delegates to the module that owns the work."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Sequence

from msgflash_compliance import __version__
from msgflash_compliance.errors import CliError
from msgflash_compliance.exit_codes import MEANINGS, ExitCode

RUN_DESCRIPTION = """\
Check a MsgFlash target against its documented contract, guarantee by guarantee, and write the reports
(compliance.json, compliance.md, junit.xml, allure-results/ and the HTML report) to --reports-dir.
Without --profile the embedded reference server is started on a fresh database and checked."""
RUN_EXAMPLES = """\
examples:
  msgflash-compliance run --suite smoke                           # the embedded reference server, fast
  msgflash-compliance run --profile target.toml                   # a real target, the full suite
  msgflash-compliance run --profile target.toml --guarantee TEAM-04 --seed 1234   # replay one check"""


def _serve(args: argparse.Namespace) -> int:
    from msgflash_compliance.reference_commands import serve_command

    return serve_command(args)


def _faults(args: argparse.Namespace) -> int:
    from msgflash_compliance.reference_commands import faults_command

    return faults_command(args)


def _run(args: argparse.Namespace) -> int:
    from msgflash_compliance.runner import run_command

    return run_command(args)


def _catalog(args: argparse.Namespace) -> int:
    from msgflash_compliance.contract.catalog import catalog_command

    return catalog_command(args)


def _compare(args: argparse.Namespace) -> int:
    from msgflash_compliance.reporting.compare import compare_command

    return compare_command(args)


def _add_verdict_flags(run: argparse.ArgumentParser) -> None:
    """`run` flags that decide what fails the gate and where the report's history lives."""
    run.add_argument("--fail-on", choices=["must", "should"], default="should",
                     help="which failed levels fail the run (exit 1): should (default) = MUST and SHOULD, "
                          "must = MUST only; INFO never fails")
    run.add_argument("--baseline", metavar="FILE",
                     help="known deviations (TOML [[known]] tables): their failures are reported `known` and do "
                          "not fail the run until they expire")
    run.add_argument("--history", metavar="FILE",
                     help="Allure history file kept across runs, for history and trends (default "
                          "REPORTS_DIR/history.jsonl; `none` for no history)")


def _add_compare(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    compare = sub.add_parser("compare", help="compare two runs' compliance.json (exit 1 on a regression)")
    compare.add_argument("old", metavar="OLD.json", help="the earlier run's compliance.json")
    compare.add_argument("new", metavar="NEW.json", help="the later run's compliance.json")
    compare.add_argument("--json", nargs="?", const="-", metavar="FILE",
                         help="write the comparison as JSON (to FILE, or to stdout)")
    compare.add_argument("--markdown", nargs="?", const="-", metavar="FILE",
                         help="write the comparison as Markdown (to FILE, or to stdout; the default output)")
    compare.set_defaults(handler=_compare)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="msgflash-compliance",
        description="Check a MsgFlash API target against its documented contract.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    # Not `required`: argparse would report a missing COMMAND before an unknown flag (`--bogus`); main() checks.
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the reference MsgFlash server (the sandbox target)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="port to bind; 0 picks a free port (default 8765)")
    serve.add_argument("--db", default="msgflash-reference.sqlite", help="SQLite file (created when missing)")
    serve.add_argument("--seed", action="store_true", help="seed identities on an empty database")
    serve.add_argument("--write-profile", metavar="PATH", help="write a target profile (TOML) once ready")
    serve.add_argument("--fault", action="append", default=[], metavar="NAME", help="switch a named fault on")
    serve.add_argument("--plans", choices=["free-starter-pro-plus", "free-pro-max"], default="free-starter-pro-plus",
                       help="plan line-up (contract setting plan_lineup)")
    serve.add_argument("--no-rate-limit", action="store_true", help="turn the 10 requests/s per key limit off")
    serve.add_argument("--rate-limit", type=int, default=10, metavar="N",
                       help="requests per second per key (default 10, the documented limit)")
    serve.set_defaults(handler=_serve)

    faults = sub.add_parser("faults", help="list the reference server's injectable faults")
    faults.add_argument("--json", action="store_true", help="machine-readable output")
    faults.set_defaults(handler=_faults)

    run = sub.add_parser("run", help="run the compliance suites against a target", description=RUN_DESCRIPTION,
                         epilog=f"{_exit_codes_text()}\n\n{RUN_EXAMPLES}",
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("--profile", metavar="PATH", help="target profile (TOML); without it the embedded server is used")
    run.add_argument("--reports-dir", default="reports", help="where reports go (default reports/)")
    run.add_argument("--suite", choices=["smoke", "full"], default="full", help="how much to run (default full)")
    run.add_argument("--seed", type=int, help="Hypothesis seed to replay a run")
    run.add_argument("--guarantee", action="append", default=[], metavar="ID", help="only these guarantees")
    run.add_argument("--fault", action="append", default=[], metavar="NAME",
                     help="embedded server only: switch a named fault on (for self-tests and demos)")
    run.add_argument("--embedded-rate-limit", type=int, metavar="N",
                     help="embedded server only: its per-key limit (default 10, the documented one); a faster "
                          "pace for self-tests that do not check the rate limit")
    run.add_argument("--key-pool", type=int, metavar="N",
                     help="extra API keys per workspace for the run's repeatable requests, instead of the profile's "
                          "[safety] key_pool (0: none; the embedded server's profile has 4)")
    run.add_argument("--lanes", type=int, metavar="N",
                     help="check in N processes side by side, each key still paced once for all (default 4; "
                          "1: one test at a time); tests marked serial run alone afterwards")
    run.add_argument("--tests", action="append", default=[], metavar="PATH",
                     help="run only these suite files or test ids (under suites/) instead of every suite")
    run.add_argument("--fail-fast", action="store_true",
                     help="once a guarantee has failed, skip its remaining checks: a broken build's answer sooner, "
                          "every verdict the same")
    run.add_argument("--no-html", action="store_true",
                     help="skip the Allure HTML report (everything else is still written)")
    run.add_argument("--repeat", type=int, metavar="N",
                     help="soak: run the selection N times against one target, a new seed each time, and report "
                          "every guarantee whose verdict changed (stability.md/json; MSGFLASH_STABILITY=N too)")
    run.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra pytest arguments after --")
    run.set_defaults(handler=_run)
    _add_verdict_flags(run)

    catalog = sub.add_parser("catalog", help="list the guarantee catalog")
    catalog.add_argument("--json", action="store_true", help="machine-readable output")
    catalog.add_argument("--area", help="only this area (e.g. AUTH)")
    catalog.set_defaults(handler=_catalog)
    _add_compare(sub)
    return parser


def _exit_codes_text() -> str:
    return "exit codes:\n" + "\n".join(f"  {int(code)}  {meaning}" for code, meaning in MEANINGS.items())


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # argparse prints one usage error line and exits 2 on bad flags
    if args.command is None:
        parser.error("the following arguments are required: COMMAND")
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        code = int(handler(args))
        sys.stdout.flush()  # a closed pipe shows here, inside the handling below, not at interpreter exit
        return code
    except BrokenPipeError:
        return _stdout_closed()
    except CliError as err:
        print(f"msgflash-compliance: error: {err}", file=sys.stderr)
        return int(err.exit_code)
    except KeyboardInterrupt:
        print("msgflash-compliance: interrupted", file=sys.stderr)
        return int(ExitCode.BROKEN)


def _stdout_closed() -> int:
    """The reader went away (`faults | head`): stop quietly, with the status of a process ended by SIGPIPE."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush must not raise again
    return 128 + signal.SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
