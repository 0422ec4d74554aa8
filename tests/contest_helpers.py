"""Builders for works-collection tests: a collection with windows relative to today, works, the clock."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from portal.contests.contest import Windows, category_presets, create_contest, open_contest
from portal.contests.works import WorkDraft, review_work, submit_work
from portal.extensions import db
from portal.models import Contest, ContestCategory, ContestWork, Organisation, User, WorkKind
from tests.campaign_helpers import today_local
from tests.route_helpers import photo_bytes

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 12) -> datetime:
    """An instant on a local day: the injected clock of the window tests."""
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def open_collection(
    org: Organisation,
    *,
    submit: tuple[int, int] = (-3, 3),
    vote: tuple[int, int] = (-1, 5),
    results: int = 6,
    votes_per_day: int = 3,
    title: str = "职工摄影作品征集",
) -> Contest:
    """An opened collection of ``org`` with every preset category; days are offsets from today."""
    today = today_local()
    contest = create_contest(
        None,
        org,
        title=title,
        rules="原创作品，每人每天可投 3 票。",
        windows=Windows(
            submit_from=today + timedelta(days=submit[0]),
            submit_until=today + timedelta(days=submit[1]),
            vote_from=today + timedelta(days=vote[0]),
            vote_until=today + timedelta(days=vote[1]),
            results_on=today + timedelta(days=results),
        ),
        votes_per_day=votes_per_day,
        categories=list(category_presets()),
    )
    open_contest(None, contest)
    db.session.commit()
    return contest


def category(contest: Contest, kind: WorkKind) -> ContestCategory:
    return next(c for c in contest.categories if c.kind is kind)


def photo_work(
    contest: Contest, author: User, *, title: str = "晨光中的工地", now: datetime | None = None
) -> ContestWork:
    work = submit_work(
        author,
        contest,
        WorkDraft(
            category=category(contest, WorkKind.PHOTO), title=title, body="拍摄于早班", photos=[photo_bytes()]
        ),
        now=now,
    )
    db.session.commit()
    return work


def approved(work: ContestWork, reviewer: User) -> ContestWork:
    review_work(reviewer, work, approve=True, revision=work.revision)
    db.session.commit()
    return work
