"""How far the board panel's poll could go without SQLAlchemy and Jinja: a counterfactual, not the portal.

    PYTHONPATH=. .venv/bin/python -m bench.poll_floor \\
        --database-url postgresql://postgres@127.0.0.1:5432/portal_boards --rounds 2

On the data ``bench/boards.py`` generated (and its snapshot). Each round, side by side under gunicorn
as in that benchmark: the minimal "hello", the portal's partial sent in full, and the same partial from
an app patched in two places (``floor_app``), the two costliest parts of the poll that trimming cannot
remove:

- the poll's one statement (``boards.read_first``) sent straight through psycopg, prepared, on a
  connection of the worker's own in autocommit: no SQLAlchemy execution, result or row objects;
- the viewer's rank and own row (``board_pages.assemble_panel``) written by an f-string into the kept
  frame instead of rendered by the two Jinja macros (Chinese only, individual board, whole scope: what
  the benchmark asks for).

Everything else (Flask, the session cookie, the snapshot pointers, the kept frame, the tag) is the
portal's. ``--stores redis memory`` adds, to each round, the floor with the statement's row not read
from PostgreSQL at all but from Redis or the worker's memory (``_stored_rows``): what a poll with no SQL
would reach. ``--bare`` adds the floor answered outside Flask's request altogether (``bare_app``): the
last layer a poll could shed. docs/benchmarks.md ("Boards", and its history) gives what it measured and
why none of it was kept.
"""

from __future__ import annotations

import argparse
import io
import os

from bench.boards import PII_KEY, POLL_HEADERS, bench_app, lua, member_cookies, newest_campaign
from bench.poll_profile import POLL, best_of_seven, environ
from bench.serving import serve_and_load, server_env
from portal.extensions import db

FLOOR_REDIS_URL = "BENCH_FLOOR_REDIS_URL"  # where the servers find --redis-url


class _SessionRow(tuple):
    """The statement's row with the names ``read_board_for_session`` reads from its head."""

    session_nonce = property(lambda row: row[0])
    enrollment_id = property(lambda row: row[1])
    unit_id = property(lambda row: row[2])
    title = property(lambda row: row[3])
    rules = property(lambda row: row[4])
    viewer_city = property(lambda row: row[5])


def floor_app(store: str = "sql"):
    """The portal's app with the two patches (``gunicorn 'bench.poll_floor:floor_app()'``). With
    ``store`` "redis" or "memory", the statement's row is not read from PostgreSQL at all but from a
    store the refresh would have filled (``_stored_rows``): what a poll with no SQL would cost."""
    import psycopg
    from markupsafe import Markup, escape

    import portal.boards.reading as boards
    import portal.web.boards as board_pages
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

    rendered = board_pages.assemble_panel

    def assemble_panel(view, kind, rules, *, campaign_id, enrolled, show_all, limit):
        frame = board_pages.board_cache("html").get(board_pages.frame_key(view.rows_key, show_all))
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
        html = frame.html.replace(board_pages.MINE_SLOT, my_rank, 1).replace(board_pages.OWN_SLOT, my_row, 1)
        return board_pages.Panel(Markup(html), frame, my_rank + my_row)

    boards.read_first = read_first if store == "sql" else _stored_rows(store, read_first)
    board_pages.assemble_panel = assemble_panel
    return app


def _stored_rows(store: str, read_from_database):
    """``read_first`` answered from Redis (one GET of the row, pickled; the database ``--redis-url``
    names) or from this process's memory (a dict), keyed by the statement's parameters and the statement
    object (each worker keeps its own keys). Filled from PostgreSQL at a key's first read, which stands in
    for a refresh that writes every member's row: the poll pays the lookup, not the fill."""
    import pickle

    import redis

    if store == "memory":
        rows: dict = {}

        def read_first(statement, parameters):
            key = (parameters["user_id"], parameters["campaign_id"], id(statement))
            found = rows.get(key)
            if found is None:
                found = rows[key] = read_from_database(statement, parameters)
            return found

        return read_first
    client = redis.Redis.from_url(os.environ[FLOOR_REDIS_URL])

    def read_first(statement, parameters):
        key = f"floor:{parameters['user_id']}:{parameters['campaign_id']}:{id(statement)}"
        packed = client.get(key)
        if packed is None:
            found = read_from_database(statement, parameters)
            if found is not None:
                client.set(key, pickle.dumps(tuple(found)), ex=600)
            return found
        return _SessionRow(pickle.loads(packed))

    return read_first


def bare_app(store: str = "sql"):
    """The floor's poll answered by a WSGI callable of its own in front of the portal (``gunicorn
    'bench.poll_floor:bare_app()'``): no Flask request, so none of the portal's hooks (Flask-Login,
    Flask-WTF, the limiter, the locale, the security headers' pass) and none of Flask's request and
    response objects. It does only what the poll needs: the session cookie checked with the portal's own
    serializer, the floor's statement and parts inside an app context, the tag, the headers written as
    they are. Anything else (another path, no session, a filter, a tag sent back, a frame not yet kept)
    goes to the portal. What a poll bypassing the portal's Flask request entirely would reach, with its
    row read as ``store`` says."""
    from itsdangerous import BadSignature
    from werkzeug.http import parse_cookie

    from portal.boards.reading import read_board_for_session
    from portal.boards.rows import Scope
    from portal.campaigns.rules import BoardKind
    from portal.identity.accounts import session_claim
    from portal.web import boards as board_pages
    from portal.web.panel_tags import KEPT_TO_ASK_AGAIN, panel_tag, viewer_mark
    from portal.web.security import SECURITY_HEADERS

    app = floor_app(store)
    serializer = app.session_interface.get_signing_serializer(app)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    max_age = int(app.permanent_session_lifetime.total_seconds())
    poll_path = "/campaigns/{}/boards/individual"

    def answer_poll(environ: dict) -> tuple[bytes, str] | None:
        parts = environ["PATH_INFO"].split("/")  # "", "campaigns", id, "rankings", kind
        if len(parts) != 5 or not parts[2].isdigit() or environ["PATH_INFO"] != poll_path.format(parts[2]):
            return None
        if environ.get("QUERY_STRING") or environ.get("HTTP_IF_NONE_MATCH"):
            return None
        cookie = parse_cookie(environ.get("HTTP_COOKIE", "")).get(cookie_name)
        try:
            signed_in = serializer.loads(cookie, max_age=max_age) if cookie else {}
        except BadSignature:
            return None
        claimed = session_claim(signed_in.get("_user_id"))
        if claimed is None:
            return None
        campaign_id = int(parts[2])
        with app.app_context():
            found = read_board_for_session(
                campaign_id,
                BoardKind.INDIVIDUAL,
                user_id=claimed[0],
                nonce=claimed[1],
                scope=Scope.ALL,
                top=board_pages.PARTIAL_TOP,
            )
            frame = found and board_pages.board_cache("html").get(
                board_pages.frame_key(found.view.rows_key, False)
            )
            if frame is None:  # the portal renders the frame (links need a request) and keeps it
                return None
            panel = board_pages.assemble_panel(
                found.view,
                BoardKind.INDIVIDUAL,
                found.rules,
                campaign_id=campaign_id,
                enrolled=True,
                show_all=False,
                limit=found.limit,
            )
            tag = panel_tag(found.view.rows_key, panel.frame, viewer_mark(*claimed), panel.viewer_parts)
        return panel.html.encode(), tag

    def bare(environ: dict, start_response):
        answered = answer_poll(environ) if environ.get("HTTP_HX_TARGET") == "board_panel" else None
        if answered is None:
            return app(environ, start_response)
        body, tag = answered
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("ETag", f'"{tag}"'),
                *KEPT_TO_ASK_AGAIN,
                *SECURITY_HEADERS,
            ],
        )
        return [body]

    return bare


def time_in_process(wsgi, campaign_id: int, cookies: list[str]) -> float:
    """Seconds a poll takes, a WSGI callable (an app's ``wsgi_app``) called directly (best of seven
    batches of 1,000)."""
    path = f"/campaigns/{campaign_id}/boards/individual"
    environs = [environ(path, "", cookie, POLL) for cookie in cookies]

    def call(count: int) -> None:
        for index in range(count):
            b"".join(wsgi({**environs[index % len(environs)], "wsgi.input": io.BytesIO(b"")}, _ignore))

    call(500)
    return best_of_seven(call)


def _ignore(*_args) -> None:
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--in-process", action="store_true", help="time the apps in process instead")
    parser.add_argument(
        "--bare", action="store_true", help="also the floor outside Flask's request (its row as each store)"
    )
    parser.add_argument(
        "--stores",
        nargs="*",
        default=[],
        choices=["redis", "memory"],
        help="also the floor with its row from these stores instead of PostgreSQL",
    )
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/14", help="the Redis database of --stores redis"
    )
    args = parser.parse_args()
    app = bench_app(args.database_url)
    campaign_id = newest_campaign(app)
    cookies = member_cookies(app, campaign_id)
    env = {**server_env(args.database_url, PII_KEY), FLOOR_REDIS_URL: args.redis_url}
    if args.in_process:
        os.environ.update(env)
        print(f"partial: {time_in_process(app.wsgi_app, campaign_id, cookies) * 1000:.3f} ms a request")
        floor = floor_app()  # patches the modules both apps use: timed second
        print(f"floor: {time_in_process(floor.wsgi_app, campaign_id, cookies) * 1000:.3f} ms a request")
        if args.bare:
            print(f"bare: {time_in_process(bare_app(), campaign_id, cookies) * 1000:.3f} ms a request")
        return
    hello, poll = (
        lua("/", cookies[:1], {}),
        lua(f"/campaigns/{campaign_id}/boards/individual", cookies, POLL_HEADERS),
    )
    settings = {"workers": 4, "connections": 10, "duration": args.duration}
    variants = [(f"floor from {store}", f"bench.poll_floor:floor_app('{store}')") for store in args.stores]
    if args.bare:  # outside Flask's request: from PostgreSQL, then from each store
        for store in ["sql", *args.stores]:
            variants.append((f"outside Flask, {store}", f"bench.poll_floor:bare_app('{store}')"))
    extra = "".join(f" {name} req/s (p99) | / hello |" for name, _target in variants)
    print(
        "| round | hello req/s | partial req/s (p99) | / hello | floor req/s (p99) | / hello "
        f"| largest worker RSS |{extra}"
    )
    print("|---|---|---|---|---|---|---|" + "---|---|" * len(variants))
    for round_ in range(1, args.rounds + 1):
        base = serve_and_load("bench.minimal_hello:app", 8211, env, hello, **settings)
        portal = serve_and_load("wsgi:app", 8212, env, poll, **settings)
        floor = serve_and_load("bench.poll_floor:floor_app()", 8213, env, poll, **settings)
        others = [serve_and_load(target, 8214, env, poll, **settings) for _name, target in variants]
        print(
            f"| {round_} | {base.rps:,.0f} | {portal.rps:,.0f} ({portal.p99}) | {portal.rps / base.rps:.0%} "
            f"| {floor.rps:,.0f} ({floor.p99}) | {floor.rps / base.rps:.0%} | {floor.worker_rss_mb:.0f} MB |"
            + "".join(f" {load.rps:,.0f} ({load.p99}) | {load.rps / base.rps:.0%} |" for load in others),
            flush=True,
        )


if __name__ == "__main__":
    main()
