"""Concurrent reports for one day converge on the latest report (PostgreSQL, real threads)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import DailyRecord, Enrollment, ReportSource
from portal.models.base import utcnow
from portal.services.steps import report_steps, report_steps_by_token, settled_terms
from portal.services.tokens import hash_token, issue_personal_token
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local
from tests.concurrency.test_races import race

pytestmark = pytest.mark.postgres


def test_racing_reports_leave_the_latest(app, tree, make_user):
    campaign = running_campaign(tree["edu"])
    enrollment_id = enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"]).id
    start = utcnow() - timedelta(hours=1)
    day = today_local()

    def report(index: int) -> None:
        enrollment = db.session.get(Enrollment, enrollment_id)
        report_steps(
            enrollment,
            day=day,
            steps=1000 + index,
            source=ReportSource.API,
            reported_at=start + timedelta(minutes=index),
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
    start = utcnow() - timedelta(hours=1)
    day = today_local()

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
                reported_at=start + timedelta(minutes=index),
            )
        # Nothing is stored only when a newer report already stood.
        assert result is not None or index < 7

    for _ in range(5):
        assert race(app, report, threads=8) == {"ok": 8}
        db.session.expire_all()
        record = db.session.scalar(select(DailyRecord).where(DailyRecord.enrollment_id == enrollment_id))
        assert record.reported_steps == 2007
