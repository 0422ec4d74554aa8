"""The campaign page (a member's most used: today's panel, totals, runs and the calendar) under gunicorn,
side by side with a minimal Flask "hello", on the data ``bench/boards.py`` generated (1,000,000
participants, 30 days of records).

    PYTHONPATH=. .venv/bin/python -m bench.campaign_page \\
        --database-url postgresql://postgres@127.0.0.1:5432/portal_boards --rounds 3

Each round: hello, then the page signed in as 100 members spread over the campaign (each with up to 30
days of records and check-ins), both with gunicorn's 4 sync workers and wrk (2 threads, 10 connections,
5 s warm-up, then ``--duration`` seconds). No target names this page; the figures say what an evening
peak meets (docs/benchmarks.md, "Step-report API").
"""

from __future__ import annotations

import argparse
import statistics

from bench.boards import PII_KEY, bench_app, lua, member_cookies, newest_campaign
from bench.serving import serve_and_load, server_env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    app = bench_app(args.database_url)
    campaign_id = newest_campaign(app)
    cookies = member_cookies(app, campaign_id)
    env = server_env(args.database_url, PII_KEY)
    hello_script = lua("/", cookies[:1], {})
    page_script = lua(f"/campaigns/{campaign_id}", cookies, {})
    settings = {"workers": args.workers, "connections": args.connections, "duration": args.duration}
    print("| round | hello req/s | campaign page req/s (p99) | page / hello | largest worker RSS |")
    print("|---|---|---|---|---|")
    ratios = []
    for round_ in range(1, args.rounds + 1):
        hello = serve_and_load("bench.minimal_hello:app", 8301, env, hello_script, **settings)
        page = serve_and_load("wsgi:app", 8302, env, page_script, **settings)
        ratios.append(page.rps / hello.rps)
        print(
            f"| {round_} | {hello.rps:,.0f} | {page.rps:,.0f} ({page.p99}) | {ratios[-1]:.0%} "
            f"| {page.worker_rss_mb:.0f} MB |",
            flush=True,
        )
    print(f"median page / hello = {statistics.median(ratios):.0%}")


if __name__ == "__main__":
    main()
