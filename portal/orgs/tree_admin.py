"""Changing the union tree within an admin's scope: add, rename, set quotas, move; each change audited."""

from __future__ import annotations

from sqlalchemy import func, literal, update

from portal.common.audit import record_audit
from portal.extensions import db
from portal.models.identity import User
from portal.models.org import Organisation, OrgKind
from portal.orgs.errors import InvalidMove, OutsideScope
from portal.orgs.permissions import can_change_tree, can_move, require
from portal.orgs.tree import create_org, subtree_clause


def _figures(org: Organisation) -> dict:
    return {
        "name": org.name,
        "quota": org.quota,
        "member_total": org.member_total,
        "parent_id": org.parent_id,
    }


def add_child_org(
    actor: User, parent: Organisation, *, code: str, name: str, kind: OrgKind, quota: int | None
) -> Organisation:
    require(can_change_tree(actor, parent))
    return create_org(
        code=code.strip(), name=name.strip(), kind=kind, parent=parent, quota=quota, actor=actor
    )


def update_org(
    actor: User, org: Organisation, *, name: str, quota: int | None, member_total: int | None
) -> None:
    """Rename a node and set its quota and member total."""
    require(can_change_tree(actor, org))
    before = _figures(org)
    org.name, org.quota, org.member_total = name.strip(), quota, member_total
    after = _figures(org)
    if before != after:
        record_audit(
            actor,
            "org.update",
            subject_type="organisation",
            subject_id=org.id,
            organisation_id=org.id,
            before=before,
            after=after,
        )


def move_org(actor: User | None, org: Organisation, new_parent: Organisation) -> None:
    """Put ``org`` and its subtree under ``new_parent``: one UPDATE rewrites every path below it. Who may:
    ``portal.orgs.permissions.can_move``; a refusal is about the new parent the admin typed."""
    if not can_move(actor, org, new_parent):
        raise OutsideScope()
    if new_parent.path.startswith(org.path):
        raise InvalidMove()
    if new_parent.id == org.parent_id:
        return
    old_path, new_path = org.path, f"{new_parent.path}{org.id}/"
    depth_change = new_parent.depth + 1 - org.depth
    before = _figures(org)
    db.session.execute(
        update(Organisation)
        .where(subtree_clause(old_path))
        .values(
            path=literal(new_path) + func.substr(Organisation.path, len(old_path) + 1),
            depth=Organisation.depth + depth_change,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Organisation)
        .where(Organisation.id == org.id)
        .values(parent_id=new_parent.id)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    record_audit(
        actor,
        "org.move",
        subject_type="organisation",
        subject_id=org.id,
        organisation_id=org.id,
        before=before,
        after={**before, "parent_id": new_parent.id},
    )
