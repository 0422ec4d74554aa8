"""Builders for membership tests: applications and memberships made through the services."""

from __future__ import annotations

from portal.extensions import db
from portal.identity.sms_codes import issue_code
from portal.membership.applications import submit_application
from portal.models import Application, ApplicationKind, MemberCategory, Organisation, SmsPurpose, User


def apply(user: User, target: Organisation, kind: ApplicationKind = ApplicationKind.JOIN) -> Application:
    code = issue_code(user.phone, SmsPurpose.VERIFY).code
    application = submit_application(user, kind, target, MemberCategory.PUBLIC_INSTITUTION, code)
    db.session.commit()
    return application
