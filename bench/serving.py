"""Serving a WSGI app under gunicorn and loading it with wrk, for the benchmarks (bench/step_api.py,
bench/boards.py): the same settings for the app measured and its baseline, side by side."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Load:
    rps: float
    p99: str
    p99_ms: float
    worker_rss_mb: float  # the largest resident set of one worker seen during the measured run


def worker_rss_mb(master_pid: int) -> float:
    """Resident memory of the master's children (gunicorn's workers), the largest, in MB."""
    largest = 0
    for child in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    largest = max(largest, int(line.split()[1]))
        except FileNotFoundError:
            continue
    return largest / 1024


def _milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def server_env(url: str, pii_key: str) -> dict[str, str]:
    """The environment gunicorn serves the portal in: the benchmark's database, secret and PII key."""
    return {**os.environ, "DATABASE_URL": url, "PORTAL_SECRET_KEY": "bench", "PORTAL_PII_KEY": pii_key}


def start_gunicorn(target: str, port: int, env: dict, *, workers: int) -> subprocess.Popen:
    """``gunicorn target`` on ``port`` with its default settings but the workers, quiet."""
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}", target],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def serve_and_load(
    target: str, port: int, env: dict, script: Path, *, workers: int, connections: int, duration: int
) -> Load:
    """Start ``gunicorn target``, warm it up for 5 s, then measure ``duration`` seconds with wrk at
    ``connections`` connections (two threads), sampling the workers' memory every half second. A run with
    any answer other than 2xx is void."""
    server = start_gunicorn(target, port, env, workers=workers)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            with contextlib.suppress(OSError):
                peak[0] = max(peak[0], worker_rss_mb(server.pid))

    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.2)
                continue
            break
        wrk = ["wrk", "-t2", "-c", str(connections), "-s", str(script), f"http://127.0.0.1:{port}"]
        subprocess.run([*wrk[:-1], "-d", "5s", wrk[-1]], capture_output=True, check=True)  # warm-up
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        result = subprocess.run(
            [*wrk[:-1], "-d", f"{duration}s", "--latency", wrk[-1]],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        done.set()
        sampler.join()
    finally:
        done.set()
        server.terminate()
        server.wait(timeout=30)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
    if errors:
        raise SystemExit(f"{target}: {errors[1]} answers were not 2xx; the measurement is void")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", result)[1])
    p99 = re.search(r"^\s+99%\s+(\S+)$", result, re.MULTILINE)[1]
    return Load(rps=rps, p99=p99, p99_ms=_milliseconds(p99), worker_rss_mb=peak[0])
