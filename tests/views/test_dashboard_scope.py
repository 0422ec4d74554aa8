"""Scope matrix of the admin console: for admins at every level of the tree, every figure, table row and
export line they get of a campaign lies in their own subtree; campaigns of other trees do not exist."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.extensions import db
from portal.models import Organisation
from portal.orgs.scope import admin_scope
from tests.campaign_helpers import enrolled, member_of, running_campaign
from tests.dashboard_helpers import campaign_with_walkers
from tests.membership_helpers import apply
from tests.support import text_of

# The admin's node, and how many of the province campaign's walkers lie below it.
ADMINS = {"js": 4, "edu": 3, "njmu": 3, "nj": 1, "xa": None, "platform": 4}


def _lines(data: bytes, skip: int) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)][skip:]


@pytest.fixture
def world(app, tree, make_user):
    province = campaign_with_walkers(
        tree, make_user, org="js", walkers=["njmu", "njmu", "njmu_unit", "nj_company"], quotas={"nj": 2}
    )
    other = running_campaign(tree["sx"])
    enrolled(member_of(make_user(), tree["xa"]), other, tree["xa"])
    apply(make_user(), tree["njmu"])
    apply(make_user(), tree["nj_company"])
    db.session.commit()
    return province, other


@pytest.mark.parametrize("role", sorted(ADMINS))
def test_an_admin_sees_nothing_outside_their_subtree(app, tree, make_user, world, role):
    province, other = world
    admin = make_user(platform_admin=True) if role == "platform" else make_user(admin_of=tree[role])
    scope = admin_scope(admin)
    names = {org.name: org for org in db.session.scalars(select(Organisation))}
    client = app.test_client()
    client.post("/auth/login", data={"phone": admin.phone, "password": "steady-walker-42"})

    def in_scope(name: str) -> bool:
        return scope.contains(names[name.removeprefix("合计：")])

    base = f"/admin/dashboard/{province.id}"
    page = client.get(base)
    if ADMINS[role] is None:
        assert page.status_code == 404
        assert client.get(f"{base}/participation.xlsx").status_code == 404
        assert client.get(f"{base}/boards/individual.xlsx").status_code == 404
    else:
        assert page.status_code == 200
        html = page.data.decode()
        rows = [
            text_of(part.split("</th>")[0].encode()) for part in html.split('data-testid="child-row">')[1:]
        ]
        assert all(in_scope(name.replace("未达指标", "").strip()) for name in rows)
        assert f'data-testid="total-participants">{ADMINS[role]}' in html
        participation = _lines(client.get(f"{base}/participation.xlsx").data, skip=2)
        assert participation and all(in_scope(line[0]) for line in participation)
        ranking = _lines(client.get(f"{base}/boards/individual.xlsx").data, skip=2)
        assert len(ranking) == ADMINS[role] and all(in_scope(line[3]) for line in ranking)
        for node in names.values():  # no node outside the scope opens
            if not scope.contains(node):
                assert client.get(f"{base}?org={node.id}").status_code == 404

    watched_other = role in ("xa", "platform")
    assert client.get(f"/admin/dashboard/{other.id}").status_code == (200 if watched_other else 404)
    applications = _lines(client.get("/admin/applications/export.xlsx?status=all").data, skip=1)
    assert all(in_scope(line[6]) for line in applications)
    assert len(applications) == {"js": 2, "edu": 1, "njmu": 1, "nj": 1, "xa": 0, "platform": 2}[role]
