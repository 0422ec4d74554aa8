"""Results of a collection (rules §10): admins name the winners of each category with their awards
(一等奖 …), then publish them once voting has closed. Published results are final, and public from the
collection's announced day (``results_on``); published earlier, they wait for that day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from portal.common.errors import NotFound
from portal.contests.contest import audit_contest, contest_state
from portal.contests.errors import (
    AwardNeedsApprovedWork,
    NoWinners,
    ResultsAlreadyPublished,
    ResultsBeforeVotingEnds,
    WorkAlreadyAwarded,
)
from portal.contests.permissions import can_manage_contest
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.contest import Contest, ContestAward, ContestCategory, ContestWork, WorkStatus
from portal.models.identity import User
from portal.orgs.permissions import require

AWARD_SUGGESTIONS = ("一等奖", "二等奖", "三等奖", "优秀奖")


def add_award(
    actor: User, contest: Contest, work: ContestWork, *, award: str, position: int = 0
) -> ContestAward:
    require(can_manage_contest(actor, contest))
    if contest.results_published_at is not None:
        raise ResultsAlreadyPublished()
    if work.contest_id != contest.id or work.status is not WorkStatus.APPROVED:
        raise AwardNeedsApprovedWork()
    row = ContestAward(
        contest_id=contest.id,
        category_id=work.category_id,
        work_id=work.id,
        award=award.strip(),
        position=position,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise WorkAlreadyAwarded() from None
    audit_contest(actor, "contest.award", contest, {"work": work.id, "award": row.award})
    return row


def remove_award(actor: User, contest: Contest, award_id: int) -> None:
    require(can_manage_contest(actor, contest))
    if contest.results_published_at is not None:
        raise ResultsAlreadyPublished()
    award = db.session.get(ContestAward, award_id)
    if award is None or award.contest_id != contest.id:
        raise NotFound()
    db.session.delete(award)
    db.session.flush()
    audit_contest(actor, "contest.award", contest, {"removed": award.work_id})


def publish_results(actor: User, contest: Contest, *, now: datetime | None = None) -> None:
    require(can_manage_contest(actor, contest))
    if contest.results_published_at is not None:
        raise ResultsAlreadyPublished()
    if not contest_state(contest, now).voting_over:
        raise ResultsBeforeVotingEnds()
    if not db.session.scalar(select(ContestAward.id).where(ContestAward.contest_id == contest.id).limit(1)):
        raise NoWinners()
    contest.results_published_at = now or utcnow()
    audit_contest(actor, "contest.publish_results", contest)


@dataclass(frozen=True)
class CategoryResults:
    category: ContestCategory
    awards: list[ContestAward]


def results_of(contest: Contest) -> list[CategoryResults]:
    """Winners by category (the collection's order), each category's in award order, then by votes."""
    awards = db.session.scalars(
        select(ContestAward)
        .join(ContestAward.work)
        .options(
            contains_eager(ContestAward.work).joinedload(ContestWork.author),
            contains_eager(ContestAward.work).joinedload(ContestWork.organisation),
        )
        .where(ContestAward.contest_id == contest.id)
        .order_by(ContestAward.position, ContestWork.votes.desc(), ContestAward.id)
    ).all()
    return [
        CategoryResults(category, [award for award in awards if award.category_id == category.id])
        for category in contest.categories
        if any(award.category_id == category.id for award in awards)
    ]


def award_candidates(contest: Contest) -> list[ContestWork]:
    """Approved works without an award, most voted first: the admin's list to choose winners from."""
    awarded = select(ContestAward.work_id).where(ContestAward.contest_id == contest.id)
    return list(
        db.session.scalars(
            select(ContestWork)
            .where(
                ContestWork.contest_id == contest.id,
                ContestWork.status == WorkStatus.APPROVED,
                ContestWork.id.not_in(awarded),
            )
            .order_by(ContestWork.category_id, ContestWork.votes.desc(), ContestWork.id)
            .limit(500)
        )
    )
