"""The admin dashboard over 1,000,000 participants and 100,000 nodes (docs/benchmarks.md, "Admin dashboard"):
server time of the page at each level of the tree, and the refresh that keeps its figures.

    createdb -h 127.0.0.1 -U postgres portal_dashboard
    python -m bench.dashboard --database-url postgresql://postgres@127.0.0.1:5432/portal_dashboard

1. Generates (PostgreSQL, in SQL): the benchmark tree of 100,000 nodes (bench/generate.py: a province, 20
   cities, 2,000 districts, 97,979 grassroots unions), quotas on every city, district and one grassroots
   union in three; a 7-day campaign of the province; 1,000,000 members spread over the grassroots unions,
   each enrolled (enrolment days spread over the week) and reporting on about two days of three.
   ``--reuse`` measures again on an earlier run's data.
2. Times ``refresh_figures`` over every day so far, then over the open days (what the refresh job runs).
3. Times the dashboard page through the Flask test client, signed in as a platform admin: the province
   (20 children), a city (100 children, first page of 50), a city ordered furthest behind first, a
   district (49 children) and a grassroots union (no children); then the city's Excel export. Each is
   run 60 times after 5 warm-ups; the time is the whole request in the server (routing, session, queries,
   template), p50 and p99.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

from sqlalchemy import select, text, update

from bench.board_data import run_statements
from bench.boards import PASSWORD, bench_app, reused_or_generated
from bench.generate import generate_org_tree
from portal.campaigns.day_rules import local_today
from portal.dashboard.node_figures import days_to_date, open_days, refresh_figures
from portal.extensions import db
from portal.identity.accounts import create_account
from portal.identity.passwords import hash_password
from portal.models import Campaign, Organisation, User
from portal.models.base import utcnow
from portal.workflows.campaign_setup import create_campaign

NODES = 100_000
DAYS = 7
ADMIN_PHONE = "13800000001"
STEPS = "((e::bigint * 7919 + d * 104729) % 16000)::int"


def generate(participants: int) -> int:
    """The tree, the campaign and its people; returns the campaign id."""
    started = time.perf_counter()
    generate_org_tree(NODES)
    db.session.execute(
        text(
            "UPDATE organisations SET quota = CASE depth WHEN 1 THEN 60000 WHEN 2 THEN 600 "
            "ELSE CASE WHEN id % 3 = 0 THEN 12 END END WHERE depth > 0"
        )
    )
    root = db.session.get(Organisation, 1)
    today = local_today(utcnow(), "Asia/Shanghai")
    campaign = create_campaign(None, root, preset="teachers-7day", start_day=today - timedelta(days=DAYS - 1))
    campaign.published_at = utcnow()
    db.session.commit()
    leaves = db.session.execute(
        text("SELECT min(id), max(id) FROM organisations WHERE kind = 'grassroots_union'")
    ).one()
    params = {
        "n": participants,
        "campaign": campaign.id,
        "first": leaves[0],
        "count": leaves[1] - leaves[0] + 1,
    }
    params["start"] = campaign.start_day
    steps = [
        (
            "members",
            "INSERT INTO users (phone, real_name, session_nonce, is_platform_admin, hide_from_boards, "
            "created_at) SELECT '15' || lpad(g::text, 9, '0'), '基准' || chr(19968 + g % 20000), 'x', false, "
            "false, now() FROM generate_series(1, :n) g",
        ),
        (
            "memberships",
            "INSERT INTO memberships (user_id, organisation_id, category, started_at) "
            "SELECT u.id, :first + u.id % :count, 'enterprise', now() FROM users u WHERE u.phone LIKE '15%' "
            "ORDER BY u.id",
        ),
        (
            "enrolments",
            "INSERT INTO enrollments (campaign_id, user_id, unit_id, enrolled_at) "
            "SELECT :campaign, u.id, :first + u.id % :count, "
            f"(:start)::timestamp - interval '8 hours' + make_interval(days => (u.id % {DAYS})::int, "
            "secs => 3600 + u.id % 30000) FROM users u WHERE u.phone LIKE '15%' ORDER BY u.id",
        ),
        (
            "daily records",
            f"INSERT INTO daily_records (enrollment_id, campaign_id, day, reported_steps, reported_at, "
            f"received_at, source, counted_steps, qualified, reason) "
            f"SELECT e, :campaign, :start + d, {STEPS}, now(), now(), 'api', {STEPS}, {STEPS} >= 6000, "
            f"CASE WHEN {STEPS} >= 6000 THEN 'qualified' ELSE 'below_threshold' END "
            f"FROM (SELECT id AS e, user_id FROM enrollments WHERE campaign_id = :campaign) m, "
            f"generate_series(0, {DAYS - 1}) d WHERE (e + d) % 3 <> 0 AND d >= user_id % {DAYS} "
            f"ORDER BY e, d",
        ),
    ]
    run_statements(steps, params)
    print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
    return campaign.id


def prepare(app, participants: int, reuse: bool) -> int:
    with app.app_context():
        campaign_id, generated = reused_or_generated(reuse, lambda: generate(participants))
        if generated:
            admin = create_account(ADMIN_PHONE, PASSWORD)
            admin.is_platform_admin = True
            db.session.commit()
        return campaign_id


def time_refresh(app, campaign_id: int) -> None:
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        for label, days in (
            ("every day so far", days_to_date(campaign, utcnow())),
            ("the open days", open_days(campaign, utcnow())),
        ):
            begun = time.perf_counter()
            refresh_figures(campaign, days=days)
            db.session.commit()
            print(f"refresh, {label} ({len(days)} days): {time.perf_counter() - begun:.1f} s", flush=True)
        rows = db.session.execute(text("SELECT count(*) FROM node_figures")).scalar()
        day_rows = db.session.execute(text("SELECT count(*) FROM node_day_figures")).scalar()
        print(f"figures: {rows:,} node rows, {day_rows:,} node-day rows")


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def timed_gets(client, path: str, runs: int, warm_ups: int = 5) -> list[float]:
    """Milliseconds of ``runs`` GETs of ``path`` (each answered 200), after ``warm_ups`` untimed ones."""
    samples = []
    for run in range(warm_ups + runs):
        begun = time.perf_counter()
        response = client.get(path)
        took = (time.perf_counter() - begun) * 1000
        assert response.status_code == 200, (path, response.status_code)
        if run >= warm_ups:
            samples.append(took)
    return samples


def print_row(label: str, samples: list[float]) -> None:
    """A row of the results table: p50 and p99 in milliseconds."""
    print(f"| {label} | {statistics.median(samples):.1f} | {_percentile(samples, 0.99):.1f} |", flush=True)


def time_pages(app, campaign_id: int, runs: int) -> None:
    with app.app_context():
        db.session.execute(
            update(User).where(User.phone == ADMIN_PHONE).values(password_hash=hash_password(PASSWORD))
        )
        db.session.commit()
        district = db.session.scalar(select(Organisation.id).where(Organisation.depth == 2).limit(1))
        leaf = db.session.scalar(select(Organisation.id).where(Organisation.depth == 3).limit(1))
    client = app.test_client()
    assert client.post("/auth/login", data={"phone": ADMIN_PHONE, "password": PASSWORD}).status_code == 303
    base = f"/admin/dashboard/{campaign_id}"
    pages = (
        ("province (20 children)", f"{base}?org=1"),
        ("city (100 children, page 1 of 2)", f"{base}?org=2"),
        ("city, furthest behind first", f"{base}?org=2&order=behind"),
        ("district (49 children)", f"{base}?org={district}"),
        ("grassroots union", f"{base}?org={leaf}"),
        ("city's Excel export (100 rows)", f"{base}/participation.xlsx?org=2"),
    )
    print("| request | p50 ms | p99 ms |")
    print("|---|---|---|")
    for label, path in pages:
        print_row(label, timed_gets(client, path, runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--reuse", action="store_true", help="measure again on an earlier run's data here")
    args = parser.parse_args()
    app = bench_app(args.database_url)
    campaign_id = prepare(app, args.participants, args.reuse)
    time_refresh(app, campaign_id)
    time_pages(app, campaign_id, args.runs)


if __name__ == "__main__":
    main()
