"""Builders for campaign tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete

from portal.boards.definitions import individual_board
from portal.campaigns.campaign import enrol
from portal.campaigns.day_rules import end_of_local_day, local_today
from portal.extensions import db
from portal.models import (
    Campaign,
    Enrollment,
    EnrollmentTotals,
    MemberCategory,
    Membership,
    Organisation,
    TotalsCutoff,
    User,
)
from portal.models.base import utcnow
from portal.workflows.campaign_setup import create_campaign


def today_local() -> date:
    return local_today(utcnow(), "Asia/Shanghai")


WALK_MINUTES = 19  # gpx_track's walk: 20 points a minute apart


def a_walk_start_today() -> datetime:
    """When a walk of today began that has ended by now: an hour ago, or at local midnight while an hour
    ago was yesterday (00:00-01:00 in Asia/Shanghai), a day that has closed. In the first minutes of a
    day no walk of it has ended yet: the ``walk_start`` fixture moves the clock past them first."""
    midnight = end_of_local_day(today_local() - timedelta(days=1), "Asia/Shanghai")
    return max(utcnow() - timedelta(hours=1), midnight).astimezone(UTC)  # gpx_track writes UTC


def running_campaign(
    org: Organisation, preset: str = "teachers-7day", *, started_days_ago: int = 2
) -> Campaign:
    campaign = create_campaign(
        None, org, preset=preset, start_day=today_local() - timedelta(days=started_days_ago), publish=True
    )
    db.session.commit()
    return campaign


def member_of(user: User, org: Organisation) -> User:
    db.session.add(Membership(user_id=user.id, organisation_id=org.id, category=MemberCategory.OTHER))
    db.session.commit()
    return user


def enrolled(user: User, campaign: Campaign, unit: Organisation) -> Enrollment:
    enrollment = enrol(user, campaign, unit)
    db.session.commit()
    return enrollment


# Invented people for boards.
NAMES = ("张一明", "李秀兰", "王建国", "赵小红", "陈志强", "刘思远", "周晓燕", "吴海波")


def walkers_at_one_instant(campaign: Campaign, make_user, members) -> list[Enrollment]:
    """One enrolled member per ``(unit, steps)`` of ``members``: ``steps`` are the daily steps of the days
    before today, oldest first, every report received at the same instant, so that equal figures tie on
    all four keys of the individual board."""
    from portal.campaigns.steps import report_steps
    from portal.models import ReportSource

    made = []
    instant = utcnow()
    for index, (unit, steps) in enumerate(members):
        member = enrolled(member_of(make_user(real_name=NAMES[index % len(NAMES)]), unit), campaign, unit)
        for back, count in enumerate(reversed(steps), start=1):
            day = today_local() - timedelta(days=back)
            report_steps(
                member, day=day, steps=count, source=ReportSource.IMPORT, now=instant, allow_closed=True
            )
        made.append(member)
    db.session.commit()
    return made


def gpx_track(
    start: datetime, *, points: int = 20, seconds_apart: int = 60, step_degrees: float = 0.001
) -> bytes:
    """A straight walk north from central Nanjing: about 111 m between points."""
    rows = []
    for index in range(points):
        moment = (start + timedelta(seconds=index * seconds_apart)).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append(
            f'<trkpt lat="{32.06 + index * step_degrees:.6f}" lon="118.79"><time>{moment}</time></trkpt>'
        )
    body = "".join(rows)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="test" '
        f'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{body}</trkseg></trk></gpx>'
    ).encode()


def board_rows(campaign) -> list[tuple]:
    """The individual board's rows as its query gives them (``individual_board``), sorted."""
    return sorted(tuple(row) for row in db.session.execute(individual_board(campaign)))


def rows_from_records_alone(campaign) -> list[tuple]:
    """The board as it was before totals existed: every day grouped from the records."""
    savepoint = db.session.begin_nested()
    db.session.execute(delete(EnrollmentTotals))
    db.session.execute(delete(TotalsCutoff))
    rows = board_rows(campaign)
    savepoint.rollback()
    return rows


def board_of_three(tree, make_user) -> Campaign:
    """A campaign of 江苏省总工会 whose individual board has three rows, its snapshot computed: two
    members of 南京医科大学 (12,000 and 9,000 steps yesterday) and one of the city's company (11,000),
    ranked 1, 3 and 2."""
    from portal.boards.snapshots import refresh_boards

    campaign = running_campaign(tree["js"])
    walkers_at_one_instant(
        campaign,
        make_user,
        [(tree["njmu"], [12000]), (tree["njmu"], [9000]), (tree["nj_company"], [11000])],
    )
    refresh_boards(campaign)
    db.session.commit()
    return campaign
