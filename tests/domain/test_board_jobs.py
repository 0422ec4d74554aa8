"""When boards are refreshed: the due campaigns, in process without Redis, as RQ jobs with it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from portal.extensions import db
from portal.jobs import due_campaigns, job_queue, run_due_refreshes
from portal.models import Board
from portal.models.base import utcnow
from tests.campaign_helpers import enrolled, member_of, running_campaign
from tests.conftest import REDIS_URL


def computed_at(campaign):
    return db.session.scalar(
        select(Board.computed_at).where(Board.campaign_id == campaign.id, Board.kind == "individual")
    )


def test_due_campaigns_follow_the_rules_interval(app, tree, make_user, monkeypatch):
    monkeypatch.delitem(app.config, "REDIS_URL", raising=False)
    campaign = running_campaign(tree["edu"])
    enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"])
    unpublished = running_campaign(tree["js"])
    unpublished.published_at = None
    db.session.commit()
    now = utcnow()
    assert due_campaigns(now) == [campaign.id]  # never computed
    assert run_due_refreshes(app, now) == [campaign.id]  # no Redis: refreshed here and now
    assert computed_at(campaign) is not None
    assert due_campaigns(now + timedelta(minutes=4)) == []
    assert due_campaigns(now + timedelta(minutes=5, seconds=1)) == [campaign.id]  # the default 5 minutes


def test_boards_emptied_by_a_database_crash_are_due_at_once(app, tree, make_user, monkeypatch):
    monkeypatch.delitem(app.config, "REDIS_URL", raising=False)
    campaign = running_campaign(tree["edu"])
    enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"])
    db.session.commit()
    now = utcnow()
    assert run_due_refreshes(app, now) == [campaign.id]
    assert due_campaigns(now + timedelta(minutes=1)) == []
    # What crash recovery does to an unlogged table: it comes back empty.
    table = db.session.scalar(
        select(Board.table_name).where(Board.campaign_id == campaign.id, Board.kind == "individual")
    )
    db.session.execute(text(f"DELETE FROM {table}"))
    db.session.commit()
    assert due_campaigns(now + timedelta(minutes=1)) == [campaign.id]
    assert run_due_refreshes(app, now + timedelta(minutes=1)) == [campaign.id]
    assert due_campaigns(now + timedelta(minutes=1, seconds=30)) == []  # rebuilt


@pytest.mark.redis
def test_with_redis_the_refresh_is_a_job_for_the_worker(app, tree, make_user, monkeypatch):
    from rq import SimpleWorker

    campaign = running_campaign(tree["edu"])
    enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"])
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    queue = job_queue(app)
    try:
        queue.connection.flushdb()
        assert run_due_refreshes(app) == [campaign.id]
        assert run_due_refreshes(app) == [campaign.id]  # still due, but its job is waiting: not twice
        assert queue.count == 1
        assert computed_at(campaign) is None  # only enqueued
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        assert computed_at(campaign) is not None
    finally:
        queue.connection.flushdb()
