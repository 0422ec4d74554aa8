"""Joining (入会) and transferring (转会), and the admins' decisions (rules §3).

Every decision is a conditional UPDATE on a pending application, so two admins deciding at the same
moment produce one decision; the second is told it was already decided. The partial unique indexes of
``portal.models.membership`` stop a second pending application or a second active membership even if two
requests slip past the checks here together.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.common.audit import record_audit
from portal.extensions import db
from portal.identity.accounts import masked_id_number
from portal.identity.errors import ProfileRequired
from portal.identity.notifications import notify
from portal.identity.sms_codes import consume_code
from portal.labels import label
from portal.membership.errors import (
    AlreadyAMember,
    ApplicationAlreadyPending,
    ApplicationNotPending,
    NotAGrassrootsUnion,
    NotAMember,
    RejectReasonRequired,
    SameUnion,
)
from portal.membership.permissions import can_decide
from portal.models.base import utcnow
from portal.models.identity import SmsPurpose, User
from portal.models.membership import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    MemberCategory,
    Membership,
)
from portal.models.org import Organisation, OrgKind
from portal.orgs.permissions import require

JOINABLE_KINDS = frozenset({OrgKind.GRASSROOTS_UNION})


def active_membership(user: User) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.ended_at.is_(None))
    )


def pending_application(user: User) -> Application | None:
    return db.session.scalar(
        select(Application).where(
            Application.user_id == user.id, Application.status == ApplicationStatus.PENDING
        )
    )


def membership_history(user: User) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership).where(Membership.user_id == user.id).order_by(Membership.started_at.desc())
        )
    )


def latest_application(user: User) -> Application | None:
    return db.session.scalar(
        select(Application)
        .where(Application.user_id == user.id)
        .order_by(Application.submitted_at.desc(), Application.id.desc())
        .limit(1)
    )


def check_can_apply(user: User, kind: ApplicationKind) -> Membership | None:
    """Raise unless ``user`` may start an application of ``kind``; returns the current membership."""
    if not user.has_profile:
        raise ProfileRequired()
    current = active_membership(user)
    if kind is ApplicationKind.JOIN and current is not None:
        raise AlreadyAMember()
    if kind is ApplicationKind.TRANSFER and current is None:
        raise NotAMember()
    if pending_application(user) is not None:
        raise ApplicationAlreadyPending()
    return current


def application_letter(
    kind: ApplicationKind,
    user: User,
    target: Organisation,
    category: MemberCategory,
    current: Membership | None,
    *,
    today: datetime | None = None,
) -> str:
    """The application letter (入会申请书) in full, as the member reads it before agreeing."""
    # format_date converts an instant to the portal's time zone (Asia/Shanghai): the member's calendar day.
    day = format_date(today or utcnow(), "long")
    if kind is ApplicationKind.JOIN:
        body = _(
            "I join the trade union of my own will. I accept the Constitution of the Chinese Trade Unions, "
            "observe union discipline, fulfil the duties of a member, pay membership dues on time and take "
            "an active part in union activities. I hereby apply to join %(union)s.",
            union=target.name,
        )
        title = _("Application to join the union")
    else:
        body = _(
            "Because my place of work has changed, I apply to transfer my union membership from "
            "%(old)s to %(new)s. I will continue to accept the Constitution of the Chinese Trade Unions, "
            "fulfil the duties of a member and pay membership dues on time.",
            old=current.organisation.name if current else "",
            new=target.name,
        )
        title = _("Application to transfer union membership")
    facts = [
        _("Applicant: %(name)s", name=user.real_name),
        _("ID number: %(id)s", id=masked_id_number(user)),
        _("Member category: %(category)s", category=label(category)),
        _("Date: %(day)s", day=day),
    ]
    return "\n\n".join([title, body, "\n".join(facts)])


def submit_application(
    user: User,
    kind: ApplicationKind,
    target: Organisation,
    category: MemberCategory,
    code: str,
) -> Application:
    """File a pending application after the member's SMS confirmation (checked last, as always)."""
    current = check_can_apply(user, kind)
    if target.kind not in JOINABLE_KINDS:
        raise NotAGrassrootsUnion()
    if current is not None and current.organisation_id == target.id:
        raise SameUnion()
    consume_code(user.phone, SmsPurpose.VERIFY, code)
    application = Application(
        user_id=user.id,
        kind=kind,
        category=category,
        target_org_id=target.id,
        from_membership_id=current.id if current else None,
        letter=application_letter(kind, user, target, category, current),
    )
    try:
        with db.session.begin_nested():
            db.session.add(application)
    except IntegrityError:
        raise ApplicationAlreadyPending() from None
    _audit(
        user,
        f"application.{kind.value}",
        application,
        after={"status": "pending", "target": target.code, "category": category.value},
    )
    return application


def _audit(actor: User, action: str, application: Application, **states) -> None:
    """One line of the audit log about ``application``, readable by the admins of its target union."""
    record_audit(
        actor,
        action,
        subject_type="application",
        subject_id=application.id,
        organisation_id=application.target_org_id,
        **states,
    )


def _settle(application: Application, values: dict, *, expected=ApplicationStatus.PENDING) -> None:
    """Move a pending application to its outcome, or raise ``ApplicationNotPending`` if it moved first."""
    result = db.session.execute(
        update(Application)
        .where(Application.id == application.id, Application.status == expected)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(application)
        raise ApplicationNotPending()
    db.session.refresh(application)


def withdraw_application(user: User, application: Application) -> None:
    """The applicant takes back a pending application."""
    _settle(application, {"status": ApplicationStatus.WITHDRAWN, "withdrawn_at": utcnow()})
    _audit(
        user, "application.withdraw", application, before={"status": "pending"}, after={"status": "withdrawn"}
    )


def approve_application(actor: User, application: Application, *, now: datetime | None = None) -> Membership:
    """Approve: the membership begins now, and a transfer ends the old one at the same instant."""
    require(can_decide(actor, application))
    now = now or utcnow()
    _settle(application, {"status": ApplicationStatus.APPROVED, "decided_at": now, "decided_by_id": actor.id})
    ended = None
    if application.kind is ApplicationKind.TRANSFER:
        ended = db.session.execute(
            update(Membership)
            .where(Membership.user_id == application.user_id, Membership.ended_at.is_(None))
            .values(ended_at=now)
            .returning(Membership.id)
            .execution_options(synchronize_session=False)
        ).scalar()
    membership = Membership(
        user_id=application.user_id,
        organisation_id=application.target_org_id,
        category=application.category,
        started_at=now,
        application_id=application.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(membership)
    except IntegrityError:
        # The applicant became a member another way (an import) since applying to join.
        raise AlreadyAMember() from None
    notify(application.user_id, "application.approved", application)
    _audit(
        actor,
        "application.approve",
        application,
        before={"status": "pending"},
        after={"status": "approved", "membership_id": membership.id, "ended_membership_id": ended},
    )
    return membership


def reject_application(actor: User, application: Application, reason: str) -> None:
    """Reject with a reason the member will read."""
    require(can_decide(actor, application))
    reason = " ".join((reason or "").split())
    if not reason:
        raise RejectReasonRequired()
    _settle(
        application,
        {
            "status": ApplicationStatus.REJECTED,
            "decided_at": utcnow(),
            "decided_by_id": actor.id,
            "reject_reason": reason[:500],
        },
    )
    notify(application.user_id, "application.rejected", application)
    _audit(
        actor,
        "application.reject",
        application,
        before={"status": "pending"},
        after={"status": "rejected", "reason": reason[:500]},
    )
