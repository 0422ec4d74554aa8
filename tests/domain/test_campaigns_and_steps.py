"""Campaigns from presets, enrolment, step reports (last report wins by report time), check-in."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from portal.campaigns.campaign import enrol
from portal.campaigns.day_rules import DayReason
from portal.campaigns.errors import (
    AlreadyEnrolled,
    CampaignNotOpen,
    DayNotOpen,
    InvalidSteps,
    NotEligible,
    UnitOutsideUnion,
)
from portal.campaigns.steps import check_in, report_steps
from portal.extensions import db
from portal.models import Checkin, DailyRecord, DayFlag, ReportSource
from portal.models.base import utcnow
from portal.workflows.campaign_setup import create_campaign
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def setup(app, tree, make_user):
    campaign = running_campaign(tree["edu"])
    member = member_of(make_user(), tree["njmu"])
    return campaign, enrolled(member, campaign, tree["njmu_unit"])


def test_campaign_from_preset_lasts_the_preset_length(app, tree):
    campaign = running_campaign(tree["edu"], "eco-walk")
    assert (campaign.end_day - campaign.start_day).days == 63 and campaign.title == "生态文明你我行"
    assert campaign.rules["route"]["landmarks"] == 13


def test_enrolment_rules(app, tree, make_user):
    campaign = running_campaign(tree["edu"])
    member = member_of(make_user(), tree["njmu"])
    with pytest.raises(UnitOutsideUnion):
        enrol(member, campaign, tree["nj_company"])  # not the member's union
    enrolled(member, campaign, tree["njmu_unit"])
    with pytest.raises(AlreadyEnrolled):
        enrol(member, campaign, tree["njmu"])
    with pytest.raises(NotEligible):
        enrol(make_user(), campaign, tree["njmu"])  # not a member
    outsider = member_of(make_user(), tree["nj_company"])
    with pytest.raises(NotEligible):
        enrol(outsider, campaign, tree["nj_company"])  # a member, but of a union outside the campaign
    draft = create_campaign(None, tree["edu"], preset="teachers-7day", start_day=today_local())
    with pytest.raises(CampaignNotOpen):
        enrol(member, draft, tree["njmu"])


def test_last_report_wins_by_report_time_whatever_the_arrival_order(setup):
    _, enrollment = setup
    day = today_local()
    base = utcnow() - timedelta(minutes=30)
    late = report_steps(
        enrollment, day=day, steps=9000, source=ReportSource.API, reported_at=base + timedelta(minutes=20)
    )
    early = report_steps(enrollment, day=day, steps=4000, source=ReportSource.API, reported_at=base)
    db.session.commit()
    assert late.applied and not early.applied
    record = early.record
    assert (record.reported_steps, record.counted_steps, record.qualified) == (9000, 9000, True)
    again = report_steps(
        enrollment, day=day, steps=9000, source=ReportSource.API, reported_at=base + timedelta(minutes=20)
    )
    assert again.record.reported_steps == 9000  # the same report twice changes nothing
    assert db.session.scalar(select(func.count()).select_from(DailyRecord)) == 1


def test_daily_cap_and_reasons(setup):
    _, enrollment = setup
    day = today_local()
    result = report_steps(enrollment, day=day, steps=25_000, source=ReportSource.FORM)
    assert (result.record.counted_steps, result.record.reason) == (20_000, DayReason.QUALIFIED_CAPPED)
    result = report_steps(
        enrollment, day=day - timedelta(days=1), steps=4200, source=ReportSource.FORM, allow_closed=True
    )
    assert (result.record.qualified, result.record.reason) == (False, DayReason.BELOW_THRESHOLD)


def test_days_that_are_not_open_are_refused(app, setup):
    campaign, enrollment = setup
    today = today_local()
    with app.test_request_context():
        with pytest.raises(DayNotOpen, match="尚未到来"):
            report_steps(enrollment, day=today + timedelta(days=1), steps=5000, source=ReportSource.FORM)
        with pytest.raises(DayNotOpen, match="已截止"):
            report_steps(enrollment, day=today - timedelta(days=1), steps=5000, source=ReportSource.FORM)
        with pytest.raises(DayNotOpen, match="不在活动期间"):
            report_steps(
                enrollment,
                day=campaign.start_day - timedelta(days=1),
                steps=5000,
                source=ReportSource.PARTNER,
                allow_closed=True,
            )
    # Partners may backfill any day of the campaign up to today.
    report_steps(
        enrollment, day=today - timedelta(days=1), steps=5000, source=ReportSource.PARTNER, allow_closed=True
    )


def test_a_day_closes_at_local_midnight_plus_grace(setup):
    _, enrollment = setup
    day = today_local() - timedelta(days=1)
    midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=SHANGHAI).astimezone(UTC)
    report_steps(
        enrollment, day=day, steps=7000, source=ReportSource.FORM, now=midnight - timedelta(seconds=1)
    )
    with pytest.raises(DayNotOpen):
        report_steps(enrollment, day=day, steps=7000, source=ReportSource.FORM, now=midnight)


@pytest.mark.parametrize("bad", [-1, 1_000_001, 2.5, True, "6000", float("nan")])
def test_bad_step_values_are_refused(setup, bad):
    _, enrollment = setup
    with pytest.raises(InvalidSteps):
        report_steps(enrollment, day=today_local(), steps=bad, source=ReportSource.API)


def test_faked_looking_days_are_kept_flagged_and_not_counted(setup):
    _, enrollment = setup
    result = report_steps(enrollment, day=today_local(), steps=88888, source=ReportSource.API)
    record = result.record
    assert (record.reported_steps, record.counted_steps, record.flag, record.reason) == (
        88888,
        0,
        DayFlag.REPEATED_DIGITS,
        DayReason.FLAGGED,
    )


def test_check_in_once_a_day(setup):
    _, enrollment = setup
    first = check_in(enrollment)
    again = check_in(enrollment)
    db.session.commit()
    assert first.id == again.id and db.session.scalar(select(func.count()).select_from(Checkin)) == 1
