"""Appointing and revoking union admins (rules §11)."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, UnionAdminRole
from portal.orgs.errors import CannotGrantHere, LastAdminOfUnion
from portal.orgs.roles import grant_union_admin, list_org_admins, revoke_union_admin
from portal.orgs.scope import admin_scope


def test_an_admin_revokes_an_admin_below_their_node_and_it_is_audited(tree, make_user):
    edu_admin, appointed = make_user(admin_of=tree["edu"]), make_user()
    grant_union_admin(appointed, tree["njmu"], actor=edu_admin)
    assert list_org_admins(tree["njmu"]) == [appointed]
    revoke_union_admin(appointed, tree["njmu"], actor=edu_admin)
    db.session.commit()
    assert list_org_admins(tree["njmu"]) == []
    assert admin_scope(appointed).is_empty
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "admin.revoke")).one()
    assert entry.actor_id == edu_admin.id and entry.subject_id == appointed.id


def test_nobody_revokes_on_their_own_node_or_outside_their_scope(tree, make_user):
    edu_admin, colleague = make_user(admin_of=tree["edu"]), make_user(admin_of=tree["edu"])
    with pytest.raises(CannotGrantHere):  # appointed there: only those above may change it
        revoke_union_admin(colleague, tree["edu"], actor=edu_admin)
    nj_admin = make_user(admin_of=tree["nj"])
    with pytest.raises(CannotGrantHere):
        revoke_union_admin(colleague, tree["edu"], actor=nj_admin)
    assert db.session.scalar(select(UnionAdminRole).where(UnionAdminRole.user_id == colleague.id))


def test_the_last_admin_of_a_union_does_not_step_down(tree, make_user):
    platform = make_user(platform_admin=True)
    grant_union_admin(platform, tree["njmu"], actor=platform)
    with pytest.raises(LastAdminOfUnion):
        revoke_union_admin(platform, tree["njmu"], actor=platform)
    other = make_user()
    grant_union_admin(other, tree["njmu"], actor=platform)
    revoke_union_admin(platform, tree["njmu"], actor=platform)  # another admin is there now
    assert list_org_admins(tree["njmu"]) == [other]
