"""`python -m devstack` (what `make run` starts): the local stack until Ctrl-C or SIGTERM.

PORT=8000 python -m devstack                 # moto in its own process, on a free port
AWS_ENDPOINT_URL=http://localhost:4566 python -m devstack   # another emulator, no moto
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from types import FrameType

from devstack.stack import STAGE, LocalStack, stage_environment


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")), help="default: $PORT or 8000")
    parser.add_argument("--stage", default=STAGE, help="a stage of .chalice/config.json (default: local)")
    parser.add_argument("--pollers", type=int, default=2, help="poller threads per pipeline queue (default: 2)")
    parser.add_argument(
        "--moto",
        choices=("process", "thread"),
        default="process",
        help="moto in a process of its own (default) or in a thread of the stack's",
    )
    parser.add_argument("--sweep-interval", type=float, default=10.0, help="seconds between sweeper runs")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one of the stage's environment variables, e.g. --set TRANSLATORS=google",
    )
    parser.add_argument("--quiet", action="store_true", help="log warnings only, not a line per ticket and stage")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # What the shell sets wins over the stage's defaults in .chalice/config.json, so that
    # `TRANSLATORS=libre LIBRETRANSLATE_URL=... make run` does what it says.
    overrides = {name: os.environ[name] for name in stage_environment(args.stage) if name in os.environ}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name:
            print(f"--set expects NAME=VALUE, got {item!r}", file=sys.stderr)
            return 2
        overrides[name] = value
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    stack = LocalStack(
        args.host,
        args.port,
        stage=args.stage,
        pollers_per_queue=args.pollers,
        moto=args.moto,
        sweep_interval_seconds=args.sweep_interval,
        env_overrides=overrides,
        log_level="WARNING" if args.quiet else None,
    )
    try:
        stack.start()
    except OSError as error:
        print(f"cannot start the local stack: {error}", file=sys.stderr)
        return 1
    print(stack.banner(), flush=True)
    try:
        while not stopping.wait(0.5):
            pass
    finally:
        print("stopping...", flush=True)
        stack.stop()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
