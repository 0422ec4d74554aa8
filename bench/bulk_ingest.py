"""Partners' batches through the portal, side by side with the bare statement (docs/benchmarks.md, "Partner
batches").

    createdb -h 127.0.0.1 -U postgres portal_bulk
    python -m bench.bulk_ingest --database-url postgresql://postgres@127.0.0.1:5432/portal_bulk --rounds 3

Generates a campaign of 100,000 enrolled members (teachers' rules: check-in, a daily cap, six days run so
far; ``--reuse`` measures again on an earlier run's data) and settles its closed days, so that a batch
for a closed day also recounts the members' totals. Then starts the portal under gunicorn (its default
timeout, ``--workers``) and, for each batch size (1,000 and 10,000), day (yesterday: closed; today: open)
and kind (new days; the same records re-sent, which change nothing; newer reports of the same days),
sends a batch to the portal and the same amount of work as the bare statement — one
``INSERT … SELECT FROM unnest(…) JOIN users JOIN enrollments ON CONFLICT DO UPDATE … WHERE newer`` on
its own connection — on a different slice of members, alternating, so both meet the same machine. Every
portal answer is checked record by record (all applied, or none with ``same_as_stored``). Prints one row a
case and the median ratio of records per second; the largest worker's memory is sampled throughout.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import statistics
import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from bench.serving import ROOT, server_env, start_gunicorn, worker_rss_mb
from portal import create_app
from portal.campaigns.day_rules import local_today
from portal.extensions import db
from portal.models import Campaign, OrgKind
from portal.models.base import utcnow
from portal.orgs.tree import create_org
from portal.workflows.campaign_setup import create_campaign
from portal.workflows.settlement import settle_day

PII_KEY = "A" * 43 + "="
PARTNER_SECRET = "jbz_bench_partner"
ZONE = ZoneInfo("Asia/Shanghai")
DAYS_RUN = 6  # the campaign began five days before today

BARE = """
INSERT INTO daily_records (enrollment_id, campaign_id, day, reported_steps, reported_at, received_at,
    source, counted_steps, qualified, reason)
SELECT e.id, e.campaign_id, r.day, r.steps, r.reported_at, now(), 'partner', least(r.steps, 20000),
    r.steps >= 6000, CASE WHEN r.steps >= 6000 THEN 'qualified' ELSE 'below_threshold' END
FROM unnest(%(phones)s::text[], %(days)s::date[], %(steps)s::int[], %(at)s::timestamptz[])
    AS r(phone, day, steps, reported_at)
JOIN users u ON u.phone = r.phone
JOIN enrollments e ON e.user_id = u.id AND e.campaign_id = %(campaign)s
ORDER BY e.id, r.day
ON CONFLICT (enrollment_id, day) DO UPDATE SET reported_steps = excluded.reported_steps,
    reported_at = excluded.reported_at, received_at = excluded.received_at,
    counted_steps = excluded.counted_steps, qualified = excluded.qualified, reason = excluded.reason
WHERE excluded.reported_at >= daily_records.reported_at
"""


def psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def phone_of(member: int) -> str:
    return "13" + str(member).zfill(9)


def generated(url: str) -> int | None:
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("campaigns"):
                return None
            return connection.scalar(text("SELECT max(id) FROM campaigns"))
    finally:
        engine.dispose()


def generate(url: str, members: int) -> int:
    """The campaign, its members, a partner token, four of its five closed days reported, settled."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url), "SECRET_KEY": "bench", "PII_KEY": PII_KEY}
    )
    with app.test_request_context():
        upgrade(directory=str(ROOT / "migrations"))
        start = time.perf_counter()
        union = create_org(code="B", name="基准工会", kind=OrgKind.GRASSROOTS_UNION)
        today = local_today(utcnow(), "Asia/Shanghai")
        campaign = create_campaign(
            None, union, preset="teachers-7day", start_day=today - timedelta(days=DAYS_RUN - 1), publish=True
        )
        db.session.flush()
        params = {"n": members, "campaign": campaign.id, "unit": union.id, "start": campaign.start_day}
        for statement in (
            "INSERT INTO users (phone, real_name, session_nonce, is_platform_admin, created_at) "
            "SELECT '13' || lpad(g::text, 9, '0'), '基准' || g, 'x', false, now() "
            "FROM generate_series(1, :n) g",
            "INSERT INTO enrollments (campaign_id, user_id, unit_id, enrolled_at) "
            "SELECT :campaign, id, :unit, now() FROM users ORDER BY id",
            # Four closed days (yesterday is left for the batches), steps from a hash, synced at 21:00 local.
            "INSERT INTO daily_records (enrollment_id, campaign_id, day, reported_steps, reported_at, "
            "received_at, source, counted_steps, qualified, reason) "
            "SELECT e.id, :campaign, :start + d, s, (:start + d)::timestamp + interval '13 hours', "
            "(:start + d)::timestamp + interval '13 hours', 'partner', least(s, 20000), s >= 6000, "
            "CASE WHEN s >= 6000 THEN 'qualified' ELSE 'below_threshold' END "
            "FROM enrollments e, generate_series(0, 3) d, "
            "LATERAL (SELECT ((e.id * 7919 + d * 104729) % 20000)::int AS s) steps "
            "WHERE e.campaign_id = :campaign ORDER BY d, e.id",
        ):
            db.session.execute(text(statement), params)
        db.session.execute(
            text(
                "INSERT INTO api_tokens (kind, name, token_hash, prefix, campaign_id, created_at) "
                "VALUES ('partner', 'bench', encode(sha256(convert_to(:secret, 'UTF8')), 'hex'), "
                "'jbz_bench', :campaign, now())"
            ),
            {"secret": PARTNER_SECRET, "campaign": campaign.id},
        )
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        settle_day(campaign, today - timedelta(days=1))  # the closed days' totals: a backfill recounts
        db.session.commit()
        print(
            f"generated {members:,} members × 4 days, settled, in {time.perf_counter() - start:.0f} s",
            flush=True,
        )
        campaign_id = campaign.id
        for engine in db.engines.values():
            engine.dispose()
    return campaign_id


def reset(url: str, campaign_id: int) -> None:
    """Forget yesterday's and today's records and check-ins (what the batches write), and settle the
    closed days again, so that every run meets the same state."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url), "SECRET_KEY": "bench", "PII_KEY": PII_KEY}
    )
    with app.app_context():
        today = local_today(utcnow(), "Asia/Shanghai")
        since = {"since": today - timedelta(days=1), "campaign": campaign_id}
        db.session.execute(
            text("DELETE FROM daily_records WHERE campaign_id = :campaign AND day >= :since"), since
        )
        db.session.execute(text("DELETE FROM checkins WHERE day >= :since"), since)
        db.session.commit()
        settle_day(db.session.get(Campaign, campaign_id), today - timedelta(days=1))
        db.session.commit()
        for engine in db.engines.values():
            engine.dispose()
    with psycopg.connect(psycopg_url(url), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE daily_records, checkins, enrollment_totals")


def records_of(members: range, day, moment: datetime, steps_offset: int) -> list[dict]:
    return [
        {
            "phone": phone_of(member),
            "day": day.isoformat(),
            "steps": (member * 31 + steps_offset) % 25000,
            "reported_at": moment.isoformat(),
            "checkin": member % 3 == 0,
        }
        for member in members
    ]


def send_bare(connection: psycopg.Connection, campaign: int, records: list[dict]) -> float:
    begun = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            BARE,
            {
                "phones": [r["phone"] for r in records],
                "days": [r["day"] for r in records],
                "steps": [r["steps"] for r in records],
                "at": [r["reported_at"] for r in records],
                "campaign": campaign,
            },
        )
    connection.commit()
    return time.perf_counter() - begun


def send_portal(port: int, campaign: int, records: list[dict], expect: str) -> float:
    body = json.dumps({"records": records})
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {PARTNER_SECRET}"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    begun = time.perf_counter()
    connection.request("POST", f"/api/v1/campaigns/{campaign}/steps/bulk", body, headers)
    response = connection.getresponse()
    payload = response.read()
    elapsed = time.perf_counter() - begun
    connection.close()
    if response.status != 200 or response.getheader("Content-Type") != "application/json":
        raise SystemExit(f"the portal answered {response.status}: {payload[:300]!r}")
    answer = json.loads(payload)
    results = answer["results"]
    if answer["accepted"] != len(records):
        raise SystemExit(f"{answer['refused']} records refused: {results[0]}")
    applied = {r["result"]["applied"] for r in results}
    reasons = {r["result"]["not_applied"] for r in results}
    if (expect == "applied" and applied != {True}) or (expect == "same" and reasons != {"same_as_stored"}):
        raise SystemExit(f"expected {expect}, got applied {applied} and {reasons}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="measure again on an earlier run's data")
    args = parser.parse_args()
    campaign = (generated(args.database_url) if args.reuse else None) or generate(
        args.database_url, args.members
    )
    reset(args.database_url, campaign)
    port = 8131
    env = server_env(sqlalchemy_url(args.database_url), PII_KEY)
    server = start_gunicorn("wsgi:app", port, env, workers=args.workers)
    peak, done = [0.0], threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            with contextlib.suppress(OSError):
                peak[0] = max(peak[0], worker_rss_mb(server.pid))

    bare = psycopg.connect(psycopg_url(args.database_url))
    today = local_today(utcnow(), "Asia/Shanghai")
    began = datetime.now(ZONE)

    def synced(day, later: int) -> datetime:
        """When the phones synced: 20:00 of a closed day (22:30 for newer reports); today, just before the
        run began (a minute later for newer ones), never ahead of the clock."""
        if day < today:
            return datetime.combine(day, datetime.min.time(), ZONE) + timedelta(hours=20, minutes=150 * later)
        return began - timedelta(minutes=5 - later)

    cases = [(size, day) for size in (1_000, 10_000) for day in (today - timedelta(days=1), today)]
    rows, ratios, slowest = [], [], 0.0
    print(
        "| round | records | day | kind | bare records/s | portal records/s | portal batch | portal / bare |"
    )
    print("|---|---|---|---|---|---|---|---|")
    try:
        time.sleep(3)
        threading.Thread(target=sample, daemon=True).start()
        next_member = 1
        for round_ in range(1, args.rounds + 1):
            for size, day in cases:
                # Two slices of members: the bare statement's and the portal's, each new on this day.
                if next_member + 2 * size > args.members:  # every member used: start again from empty days
                    reset(args.database_url, campaign)
                    next_member = 1
                mine, theirs = (
                    range(next_member, next_member + size),
                    range(next_member + size, next_member + 2 * size),
                )
                next_member += 2 * size
                for kind, moment, offset, expect in (
                    ("new", synced(day, 0), round_, "applied"),
                    ("re-sent", synced(day, 0), round_, "same"),
                    ("newer", synced(day, 1), round_ + 7, "applied"),
                ):
                    bare_seconds = send_bare(bare, campaign, records_of(theirs, day, moment, offset))
                    portal_seconds = send_portal(
                        port, campaign, records_of(mine, day, moment, offset), expect
                    )
                    slowest = max(slowest, portal_seconds) if size == 10_000 else slowest
                    ratio = bare_seconds / portal_seconds
                    ratios.append(ratio)
                    closed = "closed" if day < today else "open"
                    rows.append(
                        (
                            round_,
                            size,
                            closed,
                            kind,
                            f"{size / bare_seconds:,.0f}",
                            f"{size / portal_seconds:,.0f}",
                            f"{portal_seconds * 1000:.0f} ms",
                            f"{ratio:.0%}",
                        )
                    )
                    print("| " + " | ".join(str(cell) for cell in rows[-1]) + " |", flush=True)
    finally:
        done.set()
        server.terminate()
        server.wait(timeout=30)
        bare.close()
    print(
        f"median portal / bare records per second = {statistics.median(ratios):.0%} "
        f"(lowest {min(ratios):.0%}); slowest 10,000-record batch {slowest:.2f} s; "
        f"largest worker {peak[0]:.0f} MB"
    )


if __name__ == "__main__":
    main()
