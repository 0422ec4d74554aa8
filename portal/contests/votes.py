"""Public voting (rules §10): members of the collection's subtree vote for approved works while voting is
open, once per work per local day and at most the collection's ``votes_per_day`` a day.

Both limits hold in the database under concurrency: the vote's unique key (work, member, day) refuses a
second vote, and the member's counter row of the day is taken with ``UPDATE … SET votes = votes + 1
WHERE votes < limit`` (concurrent votes queue on that row). A refused vote undoes itself (a savepoint).
A vote from an account registered after voting opened is marked ``late_account`` and counted apart on
the work (``late_votes``) for the admins: such accounts are a common way to stuff votes. It still counts
in the public total, which is the one the results page shows; admins weigh the split when choosing
winners.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from portal.contests.contest import contest_state, is_eligible, require_eligible, voting_opened_at
from portal.contests.errors import (
    AlreadyVotedToday,
    DailyVotesUsed,
    VotingClosed,
    VotingNotOpen,
    WorkNotOpenToVotes,
)
from portal.database import insert_for
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.contest import Contest, ContestVote, ContestVoterDay, ContestWork, WorkStatus
from portal.models.identity import User


def cast_vote(user: User, work: ContestWork, *, now: datetime | None = None) -> int:
    """Count the member's vote for ``work`` today; returns the votes they have left today."""
    contest = work.contest
    require_eligible(user, contest)
    now = now or utcnow()
    state = contest_state(contest, now)
    if state.before_voting:
        raise VotingNotOpen()
    if state.voting_over:
        raise VotingClosed()
    if work.status is not WorkStatus.APPROVED:
        raise WorkNotOpenToVotes()
    late = user.created_at > voting_opened_at(contest)
    dialect = db.engine.dialect.name
    with db.session.begin_nested():
        vote_id = db.session.scalar(
            insert_for(dialect, ContestVote)
            .values(
                contest_id=contest.id,
                work_id=work.id,
                user_id=user.id,
                day=state.today,
                cast_at=now,
                late_account=late,
            )
            .on_conflict_do_nothing(index_elements=["work_id", "user_id", "day"])
            .returning(ContestVote.id)
        )
        if vote_id is None:
            raise AlreadyVotedToday()
        db.session.execute(
            insert_for(dialect, ContestVoterDay)
            .values(contest_id=contest.id, user_id=user.id, day=state.today, votes=0)
            .on_conflict_do_nothing()
        )
        taken = db.session.scalar(
            update(ContestVoterDay)
            .where(
                ContestVoterDay.contest_id == contest.id,
                ContestVoterDay.user_id == user.id,
                ContestVoterDay.day == state.today,
                ContestVoterDay.votes < contest.votes_per_day,
            )
            .values(votes=ContestVoterDay.votes + 1)
            .returning(ContestVoterDay.votes)
            .execution_options(synchronize_session=False)
        )
        if taken is None:
            raise DailyVotesUsed(
                _l(
                    "You have cast all %(n)s of today's votes in this collection. Come back tomorrow.",
                    n=contest.votes_per_day,
                )
            )
        db.session.execute(
            update(ContestWork)
            .where(ContestWork.id == work.id)
            .values(votes=ContestWork.votes + 1, late_votes=ContestWork.late_votes + (1 if late else 0))
            .execution_options(synchronize_session=False)
        )
    db.session.refresh(work, ["votes", "late_votes"])
    return contest.votes_per_day - taken


@dataclass(frozen=True)
class VoterDay:
    """What the vote buttons of a page need to know about the member today."""

    eligible: bool
    left: int
    voted: frozenset[int]  # work ids already voted for today


def voter_day(user: User, contest: Contest, work_ids: list[int], today: date) -> VoterDay:
    if not user.is_authenticated or not is_eligible(user, contest):
        return VoterDay(False, 0, frozenset())
    used = db.session.scalar(
        select(ContestVoterDay.votes).where(
            ContestVoterDay.contest_id == contest.id,
            ContestVoterDay.user_id == user.id,
            ContestVoterDay.day == today,
        )
    )
    voted = db.session.scalars(
        select(ContestVote.work_id).where(
            ContestVote.user_id == user.id, ContestVote.day == today, ContestVote.work_id.in_(work_ids)
        )
    )
    return VoterDay(True, max(0, contest.votes_per_day - (used or 0)), frozenset(voted))


@dataclass(frozen=True)
class VoteSummary:
    votes: int
    late_votes: int
    voters: int
    late_voters: int


def vote_summary(contest: Contest) -> VoteSummary:
    """For admins: all votes of the collection and those from accounts registered after voting opened."""
    votes, late, voters = db.session.execute(
        select(
            func.count(),
            func.count().filter(ContestVote.late_account.is_(True)),
            func.count(func.distinct(ContestVote.user_id)),
        ).where(ContestVote.contest_id == contest.id)
    ).one()
    late_voters = db.session.scalar(
        select(func.count(func.distinct(ContestVote.user_id))).where(
            ContestVote.contest_id == contest.id, ContestVote.late_account.is_(True)
        )
    )
    return VoteSummary(votes or 0, late or 0, voters or 0, late_voters or 0)
