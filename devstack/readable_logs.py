"""The local stack's terminal log: one readable line per log call instead of Powertools' JSON."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from aws_lambda_powertools.logging.formatter import BasePowertoolsFormatter

SHORT_STAGE = {"detect_language": "detect", "translate_ticket": "translate", "route_ticket": "route"}
# Lines logged without a `stage` key take their module's: the routes and use cases that log.
MODULE_STAGE = {
    "tickets": "intake",
    "submit_ticket": "intake",
    "sweep": "sweeper",
    "escalate": "escalation",
    "later_translations": "translate",
}


class ReadableFormatter(BasePowertoolsFormatter):
    """One readable line per log call, instead of Powertools' JSON, for a terminal:

        12:03:04.123 detect    01JABCD...  detected language=es confidence=1.00 source=text

    Keys added with `logger.append_keys` are kept per thread: the local stack runs several
    workers in one process, where Powertools' formatter would share them across threads.
    """

    _SHOWN = ("stage", "ticket_id", "correlation_id")

    def __init__(self) -> None:
        super().__init__()
        self._local = threading.local()

    def _keys(self) -> dict[str, Any]:
        keys = getattr(self._local, "keys", None)
        if keys is None:
            keys = self._local.keys = {}
        return keys

    def append_keys(self, **additional_keys: Any) -> None:
        self._keys().update(additional_keys)

    def get_current_keys(self) -> dict[str, Any]:
        return dict(self._keys())

    def remove_keys(self, keys: Iterable[str]) -> None:
        current = self._keys()
        for key in keys:
            current.pop(key, None)

    def clear_state(self) -> None:
        self._keys().clear()

    def thread_safe_append_keys(self, **additional_keys: Any) -> None:
        self.append_keys(**additional_keys)

    def thread_safe_get_current_keys(self) -> dict[str, Any]:
        return self.get_current_keys()

    def thread_safe_remove_keys(self, keys: Iterable[str]) -> None:
        self.remove_keys(keys)

    def thread_safe_clear_keys(self) -> None:
        self.clear_state()

    def format(self, record: logging.LogRecord) -> str:
        fields = {**self._keys(), **_extras(record)}
        stage = str(fields.pop("stage", "") or _stage_of(record))
        ticket_id = str(fields.pop("ticket_id", "") or "-")
        fields.pop("correlation_id", None)
        message = record.getMessage()
        if str(fields.get("status", "")) and message.startswith(str(fields["status"])):
            fields.pop("status")
        details = " ".join(f"{key}={value}" for key, value in fields.items() if value not in (None, False))
        clock = time.strftime("%H:%M:%S", time.localtime(record.created)) + f".{int(record.msecs):03d}"
        level = "" if record.levelno < logging.WARNING else f"{record.levelname} "
        line = f"{clock} {SHORT_STAGE.get(stage, stage):<9} {ticket_id:<26} {level}{message}"
        if details:
            line += f" [{details}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


_STANDARD_RECORD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {key: value for key, value in record.__dict__.items() if key not in _STANDARD_RECORD}


def _stage_of(record: logging.LogRecord) -> str:
    """The stage column for a line logged without one: named after the module that logged it."""
    return MODULE_STAGE.get(record.module, record.module)
