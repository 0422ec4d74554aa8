"""Two admins deciding the same application at the same moment produce one decision (PostgreSQL)."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.identity.sms_codes import issue_code
from portal.membership.applications import approve_application, reject_application, submit_application
from portal.models import (
    Application,
    ApplicationKind,
    MemberCategory,
    Membership,
    Organisation,
    SmsPurpose,
    User,
)
from tests.concurrency.test_races import race
from tests.membership_helpers import apply

pytestmark = pytest.mark.postgres


def test_concurrent_approvals_make_one_decision_and_one_membership(app, tree, make_user):
    application_id = apply(make_user(), tree["njmu"]).id
    admins = [make_user(admin_of=tree["edu"]).id for _ in range(8)]

    def decide(index: int) -> None:
        application = db.session.get(Application, application_id)
        actor = db.session.get(User, admins[index])
        if index % 2:
            reject_application(actor, application, "重复提交")
        else:
            approve_application(actor, application)

    outcomes = race(app, decide, threads=8)
    assert outcomes == Counter({"ok": 1, "ApplicationNotPending": 7})
    assert db.session.scalar(select(func.count()).select_from(Membership)) <= 1


def test_a_double_submit_from_two_tabs_files_one_application(app, tree, make_user):
    """The same confirmation posted twice at once (two tabs, a double tap): one application is filed.
    The single-use code decides the race; the partial unique index would catch what slipped past it."""
    member_id = make_user().id
    code = issue_code(db.session.get(User, member_id).phone, SmsPurpose.VERIFY).code
    db.session.commit()
    targets = [tree["njmu"].id, tree["nj_company"].id]

    def submit(index: int) -> None:
        member = db.session.get(User, member_id)
        target = db.session.get(Organisation, targets[index])
        submit_application(member, ApplicationKind.JOIN, target, MemberCategory.OTHER, code)

    outcomes = race(app, submit, threads=2)
    assert outcomes["ok"] == 1
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1
