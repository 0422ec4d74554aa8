"""Forty people and one team of six (PostgreSQL, real threads): its captain, and thirty-nine who join at
the same moment through the invitation. Exactly six end up in it, every run; the other thirty-four are
told it is full, and nothing of their attempts is left behind."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Enrollment, PointEntry, Team, TeamMember
from portal.teams.team import create_team, join_team
from tests.campaign_helpers import enrolled, member_of, running_campaign
from tests.concurrency.test_races import race

pytestmark = pytest.mark.postgres


def test_racing_joins_fill_a_team_of_six_exactly(app, tree, make_user):
    campaign = running_campaign(tree["sx"], "motherland-100")
    captain = enrolled(member_of(make_user(), tree["xa"]), campaign, tree["xa"])
    team = create_team(captain, "并发队")
    db.session.commit()
    joiners = [enrolled(member_of(make_user(), tree["xa"]), campaign, tree["xa"]).id for _ in range(39)]
    team_id = team.id

    def join(index):
        join_team(db.session.get(Enrollment, joiners[index]), db.session.get(Team, team_id))

    assert race(app, join, threads=39) == Counter({"ok": 5, "TeamFull": 34})
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(TeamMember)) == 6
    assert db.session.get(Team, team_id).member_count == 6
    assert db.session.scalar(select(func.count()).select_from(PointEntry)) == 1  # the captain's task, once
