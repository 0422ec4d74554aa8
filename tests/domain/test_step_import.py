"""Admins' step import: rows checked, good rows applied like any report, a repeated file harmless."""

from datetime import timedelta

from sqlalchemy import select

from portal.campaigns.step_import import check_step_rows, import_step_rows, read_step_file
from portal.extensions import db
from portal.models import AuditEntry, DailyRecord
from portal.models.base import utcnow
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local


def test_check_then_import(app, tree, make_user):
    campaign = running_campaign(tree["edu"])
    member = member_of(make_user(), tree["njmu"])
    enrolled(member, campaign, tree["njmu"])
    today, yesterday = today_local(), today_local() - timedelta(days=1)
    csv = (
        "手机号,日期,步数\n"
        f"{member.phone},{yesterday:%Y/%m/%d},8000\n"
        f'{member.phone},{today} 00:00:00,"12,500"\n'
        f"{member.phone},{today},100\n"  # same number and day as line 3
        "13800000000,2026-01-01,5000\n"  # nobody enrolled; day outside the campaign
        f"{member.phone},{today + timedelta(days=1)},5000\n"  # future
        f"{member.phone},{yesterday},12.5\n"  # duplicate and fractional
    ).encode()
    rows = check_step_rows(campaign, read_step_file(csv, "steps.csv"), now=utcnow())
    assert [row.ok for row in rows] == [True, True, False, False, False, False]
    assert "第 3 行" in rows[2].errors[0]
    assert any("没有使用该手机号报名" in e for e in rows[3].errors) and any(
        "不在活动期间" in e for e in rows[3].errors
    )
    assert any("整数" in e for e in rows[5].errors)

    assert import_step_rows(None, campaign, rows, now=utcnow(), source="steps.csv") == 2
    db.session.commit()
    counted = dict(db.session.execute(select(DailyRecord.day, DailyRecord.counted_steps)).all())
    assert counted == {yesterday: 8000, today: 12500}
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "steps.import"))

    again = check_step_rows(campaign, read_step_file(csv, "steps.csv"), now=utcnow())
    import_step_rows(None, campaign, again, now=utcnow(), source="steps.csv")
    db.session.commit()
    assert len(db.session.scalars(select(DailyRecord)).all()) == 2
