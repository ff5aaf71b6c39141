"""Mint or revoke agent tokens for the desk API (agent replies, the agent's view of a ticket).

  agent-token [mint] --agent ana --regions emea,apac [--languages es,en] [--hours 12]
  agent-token revoke --agent ana        every token ana was issued until now
  agent-token revoke --token-id ID      one token (its id is printed on standard error at minting)

Minting signs with the stage's AGENT_TOKEN_SECRET (or the SSM parameter / secret it names) and
prints the token on standard output, so `TOKEN=$(python -m chalicelib.cli agent-token ...)`. A
token lives one shift: AGENT_TOKEN_MAX_HOURS (12 by default). Revoking writes to the stage's
table; the API refuses the token within AGENT_REVOCATION_CACHE_SECONDS (at most a minute).
Against the local stack: `AWS_ENDPOINT_URL=<the endpoint its banner prints> python -m
chalicelib.cli agent-token revoke --stage local --agent ana`.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from chalicelib.cli.stage import use_stage

NAME = "agent-token"
HELP = "mint a signed agent token (--agent NAME --regions emea,apac), or revoke tokens (revoke --agent NAME)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action", nargs="?", choices=("mint", "revoke"), default="mint", help="mint (default) or revoke"
    )
    parser.add_argument("--agent", help="the agent's name, e.g. ana.garcia")
    parser.add_argument("--regions", help="mint: comma-separated desks: na, latam, emea, apac, global")
    parser.add_argument(
        "--languages", default="en", help="mint: comma-separated languages the agent writes, first = own"
    )
    parser.add_argument(
        "--hours", type=float, default=None, help="mint: lifetime (default and at most: the stage's shift)"
    )
    parser.add_argument("--token-id", help="revoke: the one token to revoke")
    parser.add_argument(
        "--stage", default=None, help="take the secret from this stage's config (default: APP_STAGE or local)"
    )


def run(args: argparse.Namespace) -> int:
    use_stage(args.stage)
    if args.action == "revoke":
        return _revoke(args)
    return _mint(args)


def _mint(args: argparse.Namespace) -> int:
    from chalicelib.composition_root import dependencies
    from chalicelib.domain.agent_tokens import Agent, mint_agent_token, new_token_id
    from chalicelib.domain.ticket import utc_now

    if not args.agent or not args.regions:
        print("minting needs --agent and --regions", file=sys.stderr)
        return 2
    deps = dependencies()
    secret = deps.agent_token_secret
    if secret is None:
        print("no AGENT_TOKEN_SECRET (or _SSM_PARAMETER / _SECRET_ID) for this stage", file=sys.stderr)
        return 2
    shift = timedelta(seconds=deps.settings.safeguards.agent_token_max_seconds)
    lifetime = shift if args.hours is None else timedelta(hours=args.hours)
    if not timedelta(0) < lifetime <= shift:
        print(
            f"--hours must be above 0 and at most {shift.total_seconds() / 3600:g} (AGENT_TOKEN_MAX_HOURS)",
            file=sys.stderr,
        )
        return 2
    now = utc_now()
    agent = Agent(
        name=args.agent,
        regions=tuple(region.strip() for region in args.regions.split(",") if region.strip()),
        languages=tuple(language.strip().lower() for language in args.languages.split(",") if language.strip()),
        expires_at=int((now + lifetime).timestamp()),
        token_id=new_token_id(),
        issued_at=int(now.timestamp()),
    )
    try:
        print(mint_agent_token(agent, secret))
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 2
    print(f"token id: {agent.token_id} (expires {(now + lifetime).isoformat(timespec='seconds')})", file=sys.stderr)
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from chalicelib.composition_root import dependencies

    if bool(args.agent) == bool(args.token_id):
        print("revoke needs exactly one of --agent NAME or --token-id ID", file=sys.stderr)
        return 2
    revoke = dependencies().revoke_agent_tokens
    if args.agent:
        cutoff = revoke.every_token_of(args.agent)
        print(f"revoked every token of {args.agent} issued until {cutoff} (epoch seconds)")
    else:
        revoke.one_token(args.token_id)
        print(f"revoked token {args.token_id}")
    return 0
