"""`make bench-coldstart`: what each Lambda handler pays at a cold start, in fresh processes.

    python -m bench.coldstart [--repeat 3]

Every function Chalice deploys runs the same `app.py` (each is `app.<handler>`), so a cold
start is the same `import app` for all, then what each handler builds on its first call. For
each handler, in a fresh `python` process (the median of --repeat processes):

- import: wall time of `import app` (after the interpreter has started), its CPU time (what a
  loaded machine disturbs least: compare figures across runs by it), and peak RSS after it
  (ru_maxrss); whether the language model is mapped into the process by then (it must not be:
  /proc/self/maps names its files once it is open);
- first call, without the network: the API handler answers GET /health (an API Gateway event),
  the authorizer denies a token it cannot read; the workers and the scheduled functions build
  their dependencies and boto3 clients, which is what they do before their first AWS request;
  the detector also detects the language of one ticket, i.e. it opens the model. Its time and
  the peak RSS after it, and whether the model is mapped then.

The detector's first call is measured with the model's files evicted from the page cache
first (`posix_fadvise(POSIX_FADV_DONTNEED)` on each file: no root needed; /proc/sys/vm/drop_caches
would drop the whole machine's cache). `fincore` (util-linux), where present, says how much of
the model was still resident after the eviction: pages another process has mapped (a running
local stack) stay. The peers: `import boto3` plus one client (the floor under any handler's
import), and langdetect's import plus its first detection (it loads its profiles then) with its
profiles evicted the same way. `-X importtime` names the slowest imports under `import app`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODEL_DIR = ROOT / "chalicelib" / "langid" / "model"
SAMPLE_TICKET = "No puedo retirar mi dinero, el pago falla desde ayer y nadie me responde."
API_HANDLER = "api"
AUTHORIZER = "authorizer"
DETECTOR = "detect_language"
WORKERS = (
    DETECTOR,
    "translate_ticket",
    "route_ticket",
    "deliver_notifications",
    "fan_out_incident_updates",
    "sweep_stuck_tickets",
    "escalate_overdue_tickets",
)
HANDLERS = (API_HANDLER, AUTHORIZER, *WORKERS)
PEERS = ("floor: import boto3 + a client", "peer: langdetect import + first detect")
IMPORT_BUDGET_MS = 300.0


# --- in the child process -------------------------------------------------------------------


def model_mapped() -> bool:
    """Whether this process has the language model's files mapped (the model is open)."""
    marker = str(MODEL_DIR)
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
        return any(marker in line for line in maps)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _api_event(path: str) -> dict[str, Any]:
    return {
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": {"Host": "coldstart.local"},
        "multiValueHeaders": {"Host": ["coldstart.local"]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {"resourcePath": path, "httpMethod": "GET", "stage": "api", "requestId": "coldstart"},
        "body": None,
        "isBase64Encoded": False,
    }


def _first_call(handler: str, app_module: Any) -> str:
    """The handler's first call (no network); returns what it answered, briefly."""
    from devstack.lambda_events import LambdaContext

    if handler == API_HANDLER:
        answer = app_module.app(_api_event("/health"), LambdaContext("api_handler", 30.0))
        return f"GET /health {answer['statusCode']}"
    if handler == AUTHORIZER:
        from chalicelib.api.access import agent_authorizer

        event = {
            "type": "TOKEN",
            "authorizationToken": "Bearer not-a-token",
            "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc/api/GET/desk/tickets",
        }
        answer = agent_authorizer(event, LambdaContext("agent_authorizer", 30.0))
        # Chalice denies by allowing no resource: an empty Resource list.
        allowed = sum(len(statement.get("Resource", [])) for statement in answer["policyDocument"]["Statement"])
        return f"authorizer allows {allowed} routes"
    from chalicelib.adapters.aws import client
    from chalicelib.composition_root import dependencies

    built = dependencies()
    client("dynamodb"), client("sqs")
    if handler != DETECTOR:
        return "dependencies and clients built"
    from chalicelib.domain.ticket import Requester

    language = built.detector.detect(SAMPLE_TICKET, Requester())
    return f"detected {language.code}"


def _peer_child(name: str) -> dict[str, Any]:
    started, started_cpu = time.perf_counter(), time.process_time()
    if name == PEERS[0]:
        import boto3

        imported, imported_cpu = time.perf_counter(), time.process_time()
        boto3.session.Session().client("dynamodb", region_name="us-east-1")
        answer = "client built"
    else:
        import langdetect

        imported, imported_cpu = time.perf_counter(), time.process_time()
        answer = "detected " + langdetect.detect(SAMPLE_TICKET)
    done = time.perf_counter()
    return {
        "import_ms": (imported - started) * 1000,
        "import_cpu_ms": (imported_cpu - started_cpu) * 1000,
        "import_rss_mb": float("nan"),
        "first_call_ms": (done - imported) * 1000,
        "rss_mb": peak_rss_mb(),
        "answer": answer,
        "model_after_import": False,
        "model_after_call": False,
    }


def child(handler: str) -> dict[str, Any]:
    """Run in a fresh process: import app, then the first call; the figures as a dict."""
    if handler in PEERS:
        return _peer_child(handler)
    started, started_cpu = time.perf_counter(), time.process_time()
    import app as app_module

    imported, imported_cpu = time.perf_counter(), time.process_time()
    import_rss, model_after_import = peak_rss_mb(), model_mapped()
    answer = _first_call(handler, app_module)
    done = time.perf_counter()
    return {
        "import_ms": (imported - started) * 1000,
        "import_cpu_ms": (imported_cpu - started_cpu) * 1000,
        "import_rss_mb": import_rss,
        "first_call_ms": (done - imported) * 1000,
        "rss_mb": peak_rss_mb(),
        "answer": answer,
        "model_after_import": model_after_import,
        "model_after_call": model_mapped(),
    }


# --- in the parent --------------------------------------------------------------------------


def child_environment() -> dict[str, str]:
    """The local stage's variables, fake credentials, no endpoint: nothing reaches the network."""
    from devstack.stack import FAKE_CREDENTIALS, stage_environment

    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(stage_environment("local"))
    env.update(FAKE_CREDENTIALS)
    env.update({"AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"})
    env["PYTHONPATH"] = str(ROOT)
    return env


def evict(paths: Sequence[Path]) -> None:
    """Drop these files' pages from the page cache (pages another process maps stay)."""
    for path in paths:
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(descriptor)


def resident_share(paths: Sequence[Path]) -> float | None:
    """The share of these files' bytes in the page cache, from `fincore`; None without it."""
    fincore = shutil.which("fincore")
    if fincore is None or not paths:
        return None
    answer = subprocess.run(
        [fincore, "--bytes", "--noheadings", "--output", "RES,SIZE", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    resident = size = 0
    for line in answer.stdout.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[0].isdigit() and fields[1].isdigit():
            resident, size = resident + int(fields[0]), size + int(fields[1])
    return resident / size if size else None


def model_files() -> list[Path]:
    return sorted(path for path in MODEL_DIR.iterdir() if path.suffix in (".u8", ".u32", ".json"))


def langdetect_files() -> list[Path]:
    import importlib.util

    spec = importlib.util.find_spec("langdetect")
    if spec is None or spec.origin is None:
        return []
    return sorted((Path(spec.origin).parent / "profiles").glob("*"))


def python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter in the repository, its output captured."""
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT, check=False, timeout=120
    )


def run_child(handler: str, env: dict[str, str]) -> dict[str, Any]:
    started = time.perf_counter()
    answer = python(["-m", "bench.coldstart", "--child", handler], env)
    if answer.returncode != 0:
        raise RuntimeError(f"the {handler} child failed:\n{answer.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    figures["process_ms"] = (time.perf_counter() - started) * 1000
    return figures


def measure(handler: str, repeat: int, env: dict[str, str]) -> dict[str, Any]:
    """The median of `repeat` fresh processes; with the page cache evicted for the detectors."""
    runs: list[dict[str, Any]] = []
    resident: list[float] = []
    files = model_files() if handler == DETECTOR else langdetect_files() if handler == PEERS[1] else []
    for _ in range(repeat):
        if files:
            evict(files)
            share = resident_share(files)
            if share is not None:
                resident.append(share)
        runs.append(run_child(handler, env))
    summary: dict[str, Any] = {
        key: statistics.median(run[key] for run in runs)
        for key in ("import_ms", "import_cpu_ms", "import_rss_mb", "first_call_ms", "rss_mb", "process_ms")
    }
    summary.update(
        answer=runs[-1]["answer"],
        model_after_import=any(run["model_after_import"] for run in runs),
        model_after_call=any(run["model_after_call"] for run in runs),
        resident_after_evict=max(resident) if resident else None,
    )
    return summary


def import_offenders(env: dict[str, str], top: int = 10) -> list[tuple[str, float]]:
    """The top-level packages `import app` spends most in (cumulative ms, -X importtime)."""
    answer = python(["-X", "importtime", "-c", "import app"], env)
    rows: list[tuple[int, str, float]] = []  # (depth, top-level package, cumulative ms)
    for line in answer.stderr.splitlines():
        if not line.startswith("import time:") or line.count("|") < 2:
            continue
        _, cumulative, raw_name = line.removeprefix("import time:").split("|", 2)
        if not cumulative.strip().isdigit():
            continue
        depth = (len(raw_name) - len(raw_name.lstrip()) - 1) // 2
        rows.append((depth, raw_name.strip().split(".")[0], int(cumulative.strip()) / 1000))
    # importtime prints children before their parent: reversed, each package is counted where
    # something outside it imported it (its cumulative time includes what it imported).
    totals: dict[str, float] = {}
    stack: list[tuple[int, str]] = []
    for depth, package, cumulative_ms in reversed(rows):
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if package != "app" and (not stack or stack[-1][1] != package):
            totals[package] = totals.get(package, 0.0) + cumulative_ms
        stack.append((depth, package))
    return sorted(totals.items(), key=lambda item: -item[1])[:top]


def _fmt(value: float | None, spec: str) -> str:
    if value is None or value != value:  # NaN
        return "-"
    return format(value, spec)


def report(results: dict[str, dict[str, Any]], offenders: list[tuple[str, float]], repeat: int) -> str:
    floor = results[PEERS[0]]
    peer = results[PEERS[1]]
    header = ["handler", "import ms", "CPU ms", "x boto3", "RSS MB", "model?", "1st call ms", "RSS MB", "model?"]
    header.append("process ms")
    rows = [header]
    for name, result in results.items():
        rows.append(
            [
                name,
                _fmt(result["import_ms"], ".0f"),
                _fmt(result["import_cpu_ms"], ".0f"),
                _fmt(result["import_ms"] / floor["import_ms"], ".2f") if name != PEERS[0] else "1.00",
                _fmt(result["import_rss_mb"], ".0f"),
                "yes" if result["model_after_import"] else "no",
                _fmt(result["first_call_ms"], ".0f"),
                _fmt(result["rss_mb"], ".0f"),
                "yes" if result["model_after_call"] else "no",
                _fmt(result["process_ms"], ".0f"),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    detector = results[DETECTOR]
    cold = detector["first_call_ms"]
    notes = [
        "",
        f"median of {repeat} fresh processes each; import = `import app` after the interpreter started (wall,",
        "then CPU: process_time, which a loaded machine disturbs less);",
        "RSS = peak resident set (ru_maxrss) after the import, then after the first call; model? = the",
        "language model's files are mapped into the process; process ms = the whole child, interpreter included.",
        f"the detector's first call (model opened, one detection): {cold:.0f} ms; langdetect's import + first",
        f"detection: {peer['import_ms'] + peer['first_call_ms']:.0f} ms "
        f"(ours/peer {cold / max(1e-9, peer['import_ms'] + peer['first_call_ms']):.2f}x: "
        "our first call after `import app`, vs langdetect's import and first call).",
        _residency_note(detector.get("resident_after_evict"), peer.get("resident_after_evict")),
        f"budget: the API handler and the authorizer import in < {IMPORT_BUDGET_MS:.0f} ms and never open the model: "
        + _budget_verdict(results),
        "slowest imports under `import app` (cumulative ms, -X importtime, one run): "
        + ", ".join(f"{name} {ms:.0f}" for name, ms in offenders),
    ]
    return "\n".join(lines + notes)


def _residency_note(ours: float | None, peer: float | None) -> str:
    if ours is None:
        return "page cache: the files were evicted with posix_fadvise(DONTNEED); fincore is missing, so unverified."
    return (
        "page cache: evicted with posix_fadvise(DONTNEED) before each detector run; still resident after it "
        f"(fincore): model {ours:.0%}"
        + (f", langdetect profiles {peer:.0%}" if peer is not None else "")
        + " (what stays is mapped by another process)."
    )


def _budget_verdict(results: dict[str, dict[str, Any]]) -> str:
    verdicts = []
    for name in (API_HANDLER, AUTHORIZER):
        result = results[name]
        ok = (
            result["import_ms"] < IMPORT_BUDGET_MS
            and not result["model_after_import"]
            and not result["model_after_call"]
        )
        verdicts.append(f"{name} {'OK' if ok else 'OVER'}")
    return ", ".join(verdicts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.coldstart", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per handler (default 3)")
    parser.add_argument("--child", choices=(*HANDLERS, *PEERS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)), flush=True)
        return 0
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    env = child_environment()
    log: Callable[[str], None] = lambda message: print(f"[coldstart] {message}", file=sys.stderr, flush=True)  # noqa: E731
    results: dict[str, dict[str, Any]] = {}
    for name in (*HANDLERS, *PEERS):
        log(f"{name} x{args.repeat}")
        results[name] = measure(name, args.repeat, env)
    print(report(results, import_offenders(env), args.repeat), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
