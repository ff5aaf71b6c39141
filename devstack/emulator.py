"""`make test-emulator`: the integration and pipeline tests against another AWS endpoint than
moto in-process, so behaviour we only get from moto shows up.

    python -m devstack.emulator --endpoint http://127.0.0.1:4566 [-- pytest args]   # an emulator you run
    python -m devstack.emulator [-- pytest args]                                      # ministack, here

Without --endpoint, ministack (pinned, from PyPI) is installed into its own venv
(build/ministack-venv: its dependencies stay out of the app's), started on a free port, waited for, and stopped after
the run, whatever the outcome. The tests get the endpoint as POLYGLOT_TEST_AWS_ENDPOINT
(tests/emulator.py); the `slow` tests (the local stack, the browser, packaging) run their own
embedded moto server and are left out. KNOWN_DIFFERENCES are deselected, each with its reason
printed: what a test checks there is moto's behaviour or moto's internals, not the app's.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINISTACK_VERSION = "1.5.33"
MINISTACK_VENV = ROOT / "build" / "ministack-venv"  # build/ is git-ignored
DEFAULT_TESTS = ("-m", "not slow", "tests/integration", "tests/pipeline")
EVIDENCE = "tests/pipeline/test_evidence.py::"
TALKING_BACK = "tests/pipeline/test_talking_back.py::"
# Found running the suite on ministack 1.5.33 (355 of 361 pipeline tests, 218 of 218 integration).
KNOWN_DIFFERENCES = {
    EVIDENCE + "test_an_upload_is_presigned_posted_confirmed_and_listed": (
        "asserts moto's virtual-hosted URL https://<bucket>.s3.<region>.amazonaws.com; an endpoint "
        "override gives path-style http://<endpoint>/<bucket>"
    ),
    EVIDENCE + "test_uploads_go_to_the_buckets_own_host_under_the_tickets_prefix": (
        "same: the upload origin is the emulator's endpoint, not the bucket's S3 host"
    ),
    EVIDENCE + "test_an_agent_gets_a_short_download_link_that_fetches_the_bytes_as_an_attachment": (
        "ministack refuses a presigned GET carrying response-content-disposition (S3 and moto honour it)"
    ),
    EVIDENCE + "test_an_object_of_another_type_than_declared_is_refused": (
        "ministack enforces the POST policy's Content-Type condition, as S3 does (moto does not): the "
        "wrong file never lands, so confirming answers 409 not_uploaded rather than 422 upload_mismatch"
    ),
    TALKING_BACK + "test_the_acknowledgement_reaches_the_requester_in_their_language_on_both_channels": (
        "reads the e-mails from moto's SES backend (moto internals)"
    ),
    TALKING_BACK + "test_replies_waiting_and_resolution_are_announced": (
        "reads the e-mails from moto's SES backend (moto internals)"
    ),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def healthy(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/_ministack/health", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def install_ministack(version: str) -> Path:
    executable = MINISTACK_VENV / "bin" / "ministack"
    marker = MINISTACK_VENV / f".ministack-{version}"
    if not marker.exists():
        subprocess.run([sys.executable, "-m", "venv", str(MINISTACK_VENV)], check=True)
        pip = [str(MINISTACK_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, f"ministack=={version}"], check=True)
        marker.touch()
    return executable


@contextmanager
def ministack(version: str, wait_seconds: float = 60.0) -> Iterator[str]:
    """ministack on a free port for the duration of the block; its endpoint."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = open(ROOT / "build" / "ministack.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [str(install_ministack(version))], env={**os.environ, "GATEWAY_PORT": str(port)}, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + wait_seconds
        while not healthy(endpoint):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"ministack did not start on {endpoint}: see build/ministack.log")
            time.sleep(0.3)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def run_tests(endpoint: str, pytest_args: Sequence[str]) -> int:
    print(f"tests against {endpoint}; moto-only checks left out:")
    for test, reason in KNOWN_DIFFERENCES.items():
        print(f"  {test.split('::')[1]}: {reason}")
    deselect = [arg for test in KNOWN_DIFFERENCES for arg in ("--deselect", test)]
    env = {**os.environ, "POLYGLOT_TEST_AWS_ENDPOINT": endpoint}
    command = [sys.executable, "-m", "pytest", *deselect, *pytest_args]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.emulator", description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", default="", help="an emulator already running (default: start ministack)")
    parser.add_argument("--ministack-version", default=MINISTACK_VERSION)
    parser.add_argument("pytest_args", nargs="*", help="after --: what pytest runs (default: integration, pipeline)")
    args = parser.parse_args(argv)
    pytest_args = args.pytest_args or list(DEFAULT_TESTS)
    if args.endpoint:
        return run_tests(args.endpoint.rstrip("/"), pytest_args)
    (ROOT / "build").mkdir(exist_ok=True)
    with ministack(args.ministack_version) as endpoint:
        return run_tests(endpoint, pytest_args)


if __name__ == "__main__":
    sys.exit(main())
