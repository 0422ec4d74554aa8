"""A union's roster (会员名册, rules §3.4): the memberships under a union, searched, filtered and paged;
ending one with a reason, moving a member between the units of their grassroots union, correcting a name; the
Excel export. Every change is audited, and each checks who may make it (``membership.permissions``).

Read at 100,000 members of one union in four statements a page: how many match, the page's ids (the
organisations' path index, then the memberships of those nodes; people joined only when searched for),
those memberships with their people and units, and their enrolments (docs/benchmarks.md, "Roster").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, joinedload

from portal.common.audit import record_audit
from portal.common.errors import NotFound
from portal.common.phones import mask_phone
from portal.common.spreadsheets import cell_time, new_workbook, saved_workbook
from portal.extensions import db
from portal.identity.accounts import masked_id_number, parse_real_name, person_matches
from portal.membership.errors import EndReasonRequired, NotAUnitOfTheUnion
from portal.membership.permissions import can_manage_member
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.identity import User
from portal.models.membership import Membership
from portal.models.org import Organisation, OrgKind
from portal.orgs.permissions import require
from portal.orgs.tree import list_ancestors, subtree_clause, under_node

END_REASON_MAX = 200


class RosterStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"
    ALL = "all"


@dataclass(frozen=True)
class RosterFilters:
    query: str = ""  # part of a name, a phone's last four digits, or a masked phone as shown
    unit_id: int | None = None  # only the members under this node (a unit, or a union below)
    status: RosterStatus = RosterStatus.ACTIVE


@dataclass(frozen=True)
class RosterRow:
    membership: Membership
    enrolments: list[str]  # the titles of the campaigns the member is enrolled in


def roster_query(union: Organisation, filters: RosterFilters, *columns) -> Select:
    """The memberships the filters match (``columns``: what to select, the membership by default). The
    people are joined only when the search names them, so a page of the whole roster never joins its
    100,000 people to find its 50."""
    query = (
        select(*(columns or (Membership,)))
        .select_from(Membership)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(subtree_clause(union.path))
    )
    if filters.status is RosterStatus.ACTIVE:
        query = query.where(Membership.ended_at.is_(None))
    elif filters.status is RosterStatus.ENDED:
        query = query.where(Membership.ended_at.is_not(None))
    if filters.unit_id is not None:  # a node under the union, with everything below it
        query = query.where(under_node(filters.unit_id))
    if (matches := person_matches(filters.query)) is not None:
        # The people searched for, found first and kept (MATERIALIZED): a plan PostgreSQL prepares once
        # for every search would otherwise walk all the union's memberships checking each one's person
        # (305 ms at 100,000; this way 40 ms, docs/benchmarks.md, "Roster").
        found = select(User.id).where(matches).cte("found").prefix_with("MATERIALIZED")
        query = query.join(found, found.c.id == Membership.user_id)
    return query


def list_roster(
    union: Organisation, filters: RosterFilters, *, limit: int = 50, offset: int = 0
) -> tuple[list[RosterRow], int]:
    """One page of the roster, newest members first (by when they were added), and how many match in
    all: the page's ids first, then those 50 memberships with their people and units."""
    total = db.session.scalar(roster_query(union, filters, func.count(Membership.id))) or 0
    ids = list(
        db.session.scalars(
            roster_query(union, filters, Membership.id)
            .order_by(Membership.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    memberships = (
        list(
            db.session.scalars(
                select(Membership)
                .join(Membership.organisation)
                .join(Membership.user)
                .options(contains_eager(Membership.organisation), contains_eager(Membership.user))
                .where(Membership.id.in_(ids))
                .order_by(Membership.id.desc())
            )
        )
        if ids
        else []
    )
    titles = _enrolments_of([membership.user_id for membership in memberships])
    return [RosterRow(membership, titles.get(membership.user_id, [])) for membership in memberships], total


def _enrolments_of(user_ids: list[int]) -> dict[int, list[str]]:
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(Enrollment.user_id, Campaign.title)
        .join(Campaign, Campaign.id == Enrollment.campaign_id)
        .where(Enrollment.user_id.in_(user_ids))
        .order_by(Campaign.start_day.desc())
    )
    titles: dict[int, list[str]] = defaultdict(list)
    for user_id, title in rows:
        titles[user_id].append(title)
    return titles


def membership_under(union: Organisation, membership_id: int) -> Membership:
    """A membership of the union's roster, or ``NotFound``."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or not membership.organisation.path.startswith(union.path):
        raise NotFound()
    return membership


def grassroots_union_of(org: Organisation) -> Organisation:
    """The grassroots union a node belongs to (itself, when it is one); a node above one is its own."""
    if org.kind is OrgKind.GRASSROOTS_UNION:
        return org
    for ancestor in reversed(list_ancestors(org)):
        if ancestor.kind is OrgKind.GRASSROOTS_UNION:
            return ancestor
    return org


def unit_choices(membership: Membership) -> list[Organisation]:
    """Where a member may be moved: their grassroots union itself and every node under it."""
    union = grassroots_union_of(membership.organisation)
    return list(
        db.session.scalars(select(Organisation).where(subtree_clause(union.path)).order_by(Organisation.path))
    )


def _audit(actor: User | None, action: str, membership: Membership, **states) -> None:
    record_audit(
        actor,
        action,
        subject_type="membership",
        subject_id=membership.id,
        organisation_id=membership.organisation_id,
        **states,
    )


def end_membership(actor: User | None, membership: Membership, reason: str) -> None:
    """End an active membership for a reason the audit log keeps (left the employer, retired, …)."""
    require(can_manage_member(actor, membership))
    reason = reason.strip()
    if not reason or len(reason) > END_REASON_MAX:
        raise EndReasonRequired()
    if membership.ended_at is not None:
        return
    membership.ended_at = utcnow()
    _audit(actor, "membership.end", membership, after={"reason": reason})


def move_member(actor: User | None, membership: Membership, unit: Organisation) -> None:
    """Put a member in another unit of the same grassroots union (the membership keeps its history)."""
    require(can_manage_member(actor, membership))
    union = grassroots_union_of(membership.organisation)
    if not unit.path.startswith(union.path):
        raise NotAUnitOfTheUnion()
    if unit.id == membership.organisation_id:
        return
    before = membership.organisation.name
    membership.organisation = unit
    db.session.flush()
    _audit(actor, "membership.move", membership, before={"unit": before}, after={"unit": unit.name})


def correct_name(actor: User | None, membership: Membership, name: str) -> None:
    """Mend the member's name as on their ID card (a typo at import); the ID number is not changed here."""
    require(can_manage_member(actor, membership))
    name = parse_real_name(name)
    user = membership.user
    if name == user.real_name:
        return
    before = user.real_name
    user.real_name = name
    _audit(actor, "member.rename", membership, before={"name": before}, after={"name": name})


def export_roster(actor: User, union: Organisation, filters: RosterFilters):
    """Every membership the filters match, as an .xlsx; phones and ID numbers masked as on the page."""
    workbook, sheet = new_workbook(
        str(_("Roster")),
        [
            str(_("Name")),
            str(_("Mobile number")),
            str(_("ID number")),
            str(_("Unit")),
            str(_("Member since")),
            str(_("Ended")),
        ],
    )
    count = 0
    query = (
        roster_query(union, filters)
        .options(joinedload(Membership.user), joinedload(Membership.organisation))
        .order_by(Membership.id)
        .execution_options(yield_per=1000)
    )
    for membership in db.session.scalars(query):
        user = membership.user
        sheet.append(
            [
                user.real_name or "",
                mask_phone(user.phone),
                masked_id_number(user) or "",
                membership.organisation.name,
                cell_time(membership.started_at),
                cell_time(membership.ended_at),
            ]
        )
        count += 1
    record_audit(
        actor,
        "roster.export",
        subject_type="organisation",
        subject_id=union.id,
        organisation_id=union.id,
        after={"rows": count},
    )
    return saved_workbook(workbook)
