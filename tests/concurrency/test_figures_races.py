"""Refreshes of the dashboard's figures at once (the job, a settlement, the command) take turns and leave
the rows of one refresh, including a campaign's first refresh, which makes its lock row (PostgreSQL, real
threads)."""

import pytest
from sqlalchemy import select

from portal.dashboard.node_figures import refresh_figures
from portal.extensions import db
from portal.models import Campaign, NodeDayFigures, NodeFigures
from tests.concurrency.test_races import race
from tests.dashboard_helpers import generate_campaign_tree

pytestmark = pytest.mark.postgres


def _rows():
    return (
        sorted(tuple(row) for row in db.session.execute(select(NodeFigures.__table__))),
        sorted(tuple(row) for row in db.session.execute(select(NodeDayFigures.__table__))),
    )


def test_concurrent_refreshes_leave_the_rows_of_one(app, make_org, make_user):
    campaign_id = generate_campaign_tree(make_org, make_user, people=24).campaign.id

    outcomes = race(app, lambda _i: refresh_figures(db.session.get(Campaign, campaign_id)), threads=6)
    assert outcomes == {"ok": 6}
    raced = _rows()
    assert raced[0] and raced[1]

    refresh_figures(db.session.get(Campaign, campaign_id))  # one more, alone
    db.session.commit()
    assert _rows() == raced
