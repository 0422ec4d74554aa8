import pytest

from portal.campaigns.campaign import publish_campaign
from portal.common.errors import NotFound
from portal.membership.applications import approve_application, reject_application
from portal.membership.permissions import can_decide
from portal.models.membership import ApplicationKind, ApplicationStatus
from portal.orgs.permissions import can_administer
from portal.orgs.scope import admin_scope, is_admin, org_in_scope
from portal.workflows.campaign_setup import create_campaign
from tests.campaign_helpers import member_of, today_local
from tests.membership_helpers import apply


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


def test_who_may_decide_a_transfer_is_enforced_by_the_service_whoever_calls(app, tree, make_user):
    """rules §3.2: the service itself refuses an admin outside the target union's subtree, so the CLI,
    the API and a page that forgot to look all meet the same rule."""
    member = member_of(make_user(), tree["nj_company"])
    application = apply(member, tree["njmu"], ApplicationKind.TRANSFER)
    outsider, insider = make_user(admin_of=tree["nj"]), make_user(admin_of=tree["edu"])
    assert not can_decide(outsider, application)
    assert can_decide(insider, application)
    assert can_decide(None, application)  # the operator at the command line
    with pytest.raises(NotFound):
        approve_application(outsider, application)
    with pytest.raises(NotFound):
        reject_application(outsider, application, "不符合条件")
    assert application.status is ApplicationStatus.PENDING
    approve_application(insider, application)
    assert application.status is ApplicationStatus.APPROVED


def test_running_a_campaign_is_enforced_by_the_service(app, tree, make_user):
    campaign = create_campaign(None, tree["edu"], preset="teachers-7day", start_day=today_local())
    with pytest.raises(NotFound):
        publish_campaign(make_user(admin_of=tree["nj"]), campaign)
    assert campaign.published_at is None
    publish_campaign(make_user(admin_of=tree["edu"]), campaign)
    assert campaign.published_at is not None
