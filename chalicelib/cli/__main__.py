"""python -m chalicelib.cli COMMAND [options]: the desk's operator commands.

Each command is a module here with NAME, HELP, add_arguments(parser) and run(args) -> exit
code; add a new one to COMMANDS.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from chalicelib.cli import agent_token, detect, dlq, stuck, templates

COMMANDS: tuple[ModuleType, ...] = (detect, agent_token, templates, dlq, stuck)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.cli", description="polyglot-desk operator commands")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        sub = commands.add_parser(command.NAME, help=command.HELP, description=command.__doc__)
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
