import pytest

from portal.common.errors import NotFound
from portal.orgs.scope import admin_scope, can_administer, is_admin, org_in_scope


def test_union_admin_scope_is_the_subtree(tree, make_user):
    edu_admin = make_user(admin_of=tree["edu"])
    assert can_administer(edu_admin, tree["edu"])
    assert can_administer(edu_admin, tree["njmu_unit"])
    assert not can_administer(edu_admin, tree["js"])  # parent
    assert not can_administer(edu_admin, tree["nj"])  # sibling
    assert not can_administer(edu_admin, tree["xa"])  # another province
    assert is_admin(edu_admin)


def test_platform_admin_sees_everything_and_members_nothing(tree, make_user):
    platform = make_user(platform_admin=True)
    member = make_user()
    assert all(can_administer(platform, org) for org in tree.values())
    assert not any(can_administer(member, org) for org in tree.values())
    assert not is_admin(member)


def test_out_of_scope_answers_404(app, tree, make_user):
    scope = admin_scope(make_user(admin_of=tree["nj"]))
    assert org_in_scope(scope, tree["nj_company"].id) == tree["nj_company"]
    with pytest.raises(NotFound):
        org_in_scope(scope, tree["njmu"].id)
    with pytest.raises(NotFound):
        org_in_scope(scope, 999_999)
