"""A union's roster (rules §3.4): search, filters, ending a membership, moving a member, a name mended."""

import pytest
from sqlalchemy import select

from portal.common.errors import NotFound
from portal.extensions import db
from portal.identity.errors import InvalidRealName
from portal.membership.errors import EndReasonRequired, NotAUnitOfTheUnion
from portal.membership.roster import (
    RosterFilters,
    RosterStatus,
    correct_name,
    end_membership,
    list_roster,
    membership_under,
    move_member,
)
from portal.models import AuditEntry, Membership
from tests.campaign_helpers import member_of


def _membership(user) -> Membership:
    return db.session.scalars(select(Membership).where(Membership.user_id == user.id)).one()


def test_the_roster_holds_the_subtree_and_finds_by_name_or_phone(tree, make_user):
    wang = member_of(make_user(real_name="王小明", phone="13912345678"), tree["njmu"])
    li = member_of(make_user(real_name="李秀兰"), tree["njmu_unit"])
    member_of(make_user(real_name="张三丰"), tree["nj_company"])  # another union
    rows, total = list_roster(tree["njmu"], RosterFilters())
    assert total == 2 and {row.membership.user_id for row in rows} == {wang.id, li.id}
    assert [row.membership.user_id for row in list_roster(tree["njmu"], RosterFilters(query="秀兰"))[0]] == [
        li.id
    ]
    for query in ("5678", "139****5678"):
        assert list_roster(tree["njmu"], RosterFilters(query=query))[1] == 1
    unit_only = RosterFilters(unit_id=tree["njmu_unit"].id)
    assert [row.membership.user_id for row in list_roster(tree["njmu"], unit_only)[0]] == [li.id]
    assert list_roster(tree["edu"], RosterFilters())[1] == 2  # a union above sees them too
    below = RosterFilters(unit_id=tree["njmu"].id)  # a child of the industry union, with its unit
    assert list_roster(tree["edu"], below)[1] == 2


def test_ending_a_membership_needs_a_reason_and_is_audited(tree, make_user):
    admin = make_user(admin_of=tree["edu"])
    membership = _membership(member_of(make_user(), tree["njmu"]))
    with pytest.raises(EndReasonRequired):
        end_membership(admin, membership, "  ")
    end_membership(admin, membership, "调离本单位")
    db.session.commit()
    assert membership.ended_at is not None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "membership.end")).one()
    assert entry.after == {"reason": "调离本单位"} and entry.actor_id == admin.id
    assert list_roster(tree["njmu"], RosterFilters())[1] == 0
    assert list_roster(tree["njmu"], RosterFilters(status=RosterStatus.ENDED))[1] == 1


def test_a_member_moves_only_within_their_grassroots_union(tree, make_user):
    admin = make_user(admin_of=tree["edu"])
    membership = _membership(member_of(make_user(), tree["njmu"]))
    move_member(admin, membership, tree["njmu_unit"])
    assert membership.organisation_id == tree["njmu_unit"].id
    with pytest.raises(NotAUnitOfTheUnion):
        move_member(admin, membership, tree["nj_company"])


def test_a_name_is_mended_and_only_by_an_admin_in_scope(tree, make_user):
    membership = _membership(member_of(make_user(real_name="王小名"), tree["njmu"]))
    with pytest.raises(InvalidRealName):
        correct_name(make_user(admin_of=tree["edu"]), membership, "1234")
    with pytest.raises(NotFound):  # outside their scope, the member does not exist for them
        correct_name(make_user(admin_of=tree["nj"]), membership, "王小明")
    correct_name(make_user(admin_of=tree["edu"]), membership, "王小明")
    assert membership.user.real_name == "王小明"
    with pytest.raises(NotFound):
        membership_under(tree["nj"], membership.id)
