"""Concurrent reports for one day converge on the latest report (PostgreSQL, real threads)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.campaigns.steps import report_steps, report_steps_by_token, settled_terms
from portal.campaigns.tokens import hash_token, issue_personal_token
from portal.extensions import db
from portal.models import DailyRecord, Enrollment, ReportSource
from portal.models.base import utcnow
from tests.campaign_helpers import a_walk_start_today, enrolled, member_of, running_campaign, today_local
from tests.concurrency.test_races import race

pytestmark = pytest.mark.postgres


def test_racing_reports_leave_the_latest(app, tree, make_user):
    campaign = running_campaign(tree["edu"])
    enrollment_id = enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"]).id
    start = a_walk_start_today()  # earlier today, whatever the hour
    day = today_local()

    def report(index: int) -> None:
        enrollment = db.session.get(Enrollment, enrollment_id)
        report_steps(
            enrollment,
            day=day,
            steps=1000 + index,
            source=ReportSource.API,
            reported_at=start + timedelta(seconds=index),
        )

    for _ in range(5):
        assert race(app, report, threads=8) == {"ok": 8}
        db.session.expire_all()
        record = db.session.scalar(select(DailyRecord).where(DailyRecord.enrollment_id == enrollment_id))
        assert record.reported_steps == 1007  # the report made last, whatever order the threads ran in


def test_racing_reports_through_the_one_statement_path_leave_the_latest(app, tree, make_user):
    campaign = running_campaign(tree["edu"])
    enrollment_id = enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"]).id
    token_hash = hash_token(issue_personal_token(db.session.get(Enrollment, enrollment_id).user, "p").secret)
    db.session.commit()
    start = a_walk_start_today()  # earlier today, whatever the hour
    day = today_local()
    round_start = [start]

    def report(index: int) -> None:
        terms = settled_terms(campaign.id, now=utcnow())
        with db.engine.begin() as connection:
            result = report_steps_by_token(
                connection,
                token_hash,
                terms,
                day=day,
                steps=2000 + index,
                source=ReportSource.API,
                reported_at=round_start[0] + timedelta(seconds=index),
            )
        # Nothing is stored only when a newer report already stood.
        assert result is not None or index < 7

    for round_number in range(5):
        round_start[0] = start + timedelta(seconds=8 * round_number)  # each round's reports are newer
        assert race(app, report, threads=8) == {"ok": 8}
        db.session.expire_all()
        record = db.session.scalar(select(DailyRecord).where(DailyRecord.enrollment_id == enrollment_id))
        assert record.reported_steps == 2007


def test_racing_batches_of_token_uses_keep_the_latest_and_never_deadlock(app, make_user):
    """Workers write their batches of "last used" at the same moment, over the same tokens noted in
    different orders (``TokenUses.write``: one statement over two arrays on PostgreSQL)."""
    import random

    from portal.campaigns.tokens import TokenUses
    from portal.models import ApiToken

    hashes = [issue_personal_token(make_user(), f"t{i}").token.token_hash for i in range(300)]
    db.session.commit()
    start = utcnow() - timedelta(hours=1)

    def write(index: int) -> None:
        uses = TokenUses(interval=3600)
        for token_hash in random.sample(hashes, len(hashes)):
            uses.note(token_hash, start + timedelta(minutes=index))
        uses.write()

    for _ in range(3):
        assert race(app, write, threads=8) == {"ok": 8}
    db.session.expire_all()
    last_used = set(db.session.scalars(select(ApiToken.last_used_at).where(ApiToken.token_hash.in_(hashes))))
    assert last_used == {start + timedelta(minutes=7)}
