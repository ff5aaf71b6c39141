"""Names of every AWS resource, derived from the stage.

The one place that spells a resource name: `infra/` builds the CloudFormation template from
these functions, the app derives its queue and table names from them, and the local stack and
tests create their resources from the same template.
"""

from __future__ import annotations

from chalicelib.domain.catalog import REGIONS

APP_NAME = "polyglot-desk"

# Pipeline queues, named after the worker that consumes them.
DETECT = "detect"
TRANSLATE = "translate"
ROUTE = "route"
PIPELINE_QUEUES: tuple[str, ...] = (DETECT, TRANSLATE, ROUTE)
# Notifications to requesters, consumed by the notify worker.
NOTIFY = "notify"
# Incident updates to fan out to linked tickets, a page per message (the fan-out worker).
INCIDENTS = "incidents"


def table_name(stage: str) -> str:
    return f"{APP_NAME}-{stage}-tickets"


def evidence_bucket_name(stage: str, account_id: str | None = None) -> str:
    """The private bucket of the requesters' evidence files. Bucket names are global across
    every AWS account: deployed stages append the account id (CloudFormation substitutes it, see
    infra/stack.py); the local stage and the tests (moto) go without. EVIDENCE_BUCKET overrides
    it where even that name is taken (settings.py at run time, infra/ when packaging)."""
    name = f"{APP_NAME}-{stage}-evidence"
    return f"{name}-{account_id}" if account_id else name


def queue_name(stage: str, role: str) -> str:
    """`role` is a pipeline queue (detect, translate, route), `desk-<region>` or `escalations-<region>`."""
    return f"{APP_NAME}-{stage}-{role}"


def dead_letter_queue_name(stage: str, role: str) -> str:
    return f"{queue_name(stage, role)}-dlq"


def desk_role(region: str) -> str:
    return f"desk-{region}"


def desk_queue_name(stage: str, region: str) -> str:
    return queue_name(stage, desk_role(region))


def escalation_role(region: str) -> str:
    """The region's escalation queue: what team leads and region managers read."""
    return f"escalations-{region}"


def desk_roles() -> tuple[str, ...]:
    return tuple(desk_role(region) for region in REGIONS)


def escalation_roles() -> tuple[str, ...]:
    return tuple(escalation_role(region) for region in REGIONS)


def all_queue_roles() -> tuple[str, ...]:
    return (*PIPELINE_QUEUES, NOTIFY, INCIDENTS, *desk_roles(), *escalation_roles())
