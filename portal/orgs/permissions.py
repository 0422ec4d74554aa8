"""Who may act on which part of the union tree (rules §1.2, §11). One predicate per decision; the services
that change something call ``require`` with it, so the pages, the API and the CLI obey the same rule.

``admin`` is ``None`` when the operator acts from the command line (``flask …``): the operator runs the
platform and may do everything a platform admin may.
"""

from __future__ import annotations

from portal.common.errors import NotFound
from portal.models.identity import User
from portal.models.org import Organisation
from portal.orgs.scope import admin_scope


def require(allowed: bool) -> None:
    """Refuse what a permission predicate said no to. Outside one's scope things do not exist (404), so
    nobody learns what lies outside it."""
    if not allowed:
        raise NotFound()


def can_administer(admin: User | None, org: Organisation) -> bool:
    """An admin acts on their unions' subtrees; a platform admin (and the operator) everywhere."""
    return admin is None or admin_scope(admin).contains(org)


def can_change_tree(admin: User | None, org: Organisation) -> bool:
    """Adding under, renaming, setting quotas of, or moving ``org`` (and where it moves to)."""
    return can_administer(admin, org)


def can_move(admin: User | None, org: Organisation, new_parent: Organisation) -> bool:
    """Moving ``org`` (with its subtree) under ``new_parent``: both lie in the admin's scope, and a union
    admin does not move a node they were appointed to (that would move their own scope)."""
    if admin is None:
        return True
    scope = admin_scope(admin)
    return scope.contains(new_parent) and scope.contains(org) and org.path not in scope.root_paths


def can_appoint_admin(admin: User | None, org: Organisation) -> bool:
    """Appointing an admin of ``org``: a platform admin anywhere; a union admin only below the nodes they
    were appointed to, never on those nodes themselves (rules §11)."""
    if admin is None:
        return True
    scope = admin_scope(admin)
    return scope.everything or (scope.contains(org) and org.path not in scope.root_paths)


def can_revoke_admin(admin: User | None, org: Organisation) -> bool:
    """Revoking an admin of ``org``: whoever may appoint one there (rules §11)."""
    return can_appoint_admin(admin, org)
