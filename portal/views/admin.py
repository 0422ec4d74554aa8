"""Union admins' area: the part of the union tree they are responsible for."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.extensions import db
from portal.htmx import render
from portal.models.org import Organisation
from portal.services.orgs import count_subtree, list_ancestors, list_children, list_roots
from portal.services.permissions import admin_root_paths, can_administer, get_org_in_scope_or_404, is_admin

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def require_admin():
    # Members who are not admins are told nothing exists here.
    if not is_admin(current_user):
        abort(404)


@bp.get("/")
def index():
    """The nodes this admin is responsible for."""
    if current_user.is_platform_admin:
        roots = list_roots()
    else:
        paths = admin_root_paths(current_user)
        roots = list(db.session.scalars(select(Organisation).where(Organisation.path.in_(paths))))
    return render("admin/index.html", roots=roots)


@bp.get("/orgs/<int:org_id>")
def org_detail(org_id: int):
    """One node of the tree in scope: its figures, its place in the tree and its children."""
    org = get_org_in_scope_or_404(current_user, org_id)
    ancestors = [node for node in list_ancestors(org) if can_administer(current_user, node)]
    return render(
        "admin/org_detail.html",
        org=org,
        ancestors=ancestors,
        children=list_children(org),
        subtree_size=count_subtree(org),
    )
