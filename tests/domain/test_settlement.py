"""Settling a day: the same result twice, after a rule change, and after a run killed halfway."""

import pytest
from sqlalchemy import select

from portal.campaigns.steps import report_steps
from portal.extensions import db
from portal.models import CampaignDay, DailyRecord, ReportSource
from portal.workflows import settlement
from portal.workflows.settlement import settle_day
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local


@pytest.fixture
def day_with_reports(app, tree, make_user):
    campaign = running_campaign(tree["edu"])
    day = today_local()
    for steps in (4000, 9000, 25000):
        enrollment = enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"])
        report_steps(enrollment, day=day, steps=steps, source=ReportSource.API)
    db.session.commit()
    return campaign, day


def _totals(settled: CampaignDay) -> tuple:
    return settled.enrolled, settled.reporting, settled.qualified, settled.counted_steps


def test_settling_twice_gives_the_same_totals(day_with_reports):
    campaign, day = day_with_reports
    first = _totals(settle_day(campaign, day))
    db.session.commit()
    again = _totals(settle_day(campaign, day))
    db.session.commit()
    assert first == again == (3, 3, 2, 4000 + 9000 + 20000)
    assert len(db.session.scalars(select(CampaignDay)).all()) == 1


def test_settling_after_a_rule_change_recounts(day_with_reports):
    campaign, day = day_with_reports
    campaign.rules = {**campaign.rules, "qualify_steps": 3000, "daily_cap": 10000}
    db.session.commit()
    assert _totals(settle_day(campaign, day)) == (3, 3, 3, 4000 + 9000 + 10000)


def test_a_run_killed_halfway_leaves_nothing_and_a_rerun_completes(day_with_reports, monkeypatch):
    campaign, day = day_with_reports
    campaign.rules = {**campaign.rules, "qualify_steps": 3000}
    db.session.commit()
    monkeypatch.setattr(settlement, "BATCH", 1)
    calls = {"n": 0}
    real = settlement.evaluate_day

    def dies_on_the_second_record(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(settlement, "evaluate_day", dies_on_the_second_record)
    with pytest.raises(KeyboardInterrupt):
        settle_day(campaign, day)
    db.session.rollback()
    assert db.session.scalar(select(CampaignDay)) is None
    assert sorted(db.session.scalars(select(DailyRecord.qualified))) == [False, True, True]  # unchanged
    monkeypatch.setattr(settlement, "evaluate_day", real)
    assert _totals(settle_day(campaign, day)) == (3, 3, 3, 33000)
