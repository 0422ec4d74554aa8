"""The dashboard's figures against a reference counted row by row on a generated tree; the refresh's
idempotence; ordering, paging and which campaigns and nodes an admin may open."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.common.errors import NotFound
from portal.dashboard import reading as dashboard_module
from portal.dashboard.node_figures import days_to_date, refresh_figures
from portal.dashboard.reading import ChildOrder, dashboard_campaigns, dashboard_node, read_dashboard
from portal.extensions import db
from portal.models import NodeDayFigures, NodeFigures
from portal.models.base import utcnow
from portal.orgs.scope import admin_scope
from tests.campaign_helpers import running_campaign, today_local
from tests.dashboard_helpers import generate_campaign_tree, reference_figures


@pytest.fixture
def generated(make_org, make_user):
    made = generate_campaign_tree(make_org, make_user)
    refresh_figures(made.campaign, days=days_to_date(made.campaign, utcnow()))
    db.session.commit()
    return made


def _check(standing, reference) -> None:
    assert standing.members == reference.members
    assert standing.participants == reference.participants
    assert standing.active == reference.active
    assert standing.qualified_days == reference.qualified_days
    assert standing.enrolled_days == reference.enrolled_days
    assert standing.qualification_rate == reference.qualification_rate


def test_every_node_and_child_matches_the_reference(generated):
    today = today_local()
    checked = 0
    for node in generated.nodes:
        dashboard = read_dashboard(generated.campaign, node, now=utcnow())
        _check(dashboard.total, reference_figures(generated.campaign, node, today=today))
        for standing in dashboard.children:
            child = next(n for n in generated.nodes if n.id == standing.org_id)
            _check(standing, reference_figures(generated.campaign, child, today=today))
            assert standing.quota == child.quota
            assert standing.behind == (child.quota is not None and standing.participants < child.quota)
            checked += 1
    assert checked == len(generated.nodes) - 1
    root = read_dashboard(generated.campaign, generated.root, now=utcnow())
    assert root.total.participants > 0 and root.total.qualified_days > 0


def test_series_end_today_and_add_up(generated):
    dashboard = read_dashboard(generated.campaign, generated.root, now=utcnow())
    assert dashboard.days[0] == generated.campaign.start_day and dashboard.days[-1] == today_local()
    own = dashboard.series[0]
    assert own.name == generated.root.name
    assert own.enrolled[-1] == dashboard.total.participants  # everyone enrolled by today
    assert own.enrolled == sorted(own.enrolled)  # cumulative
    assert own.active[-1] == dashboard.total.active
    assert 1 < len(dashboard.series) <= 1 + dashboard_module.CHARTED_CHILDREN
    children = {child.org_id: child for child in dashboard.children}
    assert sum(s.enrolled[-1] for s in dashboard.series[1:]) == sum(c.participants for c in children.values())


def test_refreshing_again_changes_nothing(generated):
    def rows():
        return (
            sorted(tuple(r) for r in db.session.execute(select(NodeFigures.__table__))),
            sorted(tuple(r) for r in db.session.execute(select(NodeDayFigures.__table__))),
        )

    before = rows()
    refresh_figures(generated.campaign, days=days_to_date(generated.campaign, utcnow()))
    db.session.commit()
    assert rows() == before
    refresh_figures(generated.campaign)  # the open days only
    db.session.commit()
    assert rows() == before


def test_behind_first_and_pages(generated, monkeypatch):
    monkeypatch.setattr(dashboard_module, "PAGE_SIZE", 2)
    city = generated.nodes[1]
    every = read_dashboard(
        generated.campaign, city, now=utcnow(), page=None, order=ChildOrder.BEHIND
    ).children
    shares = [c.quota_share for c in every if c.quota]
    assert shares == sorted(shares)
    assert all(c.quota for c in every[: len(shares)])  # those without a quota come last
    pages = []
    first = read_dashboard(generated.campaign, city, now=utcnow(), page=1, order=ChildOrder.BEHIND)
    for page in range(1, first.pages + 1):
        pages += read_dashboard(
            generated.campaign, city, now=utcnow(), page=page, order=ChildOrder.BEHIND
        ).children
    assert [c.org_id for c in pages] == [c.org_id for c in every]
    assert first.child_count == len(every)


def test_a_node_without_anyone_reads_as_zeros(make_org, make_user):
    root = make_org("空省总工会")
    campaign = running_campaign(root)
    dashboard = read_dashboard(campaign, root, now=utcnow())
    assert dashboard.total.participants == 0 and dashboard.total.participation_rate is None
    assert dashboard.computed_at is None and dashboard.children == []


def test_admins_watch_campaigns_of_their_unions_and_above(tree, make_user, app):
    campaign = running_campaign(tree["edu"])
    other = running_campaign(tree["xa"])
    below = admin_scope(make_user(admin_of=tree["njmu"]))
    assert dashboard_campaigns(below) == [campaign]
    assert dashboard_node(below, campaign, None) == tree["njmu"]
    with pytest.raises(NotFound):
        dashboard_node(below, campaign, tree["edu"].id)  # above their own union
    sibling = admin_scope(make_user(admin_of=tree["nj"]))
    assert dashboard_campaigns(sibling) == []
    parent = admin_scope(make_user(admin_of=tree["js"]))
    assert dashboard_campaigns(parent) == [campaign]
    assert dashboard_node(parent, campaign, None) == tree["edu"]
    assert dashboard_node(parent, campaign, tree["js"].id) == tree["js"]  # above the campaign's union
    with pytest.raises(NotFound):
        dashboard_node(parent, campaign, tree["nj"].id)  # beside it: nothing of this campaign
    assert other not in dashboard_campaigns(parent)
