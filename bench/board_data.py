"""A campaign of 1,000,000 participants with 30 days of records in PostgreSQL, for the ranking benchmarks
(docs/benchmarks.md, "Boards"). Everything is generated in SQL (``generate_series``); daily records and
check-ins day by day, the order in which a running campaign writes them (the refresh reads the days after
the settled totals' cutoff, so where they lie matters).

Shape: a province with 20 city unions of 50 grassroots unions each and 2 industry unions of 20 each
(1,040 units); members spread over the units; teams of six (every six consecutive enrolments); each
member reports every day of the 30 with steps drawn from a hash (about 70% of days qualify, many ties on
days), checks in on two days of three; team days settled for every team and day.
"""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import text

from portal.campaigns.day_rules import local_today
from portal.extensions import db
from portal.models import OrgKind
from portal.models.base import utcnow
from portal.orgs.tree import create_org
from portal.workflows.campaign_setup import create_campaign

DAYS = 30
CITIES, UNITS_PER_CITY, INDUSTRIES, UNITS_PER_INDUSTRY = 20, 50, 2, 20
# Steps of member e on day d: a hash spread over 0–19,999 (qualify at 6,000).
STEPS = "((e::bigint * 7919 + d * 104729 + (e::bigint * d) % 7) % 20000)::int"
# When member e's phone synced day d: from 08:00 on into the next hours, but never after now (today's
# records are synced already, not later today).
SYNCED = "least((:start + d)::timestamp + make_interval(secs => 28800 + (e * 13 + d) % 50000), now())"


def run_statements(steps: list[tuple[str, str]], params: dict, log=print) -> None:
    """Run each named SQL statement in its own transaction, saying how long it took; then ANALYZE."""
    for name, statement in steps:
        begun = time.perf_counter()
        db.session.execute(text(statement), params)
        db.session.commit()
        log(f"  {name}: {time.perf_counter() - begun:.0f} s", flush=True)
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def generate_board_campaign(participants: int, *, days: int = DAYS, log=print) -> int:
    """Make the campaign and its data (``days`` days, ending today); returns the campaign id. Expects an
    empty, migrated database."""
    start = time.perf_counter()
    root = create_org(code="BP", name="基准省总工会", kind=OrgKind.PROVINCE_FEDERATION)
    units = []
    for kind, code, name, count, per in (
        (OrgKind.CITY_UNION, "C", "基准市{}总工会", CITIES, UNITS_PER_CITY),
        (OrgKind.INDUSTRY_UNION, "I", "基准产业{}工会", INDUSTRIES, UNITS_PER_INDUSTRY),
    ):
        for index in range(count):
            parent = create_org(code=f"BP-{code}{index}", name=name.format(index), kind=kind, parent=root)
            units += [
                create_org(
                    code=f"BP-{code}{index}-{n}",
                    name=f"{parent.name}第{n}基层工会",
                    kind=OrgKind.GRASSROOTS_UNION,
                    parent=parent,
                )
                for n in range(per)
            ]
    today = local_today(utcnow(), "Asia/Shanghai")
    campaign = create_campaign(
        None, root, preset="motherland-100", start_day=today - timedelta(days=days - 1), publish=True
    )
    campaign.rules = {
        **campaign.rules,
        "length_days": days,
        "checkin": "required",
        "route": {"mode": "none", "landmarks": 0},
        "ranking": {"kinds": ["individual", "team", "unit"], "refresh_minutes": 5, "top_n": 600},
    }
    campaign.end_day = campaign.start_day + timedelta(days=days - 1)
    db.session.flush()
    db.session.commit()
    unit_ids = [unit.id for unit in units]
    params = {
        "n": participants,
        "campaign": campaign.id,
        "units": len(unit_ids),
        "unit_ids": unit_ids,
        "start": campaign.start_day,
    }
    steps = [
        (
            "members",
            "INSERT INTO users (phone, real_name, session_nonce, is_platform_admin, hide_from_boards, "
            "created_at) "
            "SELECT '13' || lpad(g::text, 9, '0'), '基准' || chr(19968 + g % 20000) || chr(19968 + g % 997), "
            "'x', false, g % 50 = 0, now() FROM generate_series(1, :n) g",
        ),
        (
            "enrolments",
            "INSERT INTO enrollments (campaign_id, user_id, unit_id, enrolled_at) "
            "SELECT :campaign, u.id, (CAST(:unit_ids AS int[]))[1 + u.id % :units], now() FROM users u "
            "WHERE u.phone LIKE '13%' ORDER BY u.id",
        ),
        (
            "daily records",
            f"INSERT INTO daily_records (enrollment_id, campaign_id, day, reported_steps, reported_at, "
            f"received_at, source, counted_steps, qualified, reason) "
            f"SELECT e, :campaign, :start + d, {STEPS}, "
            f"{SYNCED}, {SYNCED}, 'api', "
            f"{STEPS}, {STEPS} >= 6000, "
            f"CASE WHEN {STEPS} >= 6000 THEN 'qualified' ELSE 'below_threshold' END "
            f"FROM (SELECT id AS e FROM enrollments WHERE campaign_id = :campaign) m, "
            f"generate_series(0, {days - 1}) d ORDER BY d, e",
        ),
        (
            "check-ins",
            f"INSERT INTO checkins (enrollment_id, day, checked_in_at) "
            f"SELECT e, :start + d, (:start + d)::timestamp + interval '8 hours' "
            f"FROM (SELECT id AS e FROM enrollments WHERE campaign_id = :campaign) m, "
            f"generate_series(0, {days - 1}) d WHERE (e + d) % 3 <> 0 ORDER BY d, e",
        ),
        (
            "teams",
            "INSERT INTO teams (campaign_id, unit_id, name, slogan, captain_id, invite_code, member_count, "
            "member_goal, team_goal, created_at) "
            "SELECT :campaign, e.unit_id, '队' || e.id, '', e.id, 'B' || e.id, "
            "least(6, (SELECT count(*) FROM enrollments WHERE campaign_id = :campaign) - e.id + "
            "(SELECT min(id) FROM enrollments WHERE campaign_id = :campaign)), 6000, 36000, now() "
            "FROM enrollments e WHERE e.campaign_id = :campaign AND "
            "(e.id - (SELECT min(id) FROM enrollments WHERE campaign_id = :campaign)) % 6 = 0 ORDER BY e.id",
        ),
        (
            "team members",
            "INSERT INTO team_members (team_id, enrollment_id, joined_at) "
            "SELECT t.id, e.id, now() FROM enrollments e JOIN teams t ON t.campaign_id = :campaign "
            "AND t.captain_id = e.id - "
            "(e.id - (SELECT min(id) FROM enrollments WHERE campaign_id = :campaign)) % 6 "
            "WHERE e.campaign_id = :campaign ORDER BY e.id",
        ),
        (
            "team days",
            "INSERT INTO team_days (team_id, day, members, counted_steps, qualified, settled_at) "
            "SELECT tm.team_id, r.day, count(*), sum(r.counted_steps), bool_and(r.counted_steps >= 6000) "
            "AND sum(r.counted_steps) >= 36000, now() FROM team_members tm "
            "JOIN daily_records r ON r.enrollment_id = tm.enrollment_id GROUP BY tm.team_id, r.day",
        ),
        (
            "team counts",
            "UPDATE teams SET qualified_days = c.n FROM (SELECT team_id, "
            "count(*) FILTER (WHERE qualified) AS n FROM team_days GROUP BY team_id) c "
            "WHERE c.team_id = teams.id",
        ),
    ]
    run_statements(steps, params, log)
    log(
        f"generated {participants:,} participants × {days} days in {time.perf_counter() - start:.0f} s",
        flush=True,
    )
    return campaign.id
