"""Works collections (作品征集, rules §10): a union admin opens one for their subtree with its categories
and windows; members of the subtree see it once it is opened.

The windows are whole local days (Asia/Shanghai unless the collection says otherwise), inclusive:
submissions and edits from ``submit_from`` to ``submit_until``, votes from ``vote_from`` to
``vote_until``; voting may start while submissions are still open, never before they open. Review has no
window of its own: admins review whenever a work is waiting, until the results are published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from portal.campaigns.day_rules import end_of_local_day, local_today
from portal.common.audit import record_audit
from portal.common.errors import NotFound
from portal.contests.errors import (
    CategoryHasWorks,
    CategoryNameTaken,
    ContestHasNoCategory,
    ContestWindowsOutOfOrder,
    NotEligibleForContest,
)
from portal.contests.permissions import can_manage_contest
from portal.extensions import db
from portal.membership.applications import active_membership
from portal.models.base import utcnow
from portal.models.contest import Contest, ContestCategory, ContestWork, WorkKind
from portal.models.identity import User
from portal.models.org import Organisation
from portal.orgs.permissions import can_administer, require
from portal.orgs.scope import AdminScope

CATEGORY_PRESETS = Path(__file__).resolve().parents[2] / "seeds" / "contest_categories.yaml"


@dataclass(frozen=True)
class CategoryPreset:
    name: str
    kind: WorkKind


@lru_cache(maxsize=1)
def category_presets() -> tuple[CategoryPreset, ...]:
    """The categories of the notices (seeds 003/004), offered when a collection is created."""
    rows = yaml.safe_load(CATEGORY_PRESETS.read_text(encoding="utf-8"))
    return tuple(CategoryPreset(row["name"], WorkKind(row["kind"])) for row in rows)


@dataclass(frozen=True)
class Windows:
    submit_from: date
    submit_until: date
    vote_from: date
    vote_until: date
    results_on: date


def check_windows(windows: Windows) -> None:
    """Refuse windows out of order, naming the field to correct (the table's CHECKs say the same)."""
    if windows.submit_until < windows.submit_from:
        raise ContestWindowsOutOfOrder(
            _l("Submissions must close on or after they open."), field="submit_until"
        )
    if windows.vote_from < windows.submit_from:
        raise ContestWindowsOutOfOrder(_l("Voting cannot open before submissions open."), field="vote_from")
    if windows.vote_until < windows.vote_from:
        raise ContestWindowsOutOfOrder(_l("Voting must close on or after it opens."), field="vote_until")
    if windows.results_on < windows.vote_until:
        raise ContestWindowsOutOfOrder(
            _l("The results are announced on or after the last day of voting."), field="results_on"
        )


@dataclass(frozen=True)
class ContestState:
    """Where a collection stands at one instant."""

    today: date
    opened: bool
    submissions_open: bool
    before_submissions: bool
    voting_open: bool
    before_voting: bool
    voting_over: bool
    results_public: bool


def contest_state(contest: Contest, now: datetime | None = None) -> ContestState:
    today = local_today(now or utcnow(), contest.timezone)
    return ContestState(
        today=today,
        opened=contest.opened_at is not None,
        submissions_open=contest.submit_from <= today <= contest.submit_until,
        before_submissions=today < contest.submit_from,
        voting_open=contest.vote_from <= today <= contest.vote_until,
        before_voting=today < contest.vote_from,
        voting_over=today > contest.vote_until,
        results_public=contest.results_published_at is not None and today >= contest.results_on,
    )


def voting_opened_at(contest: Contest) -> datetime:
    """Local midnight at the start of the first voting day: accounts registered later vote "late"."""
    return end_of_local_day(contest.vote_from - timedelta(days=1), contest.timezone)


def audit_contest(actor: User | None, action: str, contest: Contest, after: dict | None = None) -> None:
    """An entry in the audit trail about the collection, filed under its union."""
    record_audit(
        actor,
        action,
        subject_type="contest",
        subject_id=contest.id,
        organisation_id=contest.organisation_id,
        after=after,
    )


def create_contest(
    actor: User | None,
    organisation: Organisation,
    *,
    title: str,
    rules: str,
    windows: Windows,
    votes_per_day: int,
    categories: list[CategoryPreset],
) -> Contest:
    """A new collection of ``organisation``, not yet opened to members, with ``categories``."""
    require(can_administer(actor, organisation))
    check_windows(windows)
    contest = Contest(
        organisation_id=organisation.id,
        title=title.strip(),
        rules=rules.strip(),
        votes_per_day=votes_per_day,
        created_by_id=actor.id if actor else None,
        **windows.__dict__,
    )
    db.session.add(contest)
    db.session.flush()
    for position, preset in enumerate(categories):
        db.session.add(
            ContestCategory(contest_id=contest.id, name=preset.name, kind=preset.kind, position=position)
        )
    db.session.flush()
    audit_contest(actor, "contest.create", contest, {"title": contest.title})
    return contest


def update_contest(
    actor: User, contest: Contest, *, title: str, rules: str, windows: Windows, votes_per_day: int
) -> None:
    require(can_manage_contest(actor, contest))
    check_windows(windows)
    contest.title = title.strip()
    contest.rules = rules.strip()
    contest.votes_per_day = votes_per_day
    for name, value in windows.__dict__.items():
        setattr(contest, name, value)
    db.session.flush()
    audit_contest(
        actor,
        "contest.update",
        contest,
        {"title": contest.title, **{k: str(v) for k, v in windows.__dict__.items()}},
    )


def open_contest(actor: User | None, contest: Contest) -> None:
    """Show the collection to the members of its subtree."""
    require(can_manage_contest(actor, contest))
    if not contest.categories:
        raise ContestHasNoCategory()
    if contest.opened_at is None:
        contest.opened_at = utcnow()
        audit_contest(actor, "contest.open", contest)


def add_category(actor: User, contest: Contest, *, name: str, kind: WorkKind) -> ContestCategory:
    require(can_manage_contest(actor, contest))
    name = name.strip()
    if db.session.scalar(
        select(exists().where(ContestCategory.contest_id == contest.id, ContestCategory.name == name))
    ):
        raise CategoryNameTaken()
    position = db.session.scalar(
        select(func.coalesce(func.max(ContestCategory.position) + 1, 0)).where(
            ContestCategory.contest_id == contest.id
        )
    )
    category = ContestCategory(contest_id=contest.id, name=name, kind=kind, position=position)
    try:
        with db.session.begin_nested():
            db.session.add(category)
    except IntegrityError:
        raise CategoryNameTaken() from None
    db.session.expire(contest, ["categories"])
    audit_contest(actor, "contest.category", contest, {"added": name, "kind": kind.value})
    return category


def remove_category(actor: User, contest: Contest, category: ContestCategory) -> None:
    """Only a category without works goes (works and their votes are never deleted with it)."""
    require(can_manage_contest(actor, contest))
    if db.session.scalar(select(exists().where(ContestWork.category_id == category.id))):
        raise CategoryHasWorks()
    db.session.delete(category)
    db.session.flush()
    db.session.expire(contest, ["categories"])
    audit_contest(actor, "contest.category", contest, {"removed": category.name})


def category_of(contest: Contest, category_id: int | None) -> ContestCategory:
    category = db.session.get(ContestCategory, category_id) if category_id else None
    if category is None or category.contest_id != contest.id:
        raise NotFound()
    return category


# --- who sees what -------------------------------------------------------------------------------------


def contests_in_scope(scope: AdminScope) -> list[Contest]:
    return list(
        db.session.scalars(
            select(Contest)
            .join(Contest.organisation)
            .where(scope.clause(Organisation.path))
            .order_by(Contest.submit_from.desc(), Contest.id.desc())
        )
    )


def contest_in_scope(scope: AdminScope, contest_id: int) -> Contest:
    contest = db.session.get(Contest, contest_id)
    if contest is None or not scope.contains(contest.organisation):
        raise NotFound()
    return contest


def member_union(user: User) -> Organisation | None:
    """The member's union, when they are one: the node their eligibility is judged by."""
    if not user.is_authenticated:
        return None
    membership = active_membership(user)
    return membership.organisation if membership else None


def contests_for(user: User) -> list[Contest]:
    """Opened collections of the member's union and the unions above it, newest first."""
    union = member_union(user)
    if union is None:
        return []
    return list(
        db.session.scalars(
            select(Contest)
            .where(Contest.organisation_id.in_(union.ancestor_ids()), Contest.opened_at.is_not(None))
            .order_by(Contest.submit_from.desc(), Contest.id.desc())
        )
    )


def public_contest(contest_id: int) -> Contest:
    """An opened collection: its gallery, works and results are public (share links work for anyone)."""
    contest = db.session.get(Contest, contest_id)
    if contest is None or contest.opened_at is None:
        raise NotFound()
    return contest


def is_eligible(user: User, contest: Contest) -> bool:
    union = member_union(user)
    return union is not None and contest.organisation.contains(union)


def require_eligible(user: User, contest: Contest) -> Organisation:
    """The member's union, if it lies in the collection's subtree; otherwise a clear refusal."""
    union = member_union(user)
    if union is None or not contest.organisation.contains(union):
        raise NotEligibleForContest()
    return union
