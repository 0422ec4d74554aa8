"""Union admins' area: the part of the union tree they are responsible for, its admins and the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g
from flask_babel import gettext as _
from flask_login import current_user

from portal.common.audit import list_audit
from portal.common.errors import DomainError
from portal.common.phones import mask_phone
from portal.extensions import db
from portal.identity.accounts import find_user_by_phone
from portal.identity.errors import PhoneNotRegistered
from portal.models.identity import User
from portal.models.org import OrgKind
from portal.orgs.errors import OrgNotFound
from portal.orgs.permissions import can_appoint_admin
from portal.orgs.roles import grant_union_admin, list_org_admins, revoke_union_admin
from portal.orgs.scope import list_scope_roots, org_in_scope
from portal.orgs.tree import count_subtree, get_org_by_code, list_ancestors, list_children
from portal.orgs.tree_admin import add_child_org, move_org, update_org
from portal.web.forms.admin import GrantAdminForm, OrgChildForm, OrgEditForm, OrgMoveForm
from portal.web.helpers import redirect_to, refused, require_admin_scope, show_domain_error
from portal.web.htmx import render

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_admin_scope)


@bp.get("/")
def index():
    """The nodes this admin is responsible for, and the admin's work."""
    return render("admin/index.html", roots=list_scope_roots(g.scope))


def _org_page(org, **forms):
    """The node page with its four forms; a form passed in keeps its input and errors."""
    forms.setdefault("child_form", OrgChildForm(formdata=None))
    forms.setdefault("edit_form", OrgEditForm(formdata=None, obj=org))
    forms.setdefault("move_form", OrgMoveForm(formdata=None))
    forms.setdefault("grant_form", GrantAdminForm(formdata=None))
    return render(
        "admin/org_detail.html",
        org=org,
        ancestors=[node for node in list_ancestors(org) if g.scope.contains(node)],
        children=list_children(org),
        subtree_size=count_subtree(org),
        admins=list_org_admins(org),
        can_grant=can_appoint_admin(current_user, org),
        **forms,
    )


@bp.get("/orgs/<id:org_id>")
def org_detail(org_id: int):
    """One node of the tree in scope: its figures, its place in the tree, its children and admins."""
    return _org_page(org_in_scope(g.scope, org_id))


@bp.post("/orgs/<id:org_id>/children")
def org_add_child(org_id: int):
    """Add a node directly below this one."""
    org = org_in_scope(g.scope, org_id)
    form = OrgChildForm()
    if form.validate_on_submit():
        try:
            child = add_child_org(
                current_user,
                org,
                code=form.code.data,
                name=form.name.data,
                kind=OrgKind(form.kind.data),
                quota=form.quota.data,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Added %(name)s.", name=child.name), "success")
            return redirect_to("admin.org_detail", org_id=org.id)
    return _org_page(org, child_form=form)


@bp.post("/orgs/<id:org_id>/edit")
def org_edit(org_id: int):
    """Rename the node and set its quota and member total."""
    org = org_in_scope(g.scope, org_id)
    form = OrgEditForm()
    if form.validate_on_submit():
        update_org(
            current_user, org, name=form.name.data, quota=form.quota.data, member_total=form.member_total.data
        )
        flash(_("Saved."), "success")
        return redirect_to("admin.org_detail", org_id=org.id)
    return _org_page(org, edit_form=form)


@bp.post("/orgs/<id:org_id>/move")
def org_move(org_id: int):
    """Move the node, with everything below it, under another node in scope."""
    org = org_in_scope(g.scope, org_id)
    form = OrgMoveForm()
    if form.validate_on_submit():
        try:
            move_org(current_user, org, get_org_by_code(form.parent_code.data.strip()))
        except OrgNotFound as error:
            show_domain_error(form, OrgNotFound(error.message, field="parent_code"))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Moved."), "success")
            return redirect_to("admin.org_detail", org_id=org_id)
    return _org_page(org, move_form=form)


@bp.post("/orgs/<id:org_id>/admins")
def org_grant_admin(org_id: int):
    """Appoint a registered member as admin of this node (only below one's own nodes)."""
    org = org_in_scope(g.scope, org_id)
    form = GrantAdminForm()
    if form.validate_on_submit():
        try:
            user = find_user_by_phone(form.phone.data)
            if user is None:
                raise PhoneNotRegistered()
            grant_union_admin(user, org, actor=current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(
                _("%(phone)s is now an admin of %(union)s.", phone=form.phone.data, union=org.name), "success"
            )
            return redirect_to("admin.org_detail", org_id=org.id)
    return _org_page(org, grant_form=form)


@bp.post("/orgs/<id:org_id>/admins/<id:user_id>/revoke")
def org_revoke_admin(org_id: int, user_id: int):
    """End one admin's role on this node (only where one may appoint)."""
    org = org_in_scope(g.scope, org_id)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    try:
        revoke_union_admin(user, org, actor=current_user)
    except DomainError as error:
        flash(refused(error), "error")
    else:
        flash(
            _("%(phone)s is no longer an admin of %(union)s.", phone=mask_phone(user.phone), union=org.name),
            "success",
        )
    return redirect_to("admin.org_detail", org_id=org.id)


@bp.get("/audit")
def audit():
    """Decisions and changes in the admin's scope, newest first."""
    return render("admin/audit.html", entries=list_audit(g.scope))
