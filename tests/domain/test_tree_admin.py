"""Changing the union tree within scope."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Organisation
from portal.orgs.errors import InvalidMove, OutsideScope
from portal.orgs.tree import list_subtree
from portal.orgs.tree_admin import move_org, update_org


def test_move_rewrites_the_whole_subtree(tree, make_user):
    platform = make_user(platform_admin=True)
    move_org(platform, tree["njmu"], tree["nj"])
    db.session.commit()
    njmu, unit = (
        db.session.get(Organisation, tree["njmu"].id),
        db.session.get(Organisation, tree["njmu_unit"].id),
    )
    assert njmu.parent_id == tree["nj"].id and njmu.path == f"{tree['nj'].path}{njmu.id}/" and njmu.depth == 2
    assert unit.path == f"{njmu.path}{unit.id}/" and unit.depth == 3
    assert [o.code for o in list_subtree(tree["edu"])] == ["JS-EDU"]
    assert "JS-EDU-NJMU-1" in [o.code for o in list_subtree(tree["nj"])]
    assert db.session.scalar(select(AuditEntry.action)) == "org.move"


def test_moves_that_break_the_tree_or_the_scope_are_refused(tree, make_user):
    platform = make_user(platform_admin=True)
    with pytest.raises(InvalidMove):
        move_org(platform, tree["edu"], tree["njmu_unit"])
    edu_admin = make_user(admin_of=tree["edu"])
    with pytest.raises(OutsideScope):
        move_org(edu_admin, tree["njmu"], tree["nj"])  # new parent outside
    with pytest.raises(OutsideScope):
        move_org(edu_admin, tree["edu"], tree["edu"])  # their own node


def test_update_records_before_and_after(tree, make_user):
    admin = make_user(admin_of=tree["edu"])
    update_org(admin, tree["njmu"], name="南京医科大学教职工工会", quota=3000, member_total=None)
    db.session.commit()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "org.update"))
    assert entry.before["name"] == "南京医科大学工会" and entry.after == {
        "name": "南京医科大学教职工工会",
        "quota": 3000,
        "member_total": None,
        "parent_id": tree["edu"].id,
    }
