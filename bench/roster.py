"""A union's roster at 100,000 members (docs/benchmarks.md, "Roster"): server time of its pages.

    createdb -h 127.0.0.1 -U postgres portal_roster
    PYTHONPATH=. .venv/bin/python -m bench.roster --database-url postgresql://postgres@127.0.0.1:5432/portal_roster

1. Generates (PostgreSQL, in SQL): a province, a city, one grassroots union with 20 units, and 100,000
   members spread over the union and its units (one in ten since ended), a third of them enrolled in a
   campaign of the union. ``--reuse`` measures again on an earlier run's data.
2. Times the roster's pages through the Flask test client, signed in as a platform admin: the first page,
   a name searched, a phone's last four digits, one unit, page 1,000, a member's page, 60 runs each after
   5 warm-ups; the whole request in the server, p50 and p99. Target: under 300 ms at p99.
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from sqlalchemy import select, text, update

from bench.board_data import run_statements
from bench.boards import PASSWORD, bench_app, reused_or_generated
from bench.dashboard import print_row, timed_gets
from portal.campaigns.day_rules import local_today
from portal.extensions import db
from portal.identity.accounts import create_account
from portal.identity.passwords import hash_password
from portal.models import Membership, Organisation, OrgKind, User
from portal.models.base import utcnow
from portal.orgs.tree import create_org
from portal.workflows.campaign_setup import create_campaign

ADMIN_PHONE = "13800000002"
UNITS = 20


def generate(members: int) -> int:
    """The tree, the union's members and a campaign; returns the campaign's id."""
    province = create_org(code="R", name="基准省总工会", kind=OrgKind.PROVINCE_FEDERATION)
    city = create_org(code="R-C", name="基准市总工会", kind=OrgKind.CITY_UNION, parent=province)
    union = create_org(code="R-C-U", name="基准公司工会", kind=OrgKind.GRASSROOTS_UNION, parent=city)
    for number in range(1, UNITS + 1):
        create_org(code=f"R-C-U-{number}", name=f"第{number}车间", kind=OrgKind.UNIT, parent=union)
    today = local_today(utcnow(), "Asia/Shanghai")
    campaign = create_campaign(None, union, preset="teachers-7day", start_day=today - timedelta(days=1))
    db.session.commit()
    params = {"members": members, "union": union.id, "campaign": campaign.id}
    run_statements(
        [
            (
                "users",
                "INSERT INTO users (phone, real_name, session_nonce, is_platform_admin, created_at) "
                "SELECT '15' || lpad(g::text, 9, '0'), '会员' || g, 'x', false, now() "
                "FROM generate_series(1, :members) g",
            ),
            (
                "memberships",
                "INSERT INTO memberships (user_id, organisation_id, category, started_at, ended_at) "
                "SELECT u.id, CASE WHEN u.id % 21 = 0 THEN :union "
                "ELSE (SELECT min(id) FROM organisations WHERE parent_id = :union) + u.id % 20 END, "
                "'enterprise', now() - (u.id % 700) * interval '1 day', "
                "CASE WHEN u.id % 10 = 0 THEN now() END FROM users u WHERE u.phone LIKE '15%'",
            ),
            (
                "enrolments",
                "INSERT INTO enrollments (campaign_id, user_id, unit_id, enrolled_at) "
                "SELECT :campaign, m.user_id, m.organisation_id, now() FROM memberships m "
                "WHERE m.user_id % 3 = 0 AND m.ended_at IS NULL",
            ),
        ],
        params,
    )
    return campaign.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--reuse", action="store_true", help="measure again on an earlier run's data here")
    args = parser.parse_args()
    app = bench_app(args.database_url)
    with app.app_context():
        _campaign_id, generated = reused_or_generated(args.reuse, lambda: generate(args.members))
        if generated:
            create_account(ADMIN_PHONE, PASSWORD).is_platform_admin = True
        db.session.execute(
            update(User).where(User.phone == ADMIN_PHONE).values(password_hash=hash_password(PASSWORD))
        )
        db.session.commit()
        union = db.session.scalar(select(Organisation).where(Organisation.code == "R-C-U"))
        unit = db.session.scalar(select(Organisation.id).where(Organisation.code == "R-C-U-7"))
        member = db.session.scalar(select(Membership.id).where(Membership.organisation_id == unit).limit(1))
        counted = db.session.execute(text("SELECT count(*) FROM memberships")).scalar()
        print(f"{counted:,} memberships", flush=True)
        base = f"/admin/orgs/{union.id}/members"
    client = app.test_client()
    assert client.post("/auth/login", data={"phone": ADMIN_PHONE, "password": PASSWORD}).status_code == 303
    pages = (
        ("the first page (50 of 90,000)", f"{base}/"),
        ("a name searched", f"{base}/?q=会员4242"),
        ("a phone's last four digits", f"{base}/?q=4242"),
        ("one unit", f"{base}/?unit={unit}"),
        ("page 1,000", f"{base}/?page=1000&status=all"),
        ("a member's page", f"{base}/{member}"),
    )
    print("| request | p50 ms | p99 ms |")
    print("|---|---|---|")
    for label, path in pages:
        print_row(label, timed_gets(client, path, args.runs))


if __name__ == "__main__":
    main()
