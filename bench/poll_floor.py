"""How far the board panel's poll could go without SQLAlchemy and Jinja: a counterfactual, not the portal.

    PYTHONPATH=. .venv/bin/python -m bench.poll_floor \\
        --database-url postgresql://postgres@127.0.0.1:5432/portal_boards --rounds 2

On the data ``bench/rankings.py`` generated (and its snapshot). Each round, side by side under gunicorn
as in that benchmark: the minimal "hello", the portal's partial sent in full, and the same partial from
an app patched in two places (``floor_app``), the two costliest parts of the poll that trimming cannot
remove:

- the poll's one statement (``boards.read_first``) sent straight through psycopg, prepared, on a
  connection of the worker's own in autocommit: no SQLAlchemy execution, result or row objects;
- the viewer's rank and own row (``rankings.assemble_panel``) written by an f-string into the kept
  frame instead of rendered by the two Jinja macros (Chinese only, individual board, whole scope: what
  the benchmark asks for).

Everything else (Flask, the session cookie, the snapshot pointers, the kept frame, the tag) is the
portal's. docs/benchmarks.md (issue 7) gives what it measured and why neither patch was kept.
"""

from __future__ import annotations

import argparse
import io
import os

from bench.poll_profile import POLL, best_of_seven, environ
from bench.rankings import PII_KEY, POLL_HEADERS, bench_app, lua, member_cookies, newest_campaign
from bench.serving import serve_and_load, server_env
from portal.extensions import db


class _SessionRow(tuple):
    """The statement's row with the names ``read_board_for_session`` reads from its head."""

    session_nonce = property(lambda row: row[0])
    enrollment_id = property(lambda row: row[1])
    unit_id = property(lambda row: row[2])
    title = property(lambda row: row[3])
    rules = property(lambda row: row[4])
    viewer_city = property(lambda row: row[5])


def floor_app():
    """The portal's app with the two patches (``gunicorn 'bench.poll_floor:floor_app()'``)."""
    import psycopg
    from markupsafe import Markup, escape

    import portal.services.boards as boards
    import portal.views.rankings as rankings
    from wsgi import app

    connection: list = []
    compiled: dict = {}

    def read_first(statement, parameters):
        if not connection:  # made in the worker, after the fork
            connection.append(psycopg.connect(os.environ["DATABASE_URL"], autocommit=True))
        sql = compiled.get(statement)
        if sql is None:
            sql = compiled[statement] = str(statement.compile(dialect=db.engine.dialect))
        found = connection[0].execute(sql, parameters, prepare=True).fetchone()
        return _SessionRow(found) if found is not None else None

    rendered = rankings.assemble_panel

    def assemble_panel(view, kind, rules, *, campaign_id, enrolled, show_all, limit):
        frame = rankings.board_cache("html").get(rankings.frame_key(view.rows_key, show_all))
        if frame is None or view.mine is None:
            return rendered(
                view, kind, rules, campaign_id=campaign_id, enrolled=enrolled, show_all=show_all, limit=limit
            )
        mine = view.mine
        my_rank = f'<div class="board-mine"><p class="board-mine-rank">第 {mine.rank} 名</p></div>'
        my_row = (
            f'<ol class="board board-own" aria-label="我的排名"><li data-entry="{mine.enrollment_id}" '
            f'class="mine"><span class="board-rank">{mine.rank}</span><span class="board-who"><strong>'
            f"{escape(mine.name)}</strong><small>{escape(mine.unit)}</small></span>"
            '<span class="board-figures"><strong>'
            f"{mine.qualified_days} 天</strong><small>{mine.checkin_days} 次打卡 · {mine.steps:,} 步</small>"
            "</span></li></ol>"
        )
        html = frame.html.replace(rankings.MINE_SLOT, my_rank, 1).replace(rankings.OWN_SLOT, my_row, 1)
        return rankings.Panel(Markup(html), frame, my_rank + my_row)

    boards.read_first = read_first
    rankings.assemble_panel = assemble_panel
    return app


def time_in_process(app, campaign_id: int, cookies: list[str]) -> float:
    """Seconds a poll takes, the app's WSGI callable called directly (best of seven batches of 1,000)."""
    path = f"/campaigns/{campaign_id}/rankings/individual"
    environs = [environ(path, "", cookie, POLL) for cookie in cookies]

    def call(count: int) -> None:
        for index in range(count):
            b"".join(
                app.wsgi_app({**environs[index % len(environs)], "wsgi.input": io.BytesIO(b"")}, _ignore)
            )

    call(500)
    return best_of_seven(call)


def _ignore(*_args) -> None:
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--in-process", action="store_true", help="time both apps in process instead")
    args = parser.parse_args()
    app = bench_app(args.database_url)
    campaign_id = newest_campaign(app)
    cookies = member_cookies(app, campaign_id)
    env = server_env(args.database_url, PII_KEY)
    if args.in_process:
        os.environ.update(env)
        print(f"partial: {time_in_process(app, campaign_id, cookies) * 1000:.3f} ms a request")
        floor = floor_app()  # patches the modules both apps use: timed second
        print(f"floor: {time_in_process(floor, campaign_id, cookies) * 1000:.3f} ms a request")
        return
    hello, poll = (
        lua("/", cookies[:1], {}),
        lua(f"/campaigns/{campaign_id}/rankings/individual", cookies, POLL_HEADERS),
    )
    settings = {"workers": 4, "connections": 10, "duration": args.duration}
    print(
        "| round | hello req/s | partial req/s (p99) | / hello | floor req/s (p99) | / hello "
        "| largest worker RSS |"
    )
    print("|---|---|---|---|---|---|---|")
    for round_ in range(1, args.rounds + 1):
        base = serve_and_load("bench.minimal_hello:app", 8211, env, hello, **settings)
        portal = serve_and_load("wsgi:app", 8212, env, poll, **settings)
        floor = serve_and_load("bench.poll_floor:floor_app()", 8213, env, poll, **settings)
        print(
            f"| {round_} | {base.rps:,.0f} | {portal.rps:,.0f} ({portal.p99}) | {portal.rps / base.rps:.0%} "
            f"| {floor.rps:,.0f} ({floor.p99}) | {floor.rps / base.rps:.0%} | {floor.worker_rss_mb:.0f} MB |",
            flush=True,
        )


if __name__ == "__main__":
    main()
