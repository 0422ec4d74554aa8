"""Who may see and act on what. Objects outside a caller's scope answer 404, never 403.

A union admin's scope is the subtree of each node they administer; a platform admin's is everything.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, select, true

from portal.extensions import db
from portal.models.identity import UnionAdminRole, User
from portal.models.org import Organisation
from portal.services.orgs import scope_clause


def admin_root_paths(user: User) -> list[str]:
    """Paths of the nodes ``user`` administers directly (each stands for its whole subtree)."""
    return list(
        db.session.scalars(
            select(Organisation.path)
            .join(UnionAdminRole, UnionAdminRole.organisation_id == Organisation.id)
            .where(UnionAdminRole.user_id == user.id)
            .order_by(Organisation.path)
        )
    )


def admin_scope_clause(user: User, column=Organisation.path) -> ColumnElement[bool]:
    """SQL restricting ``column`` (an organisation path) to ``user``'s admin scope."""
    if user.is_platform_admin:
        return true()
    return scope_clause(admin_root_paths(user), column)


def can_administer(user: User, org: Organisation) -> bool:
    """True when ``org`` lies in ``user``'s admin scope."""
    if not user.is_authenticated:
        return False
    if user.is_platform_admin:
        return True
    return any(org.path.startswith(path) for path in admin_root_paths(user))


def is_admin(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_platform_admin or user.admin_roles))


def get_org_in_scope_or_404(user: User, org_id: int) -> Organisation:
    """The organisation ``org_id`` if ``user`` administers it; 404 otherwise, as if it did not exist."""
    org = db.session.get(Organisation, org_id)
    if org is None or not can_administer(user, org):
        abort(404)
    return org
