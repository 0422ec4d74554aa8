"""What one step report costs in process, without a server: the portal's WSGI callable, or the minimal
upsert endpoint's, called directly in one thread with random tokens and steps, best of five batches of
1,000 (wall clock and CPU). On the data ``bench/step_api.py`` generated:

    PYTHONPATH=. .venv/bin/python -m bench.step_profile \\
        --database-url postgresql://postgres@127.0.0.1:5432/portal_bench --app portal

``--profile``: then 3,000 reports under cProfile (by cumulative, then by own time).
``--instructions N``: only N reports, inside ``functools.reduce``, for a repeatable count of the
instructions they take (this machine's speed drifts by a third within minutes; instruction counts
do not move):

    valgrind --tool=callgrind --toggle-collect=functools_reduce --callgrind-out-file=/tmp/cg.out \\
        .venv/bin/python -m bench.step_profile --database-url … --app portal --instructions 400

Divide the "I refs" valgrind prints by N. The two apps' counts compare what each asks of the CPU;
PostgreSQL's own work is in another process and counts in neither.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import json
import os
import pstats
import random
import sys
import time

from bench.step_api import PII_KEY, generated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--app", choices=("portal", "minimal"), default="portal")
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true", help="then 3,000 reports under cProfile")
    parser.add_argument("--instructions", type=int, metavar="N", help="only N reports, for callgrind")
    args = parser.parse_args()
    found = generated(args.database_url)
    if found is None:
        raise SystemExit("no data here: run bench.step_api first")
    campaign_id, day = found
    # As under gunicorn in bench/step_api.py; the board ticker waits for longer than any run here.
    os.environ.update(
        DATABASE_URL=args.database_url,
        PORTAL_SECRET_KEY="bench",
        PORTAL_PII_KEY=PII_KEY,
        PORTAL_BOARD_TICK_SECONDS="86400",
    )
    if args.app == "portal":
        from wsgi import app
    else:
        from bench.minimal_upsert import app
    statuses: list[str] = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    def report(_previous=None, _index=None) -> None:
        body = json.dumps({"campaign_id": campaign_id, "day": day, "steps": random.randint(0, 30000)})
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/v1/steps",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": f"Bearer jbz_bench_{random.randint(1, args.tokens)}",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body.encode()),
            "wsgi.errors": sys.stderr,
        }
        b"".join(app.wsgi_app(environ, start_response))

    def reports(count: int) -> None:
        for _ in range(count):
            report()

    reports(200)  # warm: connections, prepared statements, the campaign's terms
    assert all(status.startswith("200") for status in statuses), statuses[-3:]
    if args.instructions:
        functools.reduce(report, range(args.instructions), None)
        return
    walls, cpus = [], []
    for _ in range(5):
        wall, cpu = time.perf_counter(), time.process_time()
        reports(1000)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    print(
        f"{args.app}: {min(walls):.3f} ms a report (wall), {min(cpus):.3f} ms CPU "
        "(best of five batches of 1,000)"
    )
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        reports(3000)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profile).sort_stats("tottime").print_stats(45)


if __name__ == "__main__":
    main()
