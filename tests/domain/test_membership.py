"""Joining, transferring and deciding (rules §3), and the rules the database keeps."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.identity.errors import ProfileRequired, SmsCodeWrong
from portal.identity.sms_codes import issue_code
from portal.membership.applications import (
    active_membership,
    approve_application,
    membership_history,
    reject_application,
    submit_application,
    withdraw_application,
)
from portal.membership.errors import (
    AlreadyAMember,
    ApplicationAlreadyPending,
    ApplicationNotPending,
    NotAGrassrootsUnion,
    NotAMember,
    RejectReasonRequired,
    SameUnion,
)
from portal.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    AuditEntry,
    MemberCategory,
    Membership,
    Notification,
    SmsPurpose,
)
from portal.models.base import utcnow
from tests.membership_helpers import apply


def test_join_is_pending_until_approved_then_a_membership_begins(tree, make_user):
    member, admin = make_user(), make_user(admin_of=tree["edu"])
    application = apply(member, tree["njmu"])
    assert application.status is ApplicationStatus.PENDING
    assert "本人自愿加入工会" in application.letter and "南京医科大学工会" in application.letter
    assert active_membership(member) is None

    membership = approve_application(admin, application)
    db.session.commit()
    assert application.status is ApplicationStatus.APPROVED and application.decided_by_id == admin.id
    assert active_membership(member) == membership and membership.organisation_id == tree["njmu"].id
    assert db.session.scalar(select(Notification.kind)) == "application.approved"
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"application.join", "application.approve"} <= actions


def test_submitting_needs_profile_grassroots_target_and_a_right_code(tree, make_user):
    with pytest.raises(ProfileRequired):
        apply(make_user(profile=False), tree["njmu"])
    member = make_user()
    with pytest.raises(NotAGrassrootsUnion):
        apply(member, tree["edu"])
    code = issue_code(member.phone, SmsPurpose.VERIFY).code
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(SmsCodeWrong):
        submit_application(member, ApplicationKind.JOIN, tree["njmu"], MemberCategory.ENTERPRISE, wrong)


def test_one_pending_application_and_no_join_for_members(tree, make_user):
    member, admin = make_user(), make_user(platform_admin=True)
    application = apply(member, tree["njmu"])
    with pytest.raises(ApplicationAlreadyPending):
        apply(member, tree["nj_company"])
    approve_application(admin, application)
    db.session.commit()
    with pytest.raises(AlreadyAMember):
        apply(member, tree["nj_company"])
    with pytest.raises(NotAMember):
        apply(make_user(), tree["njmu"], ApplicationKind.TRANSFER)
    with pytest.raises(SameUnion):
        apply(member, tree["njmu"], ApplicationKind.TRANSFER)


def test_transfer_ends_the_old_membership_at_the_instant_the_new_begins(tree, make_user):
    member, admin = make_user(), make_user(platform_admin=True)
    first = approve_application(admin, apply(member, tree["nj_company"]))
    db.session.commit()
    transfer = apply(member, tree["njmu"], ApplicationKind.TRANSFER)
    assert transfer.from_membership_id == first.id
    assert "转入南京医科大学工会" in transfer.letter
    now = utcnow()
    second = approve_application(admin, transfer, now=now)
    db.session.commit()
    db.session.refresh(first)
    assert first.ended_at == second.started_at == now
    assert [m.organisation_id for m in membership_history(member)] == [tree["njmu"].id, tree["nj_company"].id]


def test_rejection_needs_a_reason_and_tells_the_member(tree, make_user):
    member, admin = make_user(), make_user(admin_of=tree["njmu"])
    application = apply(member, tree["njmu"])
    with pytest.raises(RejectReasonRequired):
        reject_application(admin, application, "   ")
    reject_application(admin, application, "  请先在单位工会  登记 ")
    db.session.commit()
    assert application.status is ApplicationStatus.REJECTED
    assert application.reject_reason == "请先在单位工会 登记"
    assert db.session.scalar(select(Notification.kind)) == "application.rejected"
    with pytest.raises(ApplicationNotPending):
        approve_application(admin, application)


def test_withdraw_then_apply_again(tree, make_user):
    member = make_user()
    application = apply(member, tree["njmu"])
    withdraw_application(member, application)
    db.session.commit()
    assert application.status is ApplicationStatus.WITHDRAWN
    with pytest.raises(ApplicationNotPending):
        withdraw_application(member, application)
    assert apply(member, tree["nj_company"]).status is ApplicationStatus.PENDING


def test_approving_a_join_for_someone_who_became_a_member_meanwhile(tree, make_user):
    member, admin = make_user(), make_user(platform_admin=True)
    application = apply(member, tree["njmu"])
    db.session.add(
        Membership(user_id=member.id, organisation_id=tree["nj_company"].id, category=MemberCategory.OTHER)
    )
    db.session.commit()
    with pytest.raises(AlreadyAMember):
        approve_application(admin, application)
    db.session.rollback()
    assert db.session.get(Application, application.id).status is ApplicationStatus.PENDING


@pytest.mark.parametrize(
    "bad_row",
    [
        {"status": "maybe"},
        {"status": "rejected", "decided_at": utcnow().replace(tzinfo=None), "reject_reason": None},
        {"status": "approved", "decided_at": None},
        {"kind": "transfer", "from_membership_id": None},
    ],
)
def test_the_database_refuses_impossible_applications(tree, make_user, bad_row):
    member = make_user()
    values = {
        "user_id": member.id,
        "kind": "join",
        "status": "pending",
        "category": "enterprise",
        "target_org_id": tree["njmu"].id,
        "letter": "…",
        "submitted_at": utcnow().replace(tzinfo=None),
    }
    values.update(bad_row)
    # Plain SQL, past the model's own checks: this is about what the database itself refuses.
    columns = ", ".join(values)
    placeholders = ", ".join(f":{name}" for name in values)
    with pytest.raises(IntegrityError):
        db.session.execute(text(f"INSERT INTO applications ({columns}) VALUES ({placeholders})"), values)
    db.session.rollback()


def test_the_database_keeps_one_pending_application_and_one_active_membership(tree, make_user):
    member = make_user()
    row = {
        "user_id": member.id,
        "kind": "join",
        "category": "enterprise",
        "letter": "…",
        "submitted_at": utcnow(),
    }
    db.session.execute(
        Application.__table__.insert().values(status="pending", target_org_id=tree["njmu"].id, **row)
    )
    with pytest.raises(IntegrityError):
        db.session.execute(
            Application.__table__.insert().values(
                status="pending", target_org_id=tree["nj_company"].id, **row
            )
        )
    db.session.rollback()
    start = utcnow()
    membership = {"user_id": member.id, "category": "enterprise", "started_at": start}
    db.session.execute(Membership.__table__.insert().values(organisation_id=tree["njmu"].id, **membership))
    with pytest.raises(IntegrityError):
        db.session.execute(
            Membership.__table__.insert().values(organisation_id=tree["nj_company"].id, **membership)
        )
    db.session.rollback()
    # Ended memberships are history and may be many.
    ended = {**membership, "ended_at": start + timedelta(days=1)}
    db.session.execute(Membership.__table__.insert().values(organisation_id=tree["njmu"].id, **ended))
    db.session.execute(Membership.__table__.insert().values(organisation_id=tree["nj_company"].id, **ended))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 2


def test_the_letter_is_dated_with_the_local_calendar_day(app, tree, make_user):
    from datetime import UTC, datetime

    from portal.membership.applications import application_letter
    from portal.models import ApplicationKind, MemberCategory

    member = make_user()
    late_evening_utc = datetime(2026, 3, 1, 20, 30, tzinfo=UTC)  # already 2 March in Shanghai
    with app.test_request_context():
        letter = application_letter(
            ApplicationKind.JOIN, member, tree["njmu"], MemberCategory.OTHER, None, today=late_evening_utc
        )
    assert "2026年3月2日" in letter
