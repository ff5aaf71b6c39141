"""`python -m infra ...`: write the merge template, the IAM policy files, or create resources.

python -m infra merge-template --stage dev --out build/merge-dev.json
python -m infra policies [--check]      # .chalice/policy-<stage>-<function>.json
python -m infra create --stage local    # against AWS_ENDPOINT_URL (or real AWS)
python -m infra deploy-script --stage dev --bucket <artifact bucket> [--alarm-topic ARN] [--parameter K=V]
python -m infra destroy-script --stage dev
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from infra.stack import FUNCTIONS, iam_policy, merge_template, policy_path, render_json, resources_template

DEPLOYED_STAGES = ("dev", "prod")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra")
    commands = parser.add_subparsers(dest="command", required=True)
    merge = commands.add_parser("merge-template", help="write the template chalice package merges")
    merge.add_argument("--stage", required=True)
    merge.add_argument("--out", required=True, type=Path)
    policies = commands.add_parser("policies", help="write (or --check) the per-function IAM policy files")
    policies.add_argument("--check", action="store_true", help="fail if a committed file is out of date")
    create = commands.add_parser("create", help="create the table and queues through the AWS APIs")
    create.add_argument("--stage", required=True)
    deploy = commands.add_parser("deploy-script", help="print the commands that deploy and smoke-test a stage")
    deploy.add_argument("--stage", required=True)
    deploy.add_argument("--bucket", default="", help="the S3 bucket `aws cloudformation package` uploads to")
    deploy.add_argument("--stack", default=None)
    deploy.add_argument("--alarm-topic", default="", help="SNS topic ARN for the alarms")
    deploy.add_argument("--parameter", action="append", default=[], help="Name=value, e.g. ApiRateLimit=500")
    destroy = commands.add_parser("destroy-script", help="print the commands that delete a stage's stack")
    destroy.add_argument("--stage", required=True)
    destroy.add_argument("--stack", default=None)
    args = parser.parse_args(argv)

    if args.command == "merge-template":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(render_json(merge_template(args.stage)))
        print(f"wrote {args.out}")
        return 0
    if args.command == "policies":
        stale = []
        for stage in DEPLOYED_STAGES:
            for function in FUNCTIONS:
                path, wanted = policy_path(stage, function), render_json(iam_policy(stage, function))
                if args.check:
                    if not path.exists() or path.read_text() != wanted:
                        stale.append(str(path))
                else:
                    path.write_text(wanted)
        if stale:
            print("out of date (run `python -m infra policies`):\n  " + "\n  ".join(stale), file=sys.stderr)
            return 1
        return 0
    if args.command in ("deploy-script", "destroy-script"):
        from infra.deploy import deploy_script, destroy_script

        try:
            if args.command == "deploy-script":
                print(deploy_script(args.stage, args.bucket, args.stack, args.alarm_topic, args.parameter), end="")
            else:
                print(destroy_script(args.stage, args.stack), end="")
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        return 0
    if args.command == "create":
        from chalicelib.adapters.aws import client
        from infra.apply import create_resources

        created = create_resources(resources_template(args.stage), client("dynamodb"), client("sqs"))
        print("\n".join(sorted(created.values())))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
