"""Union admins' area: the part of the union tree they are responsible for."""

from __future__ import annotations

from flask import Blueprint, abort, g
from flask_login import current_user, login_required

from portal.htmx import render
from portal.services.orgs import count_subtree, list_ancestors, list_children
from portal.services.permissions import admin_scope, get_org_in_scope_or_404, list_scope_roots

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def load_scope():
    # Members who administer nothing are told nothing exists here.
    g.scope = admin_scope(current_user)
    if g.scope.is_empty:
        abort(404)


@bp.get("/")
def index():
    """The nodes this admin is responsible for."""
    return render("admin/index.html", roots=list_scope_roots(g.scope))


@bp.get("/orgs/<int:org_id>")
def org_detail(org_id: int):
    """One node of the tree in scope: its figures, its place in the tree and its children."""
    org = get_org_in_scope_or_404(g.scope, org_id)
    return render(
        "admin/org_detail.html",
        org=org,
        ancestors=[node for node in list_ancestors(org) if g.scope.contains(node)],
        children=list_children(org),
        subtree_size=count_subtree(org),
    )
