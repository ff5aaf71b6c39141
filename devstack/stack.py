"""The local stack: the API and every worker of one stage, on one machine, with no AWS account.

`LocalStack` is what `make run` starts (through `python -m devstack`), and what the pipeline
tests and the benchmark start in-process:

- the stage's environment from `.chalice/config.json` (global, then `stages.<stage>`), set
  before `app` is imported (Chalice reads queue names in decorators at import time);
- a moto server on a free port, unless AWS_ENDPOINT_URL names another endpoint: in a thread of
  this process (`moto="thread"`, the default: what the tests use), or in a process of its own
  (`moto="process"`: what `make run` and `make bench` use, so the emulator does not share this
  interpreter's GIL); either way with devstack.moto_patches applied (transactions that do not
  copy the table, DynamoDB requests serialized as DynamoDB serializes its writes, SQS receives
  and deletes without deep copies or rescans, item responses and items built in linear time);
- the table and queues created from `infra.stack.resources_template(stage)`;
- the Chalice API served by `chalice.local` on host:port, in a thread;
- `pollers_per_queue` QueuePoller threads per pipeline queue, and the sweeper and the escalation
  worker on a timer.

`stop()` undoes all of it: threads, servers, moto's state, os.environ, the cached clients and
dependencies, the log formatter, so a test process can go on with other tests afterwards.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from devstack.http_server import THREAD_PREFIX, local_server
from devstack.lambda_events import LambdaContext, scheduled_event
from devstack.poller import QueuePoller
from devstack.readable_logs import ReadableFormatter

ROOT = Path(__file__).resolve().parent.parent
CHALICE_CONFIG = ROOT / ".chalice" / "config.json"
STAGE = "local"
DEFAULT_REGION = "us-east-1"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
APP_LOGGER = "polyglot-desk"  # aws_lambda_powertools Logger(service="polyglot-desk") logs through it
QUIET_LOGGERS = ("werkzeug", "moto")  # moto server's per-request lines
MOTO_MODES = ("thread", "process")
# Stage names the workers log (`extra={"stage": ...}`) -> the short name a log line shows.


def stage_environment(stage: str = STAGE, config_path: Path = CHALICE_CONFIG) -> dict[str, str]:
    """The environment Chalice gives the stage's functions: global variables, then the stage's."""
    config = json.loads(config_path.read_text(encoding="utf-8"))
    if stage not in config.get("stages", {}):
        raise ValueError(f"{config_path} has no stage {stage!r}")
    merged = dict(config.get("environment_variables", {}))
    merged.update(config["stages"][stage].get("environment_variables", {}))
    return {name: str(value) for name, value in merged.items()}


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (for tests; a race is possible but unlikely)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def current_activity() -> str:
    """What the calling thread does in the stack: api:POST, api:GET, detect, translate, route,
    sweeper, or other. Used by the benchmark to attribute AWS calls."""
    name = threading.current_thread().name
    if not name.startswith(THREAD_PREFIX):
        return "other"
    activity = name[len(THREAD_PREFIX) :]
    return activity.rsplit("-", 1)[0] if activity[-1:].isdigit() else activity


class LocalStack:
    """The API and the workers in threads of this process, and a moto server (a thread, or a process).

    Use as a context manager or call start() and stop(). `port=0` takes a free port; read the
    real one from `base_url` after start().
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        stage: str = STAGE,
        endpoint_url: str | None = None,
        honour_env_endpoint: bool = True,
        pollers_per_queue: int = 2,
        batch_size: int | None = None,
        poll_wait_seconds: int = 1,
        sweep_interval_seconds: float = 10.0,
        env_overrides: Mapping[str, str] | None = None,
        log_level: str | None = None,
        readable_logs: bool = True,
        moto: str = "thread",
        batch_window_seconds: float = 0.0,
    ) -> None:
        """
        endpoint_url: an emulator or AWS endpoint to use instead of the embedded moto server.
        honour_env_endpoint: take AWS_ENDPOINT_URL from the environment when endpoint_url is None
            (the CLI does; tests and the benchmark pass False to always get their own moto).
        batch_size: messages per worker invocation; None is the workers' own BATCH_SIZE (10).
        env_overrides: set after the stage's variables from .chalice/config.json.
        log_level: the app logger's level; None keeps POWERTOOLS_LOG_LEVEL from the stage.
        moto: "thread" (an embedded server) or "process" (its own process); unused with an endpoint.
        batch_window_seconds: how long a poller gathers a batch that is not full yet (Lambda's
            MaximumBatchingWindowInSeconds); 0 invokes with whatever one receive returned.
        """
        if pollers_per_queue < 1:
            raise ValueError("pollers_per_queue must be at least 1")
        if moto not in MOTO_MODES:
            raise ValueError(f"moto must be one of {MOTO_MODES}, not {moto!r}")
        if batch_window_seconds < 0:
            raise ValueError("batch_window_seconds must be at least 0")
        self.moto_mode = moto
        self.batch_window_seconds = batch_window_seconds
        self.host = host
        self.port = port
        self.stage = stage
        self.pollers_per_queue = pollers_per_queue
        self.batch_size = batch_size
        self.batch_size_used = 0  # known once started: batch_size, or the workers' BATCH_SIZE
        self.poll_wait_seconds = poll_wait_seconds
        self.sweep_interval_seconds = sweep_interval_seconds
        self.log_level = log_level
        self.readable_logs = readable_logs
        self._explicit_endpoint = endpoint_url
        self._honour_env_endpoint = honour_env_endpoint
        self._env_overrides = dict(env_overrides or {})
        self._saved_env: dict[str, str | None] = {}
        self._saved_loggers: list[tuple[logging.Logger, int]] = []
        self._saved_formatters: list[tuple[logging.Handler, logging.Formatter | None]] = []
        self._app: Any = None
        self._app_class: type | None = None
        self._moto: Any = None
        self._unpatch_moto: Callable[[], None] | None = None
        self._http: Any = None
        self._base_url: str | None = None
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._started = False
        self.endpoint_url: str | None = None
        self.moto_endpoint: str | None = None
        self.queue_names: dict[str, str] = {}
        self.region = DEFAULT_REGION

    # --- public -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("the stack has not been started")
        return self._base_url

    @property
    def running(self) -> bool:
        return self._started

    @property
    def moto_pid(self) -> int | None:
        """The moto server's process id when it runs in a process of its own, else None."""
        return getattr(self._moto, "pid", None) if self.moto_mode == "process" else None

    def start(self) -> LocalStack:
        if self._started:
            return self
        self._started = True
        self._stop.clear()
        try:
            self._apply_environment()
            self._quiet_loggers()
            from chalicelib.adapters.aws import client

            self._reset_caches()
            if self.endpoint_url is None:
                self._start_moto()
            from chalicelib import aws_resource_names
            from infra.apply import create_resources
            from infra.stack import resources_template

            created = create_resources(resources_template(self.stage), client("dynamodb"), client("sqs"))
            self._verify_sender()
            self.queue_names = {
                name.removeprefix(aws_resource_names.queue_name(self.stage, "")): name
                for logical, name in created.items()
                if logical.endswith("Queue")  # the table and the evidence bucket are not queues
            }
            self._import_app()
            self._use_readable_logs()
            self._warm_up()
            self._start_http()
            self._start_workers()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if not self._started:
            return
        self._stop.set()
        if self._http is not None:
            self._http.shutdown()  # returns once serve_forever has stopped
            self._http.server.server_close()
            self._http = None
        for thread in self._threads:
            thread.join(timeout=self.poll_wait_seconds + 10)
        self._threads = []
        if self._app is not None and self._app_class is not None:
            self._app.__class__ = self._app_class  # undo chalice.local's thread-local request swap
        self._stop_moto()
        self._restore_logging()
        self._restore_environment()
        self._reset_caches()
        self._started = False

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wait_until_healthy(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.base_url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.05)

    def banner(self) -> str:
        """What the CLI prints once the stack is up."""
        roles = [role for role in self.queue_names if not role.endswith("-dlq")]
        pipeline = [role for role in roles if not role.startswith(("desk-", "escalations-"))]
        desks = [role for role in roles if role.startswith("desk-")]
        escalations = [role for role in roles if role.startswith("escalations-")]
        where = "moto in its own process" if self.moto_mode == "process" else "embedded moto"
        aws = f"{self.moto_endpoint} ({where})" if self.moto_endpoint else f"{self.endpoint_url} (external)"
        example = (
            f"curl -s -X POST {self.base_url}/tickets -H 'Content-Type: application/json' \\\n"
            '    -d \'{"description": "No puedo retirar mi dinero, el pago falla desde ayer.", '
            '"category": "payment.failed", "requester": {"country": "MX", "locale": "es-MX"}}\''
        )
        follow = f"curl -s {self.base_url}/tickets/<ticket_id> -H 'Authorization: Bearer <access_token>'"
        return "\n".join(
            [
                f"polyglot-desk local stack (stage {self.stage})",
                f"  API        {self.base_url}   (GET /health, /openapi.json, POST /tickets, GET /tickets/{{id}})",
                f"  AWS        {aws}, region {self.region}",
                f"  table      {self._table_name()}",
                "  pipeline   "
                + ", ".join(f"{self.queue_names[role]} (x{self.pollers_per_queue} pollers)" for role in pipeline),
                "  desks      " + ", ".join(self.queue_names[role] for role in desks),
                "  escalation " + ", ".join(self.queue_names[role] for role in escalations),
                f"  sweeper    every {self.sweep_interval_seconds:g} s, and the escalation worker too; "
                "dead-letter queues: <queue>-dlq",
                "try:",
                f"  {example}",
                f"  {follow}",
            ]
        )

    # --- environment --------------------------------------------------------------------

    def _set_env(self, name: str, value: str | None) -> None:
        if name not in self._saved_env:
            self._saved_env[name] = os.environ.get(name)
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value

    def _apply_environment(self) -> None:
        for name, value in {**stage_environment(self.stage), **self._env_overrides}.items():
            self._set_env(name, value)
        # The table is created under the template's name; a stray override would miss it.
        if "TABLE_NAME" not in self._env_overrides:
            self._set_env("TABLE_NAME", None)
        if not any(os.environ.get(name) for name in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE")):
            for name, value in FAKE_CREDENTIALS.items():
                self._set_env(name, value)
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if not region:
            region = DEFAULT_REGION
            self._set_env("AWS_DEFAULT_REGION", region)
        self.region = region
        endpoint = self._explicit_endpoint
        if endpoint is None and self._honour_env_endpoint:
            endpoint = os.environ.get("AWS_ENDPOINT_URL") or None
        if endpoint is None:
            # Our own moto: no service-specific endpoint may send a client elsewhere.
            for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
                self._set_env(name, None)
        else:
            self._set_env("AWS_ENDPOINT_URL", endpoint)
        self.endpoint_url = endpoint

    def _restore_environment(self) -> None:
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env = {}

    @staticmethod
    def _reset_caches() -> None:
        from chalicelib.adapters.aws import reset_clients
        from chalicelib.composition_root import reset_dependencies

        reset_clients()
        reset_dependencies()

    def _table_name(self) -> str:
        from chalicelib import aws_resource_names

        return aws_resource_names.table_name(self.stage)

    # --- moto ---------------------------------------------------------------------------

    def _start_moto(self) -> None:
        if self.moto_mode == "process":
            from devstack.moto_process import MotoProcess

            child = MotoProcess()
            self._moto = child
            self.moto_endpoint = child.start()
        else:
            from devstack.moto_patches import apply
            from devstack.moto_process import start_server

            self._unpatch_moto = apply()
            server = start_server("127.0.0.1", 0)  # moto's app, keep-alive connections
            self._moto = server
            host, port = server.server_address[:2]
            self.moto_endpoint = f"http://{host}:{port}"
        self._set_env("AWS_ENDPOINT_URL", self.moto_endpoint)
        self.endpoint_url = self.moto_endpoint
        self._reset_caches()

    def _stop_moto(self) -> None:
        moto, self._moto = self._moto, None
        if moto is not None and self.moto_mode == "process":
            moto.stop()  # its state goes with it
        elif moto is not None:
            # Moto's backends are process-wide: forget this stack's table and queues, so a later
            # stack or mock_aws test in the same process starts empty.
            with contextlib.suppress(OSError):
                request = urllib.request.Request(f"{self.moto_endpoint}/moto-api/reset", method="POST", data=b"")
                urllib.request.urlopen(request, timeout=10).close()
            moto.shutdown()
            moto.server_close()
        self.moto_endpoint = None
        if self._unpatch_moto is not None:
            self._unpatch_moto()
            self._unpatch_moto = None

    def _verify_sender(self) -> None:
        """SES (moto's too) sends only from a verified identity: verify the local sender."""
        from chalicelib.adapters.aws import client
        from chalicelib.settings import get_settings

        sender = get_settings().notifications.email_from
        if sender is not None:
            client("ses").verify_email_identity(EmailAddress=sender)

    # --- the app ------------------------------------------------------------------------

    def _import_app(self) -> None:
        import app as app_module

        self._app = app_module.app

    def _warm_up(self) -> None:
        from chalicelib.composition_root import dependencies

        warm_up: Callable[[], None] | None = getattr(dependencies().detector, "warm_up", None)
        if warm_up is not None:
            warm_up()

    def _start_http(self) -> None:
        from chalice.config import Config
        from chalice.deploy.validate import validate_routes
        from chalice.local import CustomLocalChalice

        app_obj = self._app
        validate_routes(app_obj.routes)
        # local_server swaps the app's class for one with a thread-local current_request;
        # remember the real class (a stack that was not stopped may have left the swap behind).
        original = type(app_obj)
        if original is CustomLocalChalice:
            original = CustomLocalChalice.__bases__[-1]
            app_obj.__class__ = original
        self._app_class = original
        config = Config(
            chalice_stage=self.stage,
            user_provided_params={"chalice_app": app_obj, "project_dir": str(ROOT)},
            config_from_disk=json.loads(CHALICE_CONFIG.read_text(encoding="utf-8")),
            default_params={"project_dir": str(ROOT), "autogen_policy": False},
        )
        server = local_server(app_obj, config, self.host, self.port)
        self._spawn("http", server.server.serve_forever)
        self._http = server  # only now: shutdown() would wait forever for a loop never started
        host, port = server.server.server_address[:2]
        self._base_url = f"http://{host}:{port}"

    def _start_workers(self) -> None:
        from chalicelib import aws_resource_names
        from chalicelib.adapters.aws import client
        from chalicelib.workers import escalation, incidents, notify, pipeline, sweeper

        handlers = {
            aws_resource_names.DETECT: (pipeline.detect_language, "detect_language"),
            aws_resource_names.TRANSLATE: (pipeline.translate_ticket, "translate_ticket"),
            aws_resource_names.ROUTE: (pipeline.route_ticket, "route_ticket"),
            aws_resource_names.NOTIFY: (notify.deliver_notifications, "deliver_notifications"),
            aws_resource_names.INCIDENTS: (incidents.fan_out_incident_updates, "fan_out_incident_updates"),
        }
        batch_size = self.batch_size_used = self.batch_size or pipeline.BATCH_SIZE
        sqs = client("sqs")
        for role, (handler, function_name) in handlers.items():
            poller = QueuePoller(
                sqs,
                aws_resource_names.queue_name(self.stage, role),
                handler,
                function_name,
                batch_size=batch_size,
                wait_seconds=self.poll_wait_seconds,
                timeout_seconds=float(_lambda_timeout(self.stage, function_name)),
                batch_window_seconds=self.batch_window_seconds,
            )
            for index in range(self.pollers_per_queue):
                self._spawn(f"{role}-{index}", functools.partial(poller.run, self._stop))
        # The scheduled functions, on the sweep interval rather than AWS's one minute.
        scheduled = {
            "sweeper": (sweeper.sweep_stuck_tickets, "sweep_stuck_tickets", "sweep"),
            "escalation": (escalation.escalate_overdue_tickets, "escalate_overdue_tickets", "escalate"),
        }
        for name, (handler, function_name, summary) in scheduled.items():
            self._spawn(name, functools.partial(self._run_on_schedule, handler, function_name, name, summary))

    def _run_on_schedule(
        self, handler: Callable[[dict[str, Any], Any], Any], function_name: str, name: str, summary: str
    ) -> None:
        log = logging.getLogger(f"devstack.{name}")
        rule_arn = f"arn:aws:events:{self.region}:123456789012:rule/polyglot-desk-{self.stage}-{function_name}"
        timeout = float(_lambda_timeout(self.stage, function_name))
        while not self._stop.wait(self.sweep_interval_seconds):
            try:
                counts = handler(scheduled_event(rule_arn, self.region), LambdaContext(function_name, timeout))
            except Exception:
                log.exception("%s raised; next run in %g s", function_name, self.sweep_interval_seconds)
                continue
            if counts and any(counts.values()):
                logging.getLogger(APP_LOGGER).info(
                    f"{summary} " + " ".join(f"{key}={value}" for key, value in counts.items()),
                    extra={"stage": name},
                )

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=f"{THREAD_PREFIX}{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    # --- logging ------------------------------------------------------------------------

    def _quiet_loggers(self) -> None:
        for name in QUIET_LOGGERS:
            logger = logging.getLogger(name)
            self._saved_loggers.append((logger, logger.level))
            logger.setLevel(logging.ERROR)

    def _use_readable_logs(self) -> None:
        from chalicelib import observability

        # The app builds Powertools' Logger on first use: build it now, so that the level and
        # formatter set here are on its handler, not replaced when the first line is logged.
        getattr(observability.logger, "service", None)
        logger = logging.getLogger(APP_LOGGER)
        self._saved_loggers.append((logger, logger.level))
        level = self.log_level or os.environ.get("POWERTOOLS_LOG_LEVEL") or "INFO"
        logger.setLevel(level.upper())
        if not self.readable_logs:
            return
        for handler in logger.handlers:
            self._saved_formatters.append((handler, handler.formatter))
            handler.setFormatter(ReadableFormatter())

    def _restore_logging(self) -> None:
        for handler, formatter in reversed(self._saved_formatters):
            handler.setFormatter(formatter)
        for logger, level in reversed(self._saved_loggers):
            logger.setLevel(level)
        self._saved_formatters = []
        self._saved_loggers = []


def _lambda_timeout(stage: str, function_name: str) -> int:
    from infra.stack import lambda_setting

    return int(lambda_setting(stage, function_name, "lambda_timeout"))
