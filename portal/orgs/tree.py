"""The union tree: creating nodes and answering subtree questions cheaply (rules §1)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from portal.common.audit import record_audit
from portal.extensions import db
from portal.models.identity import User
from portal.models.org import Organisation, OrgKind
from portal.orgs.errors import OrgCodeTaken, OrgNotFound

# The character after "/" in byte order: every path below "/1/7/" sorts before "/1/70".
_PATH_END = chr(ord("/") + 1)


def subtree_clause(path: str, column=Organisation.path) -> ColumnElement[bool]:
    """SQL for "``column`` is the node with ``path`` or lies below it", as an index range scan."""
    return and_(column >= path, column < path[:-1] + _PATH_END)


def under_node(node_id: int, column=Organisation.path) -> ColumnElement[bool]:
    """``subtree_clause`` for a node known by its id, in one statement (its path read by a subquery)."""
    node = aliased(Organisation, name="node")  # not correlated with an Organisation outside
    path = select(node.path).where(node.id == node_id).scalar_subquery()
    end = func.substr(path, 1, func.length(path) - 1) + _PATH_END
    return and_(column >= path, column < end)


def scope_clause(paths: Sequence[str], column=Organisation.path) -> ColumnElement[bool]:
    """SQL for "inside any of the subtrees rooted at ``paths``"."""
    if not paths:
        return false()
    return or_(*(subtree_clause(path, column) for path in paths))


def create_org(
    *,
    code: str,
    name: str,
    kind: OrgKind,
    parent: Organisation | None = None,
    quota: int | None = None,
    member_total: int | None = None,
    actor: User | None = None,
) -> Organisation:
    """Add a node under ``parent`` (or a root) and give it its materialized path."""
    org = Organisation(
        code=code,
        name=name,
        kind=kind,
        parent_id=parent.id if parent else None,
        quota=quota,
        member_total=member_total,
        depth=parent.depth + 1 if parent else 0,
        # A unique placeholder until the id is known; replaced in the same transaction.
        path=f"/new-{code}/",
    )
    try:
        with db.session.begin_nested():
            db.session.add(org)
            db.session.flush()
    except IntegrityError:
        raise OrgCodeTaken() from None
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    db.session.flush()
    if actor is not None:
        record_audit(
            actor,
            "org.create",
            subject_type="organisation",
            subject_id=org.id,
            organisation_id=org.id,
            after={"code": code, "name": name, "kind": kind.value, "parent_id": org.parent_id},
        )
    return org


def get_org_by_code(code: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if org is None:
        raise OrgNotFound()
    return org


def list_subtree(root: Organisation, *, max_depth: int | None = None) -> list[Organisation]:
    """``root`` and the nodes below it, in path order (parents before their children)."""
    query = select(Organisation).where(subtree_clause(root.path)).order_by(Organisation.path)
    if max_depth is not None:
        query = query.where(Organisation.depth <= root.depth + max_depth)
    return list(db.session.scalars(query))


def count_subtree(root: Organisation) -> int:
    return (
        db.session.scalar(select(func.count()).select_from(Organisation).where(subtree_clause(root.path)))
        or 0
    )


def list_children(parent: Organisation) -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.parent_id == parent.id).order_by(Organisation.id)
        )
    )


def list_ancestors(org: Organisation) -> list[Organisation]:
    """The nodes from the root down to ``org``'s parent."""
    ids = org.ancestor_ids()[:-1]
    if not ids:
        return []
    found = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def list_roots() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.parent_id.is_(None)).order_by(Organisation.id)
        )
    )


def list_region_choices() -> list[tuple[Organisation, list[Organisation]]]:
    """Each province-level root with the unions directly below it (cities, industries, direct unions)."""
    roots = list_roots()
    children = db.session.scalars(
        select(Organisation)
        .where(Organisation.parent_id.in_([root.id for root in roots]))
        .order_by(Organisation.parent_id, Organisation.id)
    )
    by_parent: dict[int, list[Organisation]] = {}
    for child in children:
        by_parent.setdefault(child.parent_id, []).append(child)
    return [(root, by_parent.get(root.id, [])) for root in roots]


def search_unions(
    region: Organisation, query: str, *, kinds: frozenset[OrgKind], limit: int = 20
) -> list[Organisation]:
    """Unions of ``kinds`` under ``region`` whose name contains ``query`` (all of them for an empty query)."""
    statement = select(Organisation).where(subtree_clause(region.path), Organisation.kind.in_(kinds))
    words = query.split()
    for word in words:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Organisation.name.like(f"%{escaped}%", escape="\\"))
    return list(db.session.scalars(statement.order_by(Organisation.name).limit(limit)))
