"""Mint a signed agent token for the desk API (agent replies, the agent's view of a ticket).

Signed with the stage's AGENT_TOKEN_SECRET (or the SSM parameter / secret it names); prints the
token on standard output, so `TOKEN=$(python -m chalicelib.cli agent-token --agent ana ...)`.
The local stage has a development secret in .chalice/config.json; deployed stages read theirs
from AWS, where only an operator with access to the parameter can mint.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

NAME = "agent-token"
HELP = "mint a signed agent token (--agent NAME --regions emea,apac)"
CONFIG = Path(__file__).resolve().parents[2] / ".chalice" / "config.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--agent", required=True, help="the agent's name, e.g. ana.garcia")
    parser.add_argument("--regions", required=True, help="comma-separated desks: na, latam, emea, apac, global")
    parser.add_argument("--languages", default="en", help="comma-separated languages the agent writes, first = own")
    parser.add_argument("--hours", type=float, default=12.0, help="lifetime (at most 7 days)")
    parser.add_argument(
        "--stage", default=None, help="take the secret from this stage's config (default: APP_STAGE or local)"
    )


def run(args: argparse.Namespace) -> int:
    from chalicelib.composition_root import dependencies
    from chalicelib.domain.agent_tokens import MAX_LIFETIME, Agent, mint_agent_token
    from chalicelib.domain.ticket import utc_now

    _stage_environment(args.stage or os.environ.get("APP_STAGE") or "local")
    secret = dependencies().agent_token_secret
    if secret is None:
        print("no AGENT_TOKEN_SECRET (or _SSM_PARAMETER / _SECRET_ID) for this stage", file=sys.stderr)
        return 2
    lifetime = timedelta(hours=args.hours)
    if not timedelta(0) < lifetime <= MAX_LIFETIME:
        print(f"--hours must be above 0 and at most {MAX_LIFETIME.days * 24}", file=sys.stderr)
        return 2
    agent = Agent(
        name=args.agent,
        regions=tuple(region.strip() for region in args.regions.split(",") if region.strip()),
        languages=tuple(language.strip().lower() for language in args.languages.split(",") if language.strip()),
        expires_at=int((utc_now() + lifetime).timestamp()),
    )
    try:
        print(mint_agent_token(agent, secret))
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 2
    return 0


def _stage_environment(stage: str) -> None:
    """The stage's variables from .chalice/config.json, unless the shell already sets them."""
    config = json.loads(CONFIG.read_text())
    variables = {**config.get("environment_variables", {})}
    variables.update(config.get("stages", {}).get(stage, {}).get("environment_variables", {}))
    for name, value in variables.items():
        os.environ.setdefault(name, value)
