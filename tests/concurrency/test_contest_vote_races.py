"""Votes racing each other (PostgreSQL, real threads): one vote per member per work per day, and never more
than the collection's daily votes, however the requests interleave."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from portal.contests.votes import cast_vote
from portal.extensions import db
from portal.models import ContestVote, ContestVoterDay, ContestWork, User
from tests.campaign_helpers import member_of
from tests.concurrency.test_races import race
from tests.contest_helpers import approved, open_collection, photo_work

pytestmark = pytest.mark.postgres


def _collection_with_works(tree, make_user, count: int, votes_per_day: int = 3):
    contest = open_collection(tree["js"], votes_per_day=votes_per_day)
    author = member_of(make_user(real_name="张一明"), tree["njmu"])
    reviewer = make_user(admin_of=tree["js"], real_name="李秀兰")
    works = [approved(photo_work(contest, author, title=f"作品{i}"), reviewer).id for i in range(count)]
    return contest, works


def test_the_same_vote_sent_eight_times_at_once_counts_once(app, tree, make_user):
    _contest, [work_id] = _collection_with_works(tree, make_user, 1)
    voter_id = member_of(make_user(), tree["nj_company"]).id

    def vote(_index: int) -> None:
        cast_vote(db.session.get(User, voter_id), db.session.get(ContestWork, work_id))

    outcomes = race(app, vote, threads=8)
    assert outcomes == Counter({"ok": 1, "AlreadyVotedToday": 7})
    db.session.expire_all()
    assert db.session.get(ContestWork, work_id).votes == 1
    assert db.session.scalar(select(func.count()).select_from(ContestVote)) == 1


def test_votes_for_eight_works_at_once_stop_at_the_daily_limit(app, tree, make_user):
    _contest, works = _collection_with_works(tree, make_user, 8, votes_per_day=3)
    voter_id = member_of(make_user(), tree["nj_company"]).id

    def vote(index: int) -> None:
        cast_vote(db.session.get(User, voter_id), db.session.get(ContestWork, works[index]))

    outcomes = race(app, vote, threads=8)
    assert outcomes == Counter({"ok": 3, "DailyVotesUsed": 5})
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ContestVote)) == 3
    assert db.session.scalar(select(func.sum(ContestWork.votes))) == 3
    assert db.session.scalar(select(ContestVoterDay.votes)) == 3


def test_many_members_voting_for_one_work_at_once_are_all_counted(app, tree, make_user):
    _contest, [work_id] = _collection_with_works(tree, make_user, 1)
    voters = [member_of(make_user(), tree["nj_company"]).id for _ in range(8)]

    def vote(index: int) -> None:
        cast_vote(db.session.get(User, voters[index]), db.session.get(ContestWork, work_id))

    assert race(app, vote, threads=8) == Counter({"ok": 8})
    db.session.expire_all()
    work = db.session.get(ContestWork, work_id)
    assert work.votes == 8 == db.session.scalar(select(func.count()).select_from(ContestVote))
    assert work.late_votes == 8  # every voter's account was made after voting opened (yesterday)
