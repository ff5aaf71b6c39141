"""Lazily created, cached boto3 clients.

Created on first use, not at import: moto must be running before a client exists, and a cold
start should not pay for clients a function never uses. boto3 honours AWS_ENDPOINT_URL and
AWS_ENDPOINT_URL_<SERVICE>, so the same code talks to moto, another emulator or AWS.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

_CLIENT_CONFIG = Config(
    connect_timeout=3,
    read_timeout=10,
    retries={"mode": "standard", "max_attempts": 4},
    # The workers run in parallel threads in the local stack: keep enough pooled connections.
    max_pool_connections=32,
)

_lock = threading.Lock()
_clients: dict[str, Any] = {}
# One session per process: each new Session re-parses botocore's endpoint and model files.
_session: boto3.session.Session | None = None


def client(service: str) -> Any:
    cached = _clients.get(service)
    if cached is not None:
        return cached
    global _session
    with _lock:
        if service not in _clients:
            if _session is None:
                _session = boto3.session.Session()
            _clients[service] = _session.client(service, config=_CLIENT_CONFIG)
        return _clients[service]


def reset_clients(credentials: bool = False) -> None:
    """Forget every client (after pointing boto3 at a new endpoint); the next call makes new ones.

    The session is kept: endpoints are read from the environment per client, and parsing
    botocore's models again would cost ~0.2 s of CPU each time. Pass `credentials=True` after
    changing the AWS credentials in the environment.
    """
    global _session
    with _lock:
        _clients.clear()
        if credentials:
            _session = None
