"""`msgflash-compliance serve` and `msgflash-compliance faults`: the command-line side of the reference server
(arguments and usage errors belong to the CLI; `msgflash_reference` itself knows nothing of the checker)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

from msgflash_compliance.errors import UsageError
from msgflash_reference.config import ServerConfig
from msgflash_reference.faults import all_faults
from msgflash_reference.profile import profile_document, write_profile
from msgflash_reference.server_thread import RunningServer


def config_from_args(args: argparse.Namespace) -> ServerConfig:
    registry = all_faults()
    unknown = [name for name in args.fault if name not in registry]
    if unknown:
        raise UsageError(f"unknown fault {unknown[0]!r}; run `msgflash-compliance faults` for the valid names")
    rate_limit = getattr(args, "rate_limit", 10)
    if rate_limit < 1:
        raise UsageError(f"--rate-limit must be >= 1, got {rate_limit}")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be 0..65535, got {args.port}")
    return ServerConfig(
        db_path=Path(args.db),
        plan_lineup=args.plans,
        rate_limit_per_second=None if args.no_rate_limit else rate_limit,
        faults=tuple(args.fault),
    )


def serve_command(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    if args.write_profile and not args.seed:
        raise UsageError("--write-profile needs --seed (the profile holds the seeded identities' secrets)")
    server = RunningServer(config, host=args.host, port=args.port, seed=args.seed)
    try:
        server.start()
    except OSError as err:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {err.strerror or err}") from None
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if args.write_profile and server.seed is not None:
            write_profile(
                Path(args.write_profile),
                profile_document(server.base_url, server.seed, sandbox=config.sandbox,
                                 rate_limit=config.rate_limit_per_second),
            )
        print(server.base_url, flush=True)
        if config.faults:
            print(f"faults on: {', '.join(config.faults)}", file=sys.stderr, flush=True)
        server.wait(stop)
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def faults_command(args: argparse.Namespace) -> int:
    faults = sorted(all_faults().values(), key=lambda f: f.name)
    if args.json:
        print(json.dumps([{"name": f.name, "breaks": list(f.breaks), "summary": f.summary} for f in faults], indent=2))
    else:
        width = max((len(f.name) for f in faults), default=0)
        for fault in faults:
            print(f"{fault.name:<{width}}  {','.join(fault.breaks):<24}  {fault.summary}")
    return 0
