"""Flagged days: one appeal, an admin's review, both logged; a newer report starts afresh."""

import pytest
from sqlalchemy import select

from portal.campaigns.errors import AlreadyAppealed, AlreadyReviewed, AppealNoteRequired, NotFlagged
from portal.campaigns.flags import appeal_day, open_flags, review_day
from portal.campaigns.steps import report_steps
from portal.extensions import db
from portal.models import AuditEntry, DayFlag, DayReview, ReportSource
from portal.orgs.scope import admin_scope
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local


@pytest.fixture
def flagged(app, tree, make_user):
    campaign = running_campaign(tree["edu"])
    member = member_of(make_user(), tree["njmu"])
    enrollment = enrolled(member, campaign, tree["njmu"])
    record = report_steps(enrollment, day=today_local(), steps=66666, source=ReportSource.API).record
    db.session.commit()
    return member, enrollment, record


def test_appeal_once_then_clear_counts_the_day(flagged, tree, make_user):
    member, _enrollment, record = flagged
    assert record.flag is DayFlag.REPEATED_DIGITS and record.counted_steps == 0
    with pytest.raises(AppealNoteRequired):
        appeal_day(member, record, "  ")
    appeal_day(member, record, "今天参加了马拉松")
    with pytest.raises(AlreadyAppealed):
        appeal_day(member, record, "再说一次")
    admin = make_user(admin_of=tree["edu"])
    assert [row[0].id for row in open_flags(admin_scope(admin))] == [record.id]
    review_day(admin, record, DayReview.CLEARED)
    db.session.commit()
    assert (record.counted_steps, record.qualified, record.reason) == (20000, True, "qualified_capped")
    with pytest.raises(AlreadyReviewed):
        review_day(admin, record, DayReview.CONFIRMED)
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"day.appeal", "day.cleared"} <= actions
    assert open_flags(admin_scope(admin)) == []


def test_confirm_keeps_it_out_and_a_new_report_starts_afresh(flagged, tree, make_user):
    member, enrollment, record = flagged
    admin = make_user(admin_of=tree["njmu"].parent)
    review_day(admin, record, DayReview.CONFIRMED)
    db.session.commit()
    assert record.counted_steps == 0 and record.review is DayReview.CONFIRMED
    newer = report_steps(enrollment, day=today_local(), steps=9000, source=ReportSource.FORM).record
    assert (newer.flag, newer.review, newer.counted_steps) == (None, None, 9000)
    with pytest.raises(NotFlagged):
        appeal_day(member, newer, "没问题")


def test_admins_outside_the_campaign_see_nothing(flagged, tree, make_user):
    assert open_flags(admin_scope(make_user(admin_of=tree["nj"]))) == []
