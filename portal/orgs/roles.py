"""Granting admin roles: union admins on a node, platform admins for everything."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.common.audit import record_audit
from portal.common.errors import NotFound
from portal.extensions import db
from portal.models.identity import UnionAdminRole, User
from portal.models.org import Organisation
from portal.orgs.errors import CannotGrantHere, LastAdminOfUnion
from portal.orgs.permissions import can_appoint_admin, can_revoke_admin


def grant_union_admin(user: User, org: Organisation, *, actor: User | None) -> UnionAdminRole:
    """Make ``user`` an admin of ``org``'s subtree. Granting a role twice returns the existing one."""
    if not can_appoint_admin(actor, org):
        raise CannotGrantHere()
    role = db.session.scalar(
        select(UnionAdminRole).where(
            UnionAdminRole.user_id == user.id, UnionAdminRole.organisation_id == org.id
        )
    )
    if role is not None:
        return role
    role = UnionAdminRole(user=user, organisation=org, granted_by_id=actor.id if actor else None)
    db.session.add(role)
    db.session.flush()
    record_audit(
        actor,
        "admin.grant",
        subject_type="user",
        subject_id=user.id,
        organisation_id=org.id,
        after={"role": "union_admin", "organisation": org.code},
    )
    return role


def revoke_union_admin(user: User, org: Organisation, *, actor: User | None) -> None:
    """End ``user``'s role on ``org`` (audited). Whoever may appoint there may revoke; nobody steps down
    as the last admin of a union, which would leave it without anyone to decide its applications."""
    if not can_revoke_admin(actor, org):
        raise CannotGrantHere()
    role = db.session.scalar(
        select(UnionAdminRole).where(
            UnionAdminRole.user_id == user.id, UnionAdminRole.organisation_id == org.id
        )
    )
    if role is None:
        raise NotFound()
    others = db.session.scalar(
        select(func.count())
        .select_from(UnionAdminRole)
        .where(UnionAdminRole.organisation_id == org.id, UnionAdminRole.user_id != user.id)
    )
    if actor is not None and actor.id == user.id and not others:
        raise LastAdminOfUnion()
    db.session.delete(role)
    db.session.flush()
    record_audit(
        actor,
        "admin.revoke",
        subject_type="user",
        subject_id=user.id,
        organisation_id=org.id,
        before={"role": "union_admin", "organisation": org.code},
    )


def make_platform_admin(user: User, *, actor: User | None) -> User:
    if not user.is_platform_admin:
        user.is_platform_admin = True
        record_audit(
            actor,
            "admin.grant",
            subject_type="user",
            subject_id=user.id,
            before={"platform_admin": False},
            after={"platform_admin": True},
        )
    return user


def list_org_admins(org: Organisation) -> list[User]:
    """The people appointed to ``org`` itself (admins of nodes above it are not listed)."""
    return list(
        db.session.scalars(
            select(User)
            .join(UnionAdminRole, UnionAdminRole.user_id == User.id)
            .where(UnionAdminRole.organisation_id == org.id)
            .order_by(UnionAdminRole.id)
        )
    )
