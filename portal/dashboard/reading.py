"""The union admin's dashboard (rules §11): for one campaign and one node of the admin's tree,
each child node's members, participants, quota and rates, and the node's daily series for the charts.

Read from the figures the refresh keeps (``portal/dashboard/node_figures.py``): a page is four indexed
queries over a few dozen rows, whatever the size of the tree below.

The figures, as shown:
- members: the union's books (``member_total``, 会员总数) when the node has them, else the portal's active
  memberships in the subtree;
- participants: enrolments in the campaign for a unit in the subtree; the quota share is participants ÷
  quota (分配指标), and a node with fewer participants than its quota is behind;
- participation rate: participants ÷ members;
- qualification rate: qualified participant-days ÷ enrolled participant-days over the closed days (a day
  closes at midnight; before the first has closed there is no rate);
- active: participants who reported steps on the day.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction

from sqlalchemy import Select, and_, case, func, literal, or_, select

from portal.campaigns.day_rules import local_today
from portal.common.errors import NotFound
from portal.extensions import db
from portal.models.campaign import Campaign
from portal.models.figures import FiguresRefresh, NodeDayFigures, NodeFigures
from portal.models.org import Organisation
from portal.orgs.scope import AdminScope, list_scope_roots, org_in_scope
from portal.orgs.tree import list_ancestors

PAGE_SIZE = 50
# Children drawn on the charts beside the node itself: the largest by participants.
CHARTED_CHILDREN = 5


class ChildOrder(enum.StrEnum):
    TREE = "tree"  # as the tree lists them
    BEHIND = "behind"  # the lowest share of quota first, nodes without a quota last


@dataclass(frozen=True)
class NodeStanding:
    """One row of the dashboard's table: a node and the figures over its subtree."""

    org_id: int
    name: str
    members: int
    members_from_books: bool
    participants: int
    quota: int | None
    active: int
    qualified_days: int
    enrolled_days: int

    @property
    def quota_share(self) -> Fraction | None:
        return Fraction(self.participants, self.quota) if self.quota else None

    @property
    def behind(self) -> bool:
        return self.quota is not None and self.participants < self.quota

    @property
    def participation_rate(self) -> Fraction | None:
        return Fraction(self.participants, self.members) if self.members else None

    @property
    def qualification_rate(self) -> Fraction | None:
        return Fraction(self.qualified_days, self.enrolled_days) if self.enrolled_days else None


@dataclass(frozen=True)
class Series:
    name: str
    enrolled: list[int]
    active: list[int]
    steps: list[int]


@dataclass(frozen=True)
class Dashboard:
    campaign: Campaign
    node: Organisation
    day: date | None  # the day "active" is for: today, or the campaign's last day once it is over
    closed_through: date | None  # the last closed day the qualification rate counts
    computed_at: datetime | None
    total: NodeStanding
    children: list[NodeStanding]
    child_count: int
    page: int
    pages: int
    order: ChildOrder
    days: list[date] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)

    def chart_data(self) -> dict:
        """The series as the page's charts read them (JSON)."""
        return {
            "days": [day.isoformat() for day in self.days],
            "series": [
                {"name": s.name, "enrolled": s.enrolled, "active": s.active, "steps": s.steps}
                for s in self.series
            ],
        }


def _watched(scope: AdminScope, org: Organisation) -> bool:
    """A campaign of ``org`` is watched by admins of ``org``'s subtree and of the unions below it."""
    return scope.contains(org) or any(path.startswith(org.path) for path in scope.root_paths)


def dashboard_campaigns(scope: AdminScope) -> list[Campaign]:
    """Campaigns an admin can watch: those of a union in their scope, and those of a union above it
    (a city admin watches the province's campaign for their city)."""
    query = select(Campaign).join(Campaign.organisation)
    if not scope.everything:
        above = {int(part) for path in scope.root_paths for part in path.strip("/").split("/")}
        query = query.where(or_(scope.clause(Organisation.path), Organisation.id.in_(above)))
    return list(db.session.scalars(query.order_by(Campaign.start_day.desc(), Campaign.id.desc())))


def dashboard_campaign(scope: AdminScope, campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not _watched(scope, campaign.organisation):
        raise NotFound()
    return campaign


def dashboard_node(scope: AdminScope, campaign: Campaign, org_id: int | None) -> Organisation:
    """The node asked for (in scope, and inside the campaign's tree or above its union), or the admin's
    own starting node for this campaign."""
    home = campaign.organisation
    if org_id is not None:
        node = org_in_scope(scope, org_id)
        if not (home.contains(node) or node.contains(home)):
            raise NotFound()
        return node
    starts = starting_nodes(scope, campaign)
    if not starts:
        raise NotFound()
    return starts[0]


def starting_nodes(scope: AdminScope, campaign: Campaign) -> list[Organisation]:
    """Where an admin of several unions may start: each top node of their scope with part of the
    campaign's tree below it (the campaign's union itself when it is in their scope)."""
    home = campaign.organisation
    if scope.contains(home):
        return [home]
    return [root for root in list_scope_roots(scope) if home.contains(root)]


def breadcrumb(scope: AdminScope, node: Organisation) -> list[Organisation]:
    """The node's ancestors the admin may open, from the top down."""
    return [org for org in list_ancestors(node) if scope.contains(org)]


def read_dashboard(
    campaign: Campaign,
    node: Organisation,
    *,
    now: datetime,
    page: int | None = 1,
    order: ChildOrder = ChildOrder.TREE,
) -> Dashboard:
    """The dashboard of ``node``: its totals, one page of its children (every child when ``page`` is
    None, for the export), and the daily series of the node and its largest children."""
    today = local_today(now, campaign.timezone)
    day = min(today, campaign.end_day) if today >= campaign.start_day else None
    closed_through = min(today - timedelta(days=1), campaign.end_day)
    if closed_through < campaign.start_day:
        closed_through = None

    child_count = db.session.scalar(select(func.count()).where(Organisation.parent_id == node.id)) or 0
    query = _children_query(campaign, node, order)
    pages = max(1, -(-child_count // PAGE_SIZE))
    if page is not None:
        page = min(max(page, 1), pages)
        query = query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    rows = db.session.execute(query).all()
    node_row = db.session.execute(
        _standing_query(campaign, select(Organisation).where(Organisation.id == node.id).subquery())
    ).one()
    daily = _daily_sums(campaign, [node.id, *(row.id for row in rows)], day, closed_through)
    total = _standing(node_row, daily)
    children = [_standing(row, daily) for row in rows]
    computed_at = db.session.scalar(
        select(FiguresRefresh.computed_at).where(FiguresRefresh.campaign_id == campaign.id)
    )
    days, series = _series(campaign, node, day)
    return Dashboard(
        campaign=campaign,
        node=node,
        day=day,
        closed_through=closed_through,
        computed_at=computed_at,
        total=total,
        children=children,
        child_count=child_count,
        page=page or 1,
        pages=pages if page is not None else 1,
        order=order,
        days=days,
        series=series,
    )


def _standing_query(campaign: Campaign, orgs) -> Select:
    """Each node of ``orgs`` with its figures row (zeros without one)."""
    return select(
        orgs.c.id,
        orgs.c.name,
        orgs.c.quota,
        orgs.c.member_total,
        func.coalesce(NodeFigures.participants, 0).label("participants"),
        func.coalesce(NodeFigures.members, 0).label("members"),
    ).outerjoin(NodeFigures, and_(NodeFigures.campaign_id == campaign.id, NodeFigures.org_id == orgs.c.id))


def _children_query(campaign: Campaign, node: Organisation, order: ChildOrder) -> Select:
    children = select(Organisation).where(Organisation.parent_id == node.id).subquery()
    query = _standing_query(campaign, children)
    if order is ChildOrder.BEHIND:
        no_quota = case((func.coalesce(children.c.quota, 0) == 0, 1), else_=0)
        share = func.coalesce(NodeFigures.participants, 0) * 1.0 / func.nullif(children.c.quota, 0)
        return query.order_by(no_quota, share, children.c.id)
    return query.order_by(children.c.id)


def _daily_sums(
    campaign: Campaign, org_ids: list[int], day: date | None, closed_through: date | None
) -> dict[int, tuple[int, int, int]]:
    """For each node: (active on ``day``, qualified days and enrolled days up to ``closed_through``)."""
    if day is None:
        return {}
    closed = NodeDayFigures.day <= closed_through if closed_through else literal(False)
    rows = db.session.execute(
        select(
            NodeDayFigures.org_id,
            func.sum(case((NodeDayFigures.day == day, NodeDayFigures.active), else_=0)),
            func.sum(case((closed, NodeDayFigures.qualified), else_=0)),
            func.sum(case((closed, NodeDayFigures.enrolled), else_=0)),
        )
        .where(NodeDayFigures.campaign_id == campaign.id, NodeDayFigures.org_id.in_(org_ids))
        .group_by(NodeDayFigures.org_id)
    )
    return {
        org_id: (int(active or 0), int(qualified or 0), int(enrolled or 0))
        for org_id, active, qualified, enrolled in rows
    }


def _standing(row, daily: dict[int, tuple[int, int, int]]) -> NodeStanding:
    active, qualified, enrolled = daily.get(row.id, (0, 0, 0))
    from_books = row.member_total is not None
    return NodeStanding(
        org_id=row.id,
        name=row.name,
        members=row.member_total if from_books else int(row.members),
        members_from_books=from_books,
        participants=int(row.participants),
        quota=row.quota,
        active=active,
        qualified_days=qualified,
        enrolled_days=enrolled,
    )


def _series(campaign: Campaign, node: Organisation, day: date | None) -> tuple[list[date], list[Series]]:
    """Day by day up to ``day``: the node's and its largest children's enrolled, active and steps."""
    if day is None:
        return [], []
    days = [campaign.start_day + timedelta(days=n) for n in range((day - campaign.start_day).days + 1)]
    largest = db.session.execute(
        select(Organisation.id, Organisation.name)
        .join(
            NodeFigures, and_(NodeFigures.org_id == Organisation.id, NodeFigures.campaign_id == campaign.id)
        )
        .where(Organisation.parent_id == node.id, NodeFigures.participants > 0)
        .order_by(NodeFigures.participants.desc(), Organisation.id)
        .limit(CHARTED_CHILDREN)
    ).all()
    names = {node.id: node.name, **{org_id: name for org_id, name in largest}}
    values: dict[int, dict[date, tuple[int, int, int]]] = {org_id: {} for org_id in names}
    for org_id, on, enrolled, active, steps in db.session.execute(
        select(
            NodeDayFigures.org_id,
            NodeDayFigures.day,
            NodeDayFigures.enrolled,
            NodeDayFigures.active,
            NodeDayFigures.steps,
        ).where(
            NodeDayFigures.campaign_id == campaign.id,
            NodeDayFigures.org_id.in_(list(names)),
            NodeDayFigures.day <= day,
        )
    ):
        values[org_id][on] = (int(enrolled), int(active), int(steps))
    series = []
    for org_id, name in names.items():
        figures = [values[org_id].get(on, (0, 0, 0)) for on in days]
        series.append(
            Series(
                name=name,
                enrolled=[f[0] for f in figures],
                active=[f[1] for f in figures],
                steps=[f[2] for f in figures],
            )
        )
    return days, series
