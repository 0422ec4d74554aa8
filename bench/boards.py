"""The ranking boards at 1,000,000 participants × 30 days (docs/benchmarks.md, "Boards"), each side by side
with its baseline.

    createdb -h 127.0.0.1 -U postgres portal_boards
    python -m bench.boards --database-url postgresql://postgres@127.0.0.1:5432/portal_boards --rounds 3

1. Generates the campaign in SQL (bench/board_data.py; ``--reuse`` measures again on an earlier run's).
2. Refresh: the closed days' totals as the nightly settlement leaves them (all days but today, or but the
   last ``--unsettled-days``), then alternating rounds of a bare ``CREATE TABLE … AS SELECT … rank() OVER
   (…)`` of the individual board from the records and the portal's full refresh of all three boards
   (``refresh_boards``), timed on the same data.
3. Pages under gunicorn (4 workers), each round: a minimal Flask "hello", the htmx board partial (top 50
   and my rank) and the full top-600 page, signed in as 100 members spread over the board, driven by wrk;
   requests per second, p99 latency, and the largest resident memory of one worker during the run. Then,
   as ceilings, the bytes of each of the two pages (one member's) sent by a minimal Flask app that does
   nothing else (``bench/minimal_bytes.py``): what no page of that size can beat on this machine.
   Last, the partial's polls as a browser sends them again (the tag of the panel it was sent, answered
   304 while the snapshot stands): all of them, and one in five sent in full, as a member polling each
   minute sends them over a five-minute snapshot. The target is set against the partial sent in full.
Needs wrk (Debian package ``wrk``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import inspect, select, text, update

from bench.board_data import DAYS, generate_board_campaign
from bench.serving import ROOT, serve_and_load, server_env
from portal import create_app
from portal.boards.snapshots import refresh_boards
from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import day_closes_at, local_today
from portal.campaigns.settled_totals import TOTALS_MARGIN, settle_totals
from portal.extensions import db
from portal.identity.passwords import hash_password
from portal.models import Campaign, Enrollment, User
from portal.models.base import utcnow

PII_KEY = "B" * 43 + "="
PASSWORD = "bench-walker-2026"
BARE = """
CREATE TABLE bench_bare AS
SELECT rank() OVER (ORDER BY coalesce(d.qualified_days, 0) DESC, coalesce(c.checkin_days, 0) DESC,
                             coalesce(d.steps, 0) DESC, d.last_synced_at ASC NULLS LAST) AS rank,
       e.id AS enrollment_id, coalesce(d.qualified_days, 0) AS qualified_days,
       coalesce(c.checkin_days, 0) AS checkin_days, coalesce(d.steps, 0) AS steps, d.last_synced_at
FROM enrollments e
LEFT JOIN (SELECT enrollment_id, count(*) FILTER (WHERE qualified) AS qualified_days,
                  sum(counted_steps) AS steps, max(received_at) AS last_synced_at
           FROM daily_records WHERE campaign_id = {campaign} GROUP BY enrollment_id) d
       ON d.enrollment_id = e.id
LEFT JOIN (SELECT k.enrollment_id, count(*) AS checkin_days FROM checkins k
           JOIN enrollments ke ON ke.id = k.enrollment_id WHERE ke.campaign_id = {campaign}
           GROUP BY k.enrollment_id) c
       ON c.enrollment_id = e.id
WHERE e.campaign_id = {campaign}
"""
POLL_HEADERS = {"HX-Request": "true", "HX-Target": "board_panel"}  # what htmx sends with the panel's poll
# Polls as a browser sends them again: each member's cookie with the tag of the panel they were sent
# (If-None-Match), except a share ``fresh`` of them sent in full (a new snapshot's first poll).
LUA_REPEAT = """
local polls = {%(polls)s}
local fresh = %(fresh)s
local headers = %(headers)s
request = function()
  local poll = polls[math.random(1, #polls)]
  headers["Cookie"] = poll[1]
  if math.random() < fresh then headers["If-None-Match"] = nil else headers["If-None-Match"] = poll[2] end
  return wrk.format("GET", "%(path)s", headers)
end
"""
LUA = """
local cookies = {%(cookies)s}
local headers = %(headers)s
request = function()
  headers["Cookie"] = cookies[math.random(1, #cookies)]
  return wrk.format("GET", "%(path)s", headers)
end
"""


def bench_app(url: str):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
            "SECRET_KEY": "bench",
            "PII_KEY": PII_KEY,
            "WTF_CSRF_ENABLED": False,
            "BOARD_REFRESH_IN_PROCESS": False,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
            "ARGON2_PARALLELISM": 1,
        }
    )


def newest_campaign(app) -> int | None:
    """The campaign an earlier run generated here (the newest)."""
    with app.app_context():
        return _newest_campaign_id()


def _newest_campaign_id() -> int | None:
    return db.session.scalar(select(Campaign.id).order_by(Campaign.id.desc()).limit(1))


def reused_or_generated(reuse: bool, generate) -> tuple[int, bool]:
    """The newest campaign of an earlier run (``reuse``), or ``generate()``'s in a freshly migrated
    database; and whether it was generated now. Inside an app context."""
    if reuse and inspect(db.engine).has_table("campaigns"):
        campaign_id = _newest_campaign_id()
        if campaign_id is not None:
            return campaign_id, False
    upgrade(directory=str(ROOT / "migrations"))
    return generate(), True


def prepare(app, participants: int, reuse: bool, *, days: int = DAYS, rules: dict | None = None) -> int:
    """The benchmark campaign: an earlier run's (``reuse``), or a new one of ``days`` days, with ``rules``
    laid over the generator's."""
    with app.app_context():
        campaign_id, generated = reused_or_generated(
            reuse, lambda: generate_board_campaign(participants, days=days)
        )
        if generated and rules:
            campaign = db.session.get(Campaign, campaign_id)
            campaign.rules = {**campaign.rules, **rules}
            db.session.commit()
        return campaign_id


def member_cookies(app, campaign_id: int, count: int = 100) -> list[str]:
    """Session cookies of ``count`` members spread evenly over the campaign (signed in through the page)."""
    with app.app_context():
        ids = db.session.scalars(
            select(Enrollment.user_id).where(Enrollment.campaign_id == campaign_id).order_by(Enrollment.id)
        ).all()
        chosen = ids[:: max(1, len(ids) // count)][:count]
        db.session.execute(
            update(User).where(User.id.in_(chosen)).values(password_hash=hash_password(PASSWORD))
        )
        db.session.commit()
        phones = db.session.scalars(select(User.phone).where(User.id.in_(chosen))).all()
    cookies = []
    for phone in phones:
        client = app.test_client()
        answer = client.post("/auth/login", data={"phone": phone, "password": PASSWORD})
        assert answer.status_code == 303, answer.status_code
        cookie = client.get_cookie("portal_session")
        cookies.append(f"portal_session={cookie.value}")
    return cookies


def settle_closed_days(app, campaign_id: int, unsettled_days: int) -> None:
    """What the nightly settlement leaves: the totals of the closed days, all but the last
    ``unsettled_days`` (today is always among them), so that the refresh groups those days only."""
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        now = utcnow()
        through = local_today(now, campaign.timezone) - timedelta(days=unsettled_days)
        moment = day_closes_at(through, campaign_rules(campaign), campaign.timezone) + TOTALS_MARGIN
        begun = time.perf_counter()
        settled = settle_totals(campaign, now=min(moment, now))
        db.session.commit()
        print(
            f"totals of the closed days through {settled} (settlement's share): "
            f"{time.perf_counter() - begun:.1f} s",
            flush=True,
        )


def time_refreshes(app, campaign_id: int, rounds: int) -> None:
    print("| round | bare CREATE TABLE AS (s) | full refresh, three boards (s) | refresh / bare |")
    print("|---|---|---|---|")
    ratios = []
    with app.app_context():
        for round_ in range(1, rounds + 1):
            db.session.execute(text("DROP TABLE IF EXISTS bench_bare"))
            db.session.commit()
            begun = time.perf_counter()
            db.session.execute(text(BARE.format(campaign=int(campaign_id))))
            db.session.commit()
            bare = time.perf_counter() - begun
            db.session.execute(text("DROP TABLE bench_bare"))
            db.session.commit()
            campaign = db.session.get(Campaign, campaign_id)
            begun = time.perf_counter()
            result = refresh_boards(campaign)
            full = time.perf_counter() - begun
            assert result is not None, "another refresh holds the campaign"
            ratios.append(full / bare)
            print(f"| {round_} | {bare:.1f} | {full:.1f} | {ratios[-1]:.2f} |", flush=True)
            rows = result.rows
    print(f"median refresh / bare = {statistics.median(ratios):.2f} (rows: {rows})", flush=True)


def lua_table(headers: dict[str, str]) -> str:
    return "{" + ", ".join(f'["{key}"] = "{value}"' for key, value in headers.items()) + "}"


def lua(path: str, cookies: list[str], headers: dict[str, str]) -> Path:
    script = Path(tempfile.mkdtemp()) / "load.lua"
    script.write_text(
        LUA % {"cookies": ", ".join(f'"{c}"' for c in cookies), "headers": lua_table(headers), "path": path}
    )
    return script


def repeat_polls(path: str, cookies: list[str], tags: list[str], *, fresh: float) -> Path:
    script = Path(tempfile.mkdtemp()) / "repeat.lua"
    polls = ", ".join("{" + f'"{cookie}", {tag!r}' + "}" for cookie, tag in zip(cookies, tags, strict=True))
    script.write_text(
        LUA_REPEAT % {"polls": polls, "fresh": fresh, "path": path, "headers": lua_table(POLL_HEADERS)}
    )
    return script


def member_client(app, cookie: str):
    """A test client signed in with one of ``member_cookies``."""
    client = app.test_client()
    client.set_cookie("portal_session", cookie.split("=", 1)[1])
    return client


def poll_tags(app, campaign_id: int, cookies: list[str]) -> list[str]:
    """The tag of each member's panel, as their browser keeps it after a first poll."""
    tags = []
    for cookie in cookies:
        answer = member_client(app, cookie).get(
            f"/campaigns/{campaign_id}/boards/individual", headers=POLL_HEADERS
        )
        assert answer.status_code == 200 and answer.headers.get("ETag"), answer.status_code
        tags.append(answer.headers["ETag"])
    return tags


def page_bodies(app, campaign_id: int, cookie: str) -> dict[str, Path]:
    """The partial and the top-600 page as one of the members gets them, each in a file, for the
    ceiling runs (``bench/minimal_bytes.py``)."""
    board = f"/campaigns/{campaign_id}/boards/individual"
    client = member_client(app, cookie)
    folder = Path(tempfile.mkdtemp())
    bodies = {}
    for name, path, headers in (
        ("partial", board, POLL_HEADERS),
        ("top600", board + "?show=all", {}),
    ):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200, answer.status_code
        bodies[name] = folder / f"{name}.html"
        bodies[name].write_bytes(answer.data)
    return bodies


def load_pages(
    url: str, campaign_id: int, cookies: list[str], tags: list[str], bodies: dict[str, Path], args
) -> None:
    env = server_env(url, PII_KEY)
    board = f"/campaigns/{campaign_id}/boards/individual"
    scripts = {
        "hello": lua("/", cookies[:1], {}),
        "partial": lua(board, cookies, POLL_HEADERS),
        "top600": lua(board + "?show=all", cookies, {}),
        "repeat": repeat_polls(board, cookies, tags, fresh=0.0),
        "five": repeat_polls(board, cookies, tags, fresh=0.2),
    }
    settings = {"workers": args.workers, "connections": args.connections, "duration": args.duration}
    sizes = ", ".join(f"{name} {path.stat().st_size:,} bytes" for name, path in bodies.items())
    print(
        f"\n{args.connections} connections, {args.workers} workers, {args.duration} s per run; {sizes}\n\n"
        "| round | hello req/s | partial req/s (p99) | partial / hello | its bytes from bare Flask / hello "
        "| top-600 req/s (p99) | top-600 / hello | its bytes from bare Flask / hello | largest worker RSS "
        "| repeat polls req/s (p99) / hello | one in five in full req/s (p99) / hello |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    ratios: dict[str, list[float]] = {
        name: [] for name in ("partial", "top600", "partial bytes", "top600 bytes", "repeat", "five")
    }
    for round_ in range(1, args.rounds + 1):
        hello = serve_and_load("bench.minimal_hello:app", 8201, env, scripts["hello"], **settings)
        partial = serve_and_load("wsgi:app", 8202, env, scripts["partial"], **settings)
        full = serve_and_load("wsgi:app", 8203, env, scripts["top600"], **settings)
        ceilings = {
            name: serve_and_load(
                "bench.minimal_bytes:app",
                8204,
                {**env, "BENCH_BODY": str(path)},
                scripts["hello"],
                **settings,
            )
            for name, path in bodies.items()
        }
        repeat = serve_and_load("wsgi:app", 8205, env, scripts["repeat"], **settings)
        five = serve_and_load("wsgi:app", 8206, env, scripts["five"], **settings)
        for name, load in (("partial", partial), ("top600", full), ("repeat", repeat), ("five", five)):
            ratios[name].append(load.rps / hello.rps)
        for name, ceiling in ceilings.items():
            ratios[f"{name} bytes"].append(ceiling.rps / hello.rps)
        rss = max(partial.worker_rss_mb, full.worker_rss_mb, repeat.worker_rss_mb, five.worker_rss_mb)
        print(
            f"| {round_} | {hello.rps:.0f} | {partial.rps:.0f} ({partial.p99}) | {ratios['partial'][-1]:.0%} "
            f"| {ratios['partial bytes'][-1]:.0%} | {full.rps:.0f} ({full.p99}) | {ratios['top600'][-1]:.0%} "
            f"| {ratios['top600 bytes'][-1]:.0%} | {rss:.0f} MB "
            f"| {repeat.rps:.0f} ({repeat.p99}) {ratios['repeat'][-1]:.0%} "
            f"| {five.rps:.0f} ({five.p99}) {ratios['five'][-1]:.0%} |",
            flush=True,
        )
    print(
        "medians: "
        + ", ".join(f"{name} / hello = {statistics.median(values):.0%}" for name, values in ratios.items())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--reuse", action="store_true", help="measure again on an earlier run's data here")
    parser.add_argument("--skip-refresh", action="store_true", help="only the pages (a snapshot must exist)")
    parser.add_argument("--skip-pages", action="store_true", help="only the refresh")
    parser.add_argument(
        "--unsettled-days",
        type=int,
        default=1,
        help="days not yet in the settled totals (1: today; 2: yesterday too, before the night's settlement)",
    )
    args = parser.parse_args()
    app = bench_app(args.database_url)
    campaign_id = prepare(app, args.participants, args.reuse)
    if not args.skip_refresh:
        settle_closed_days(app, campaign_id, args.unsettled_days)
        time_refreshes(app, campaign_id, args.rounds)
    if args.skip_pages:
        return
    cookies = member_cookies(app, campaign_id)
    bodies = page_bodies(app, campaign_id, cookies[len(cookies) // 2])
    tags = poll_tags(app, campaign_id, cookies)
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()
    load_pages(args.database_url, campaign_id, cookies, tags, bodies, args)


if __name__ == "__main__":
    main()
