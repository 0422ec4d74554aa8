"""An admin's scope: the part of the tree they see. Objects outside a caller's scope answer 404, never
403. What they may *do* there is decided in each feature's ``permissions`` module.

A union admin's scope is the subtree of each node they administer; a platform admin's is everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select, true

from portal.common.errors import NotFound
from portal.extensions import db
from portal.models.identity import UnionAdminRole, User
from portal.models.org import Organisation
from portal.orgs.errors import OrgNotFound, OutsideScope
from portal.orgs.tree import get_org_by_code, list_roots, scope_clause


@dataclass(frozen=True)
class AdminScope:
    """The part of the union tree one person administers, read once per request."""

    everything: bool
    root_paths: tuple[str, ...]

    def contains(self, org: Organisation) -> bool:
        return self.everything or any(org.path.startswith(path) for path in self.root_paths)

    def clause(self, column=Organisation.path) -> ColumnElement[bool]:
        """SQL restricting ``column`` (an organisation path) to this scope."""
        return true() if self.everything else scope_clause(self.root_paths, column)

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.root_paths


def admin_scope(user: User) -> AdminScope:
    if not user.is_authenticated:
        return AdminScope(everything=False, root_paths=())
    if user.is_platform_admin:
        return AdminScope(everything=True, root_paths=())
    paths = db.session.scalars(
        select(Organisation.path)
        .join(UnionAdminRole, UnionAdminRole.organisation_id == Organisation.id)
        .where(UnionAdminRole.user_id == user.id)
        .order_by(Organisation.path)
    )
    return AdminScope(everything=False, root_paths=tuple(paths))


def list_scope_roots(scope: AdminScope) -> list[Organisation]:
    """The top nodes of a scope: every root of the forest for a platform admin."""
    if scope.everything:
        return list_roots()
    query = select(Organisation).where(Organisation.path.in_(scope.root_paths)).order_by(Organisation.path)
    return list(db.session.scalars(query))


def is_admin(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_platform_admin or user.admin_roles))


def org_in_scope(scope: AdminScope, org_id: int) -> Organisation:
    """The organisation ``org_id`` if it lies in ``scope``; 404 otherwise, as if it did not exist."""
    org = db.session.get(Organisation, org_id)
    if org is None or not scope.contains(org):
        raise NotFound()
    return org


def get_org_in_scope_by_code(scope: AdminScope, code: str, *, field: str = "org_code") -> Organisation:
    """The organisation a form names by ``code``, if it lies in ``scope``; otherwise a refusal about
    ``field``: no organisation has the code, or it is not one the admin administers."""
    try:
        org = get_org_by_code(code.strip())
    except OrgNotFound as error:
        raise OrgNotFound(error.message, field=field) from None
    if not scope.contains(org):
        raise OutsideScope(field=field)
    return org
