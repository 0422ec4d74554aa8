"""Announcements (通知公告): members read them (``bp``); union admins publish them to their
subtree, withdraw them and see how many members read each (``admin_bp``)."""

from __future__ import annotations

from flask import Blueprint, flash, g
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.membership.announcements import (
    announcement_in_scope,
    announcements_for,
    announcements_in_scope,
    open_announcement,
    publish_announcement,
    withdraw_announcement,
)
from portal.orgs.scope import list_scope_roots, org_in_scope
from portal.web.forms.announcements import AnnouncementForm
from portal.web.helpers import redirect_to, require_admin_scope
from portal.web.htmx import render

bp = Blueprint("announcements", __name__, url_prefix="/announcements")
admin_bp = Blueprint("announcement_admin", __name__, url_prefix="/admin/announcements")
admin_bp.before_request(require_admin_scope)


@bp.get("/")
@login_required
def index():
    """Every live announcement of the member's unions, newest first."""
    return render("announcements/index.html", lines=announcements_for(current_user, limit=100))


@bp.get("/<id:announcement_id>")
@login_required
def show(announcement_id: int):
    """One announcement; opening it counts as read."""
    announcement = open_announcement(current_user, announcement_id)
    return render("announcements/show.html", announcement=announcement)


def _form() -> AnnouncementForm:
    form = AnnouncementForm()
    form.union.choices = [(org.id, org.name) for org in list_scope_roots(g.scope)]
    return form


@admin_bp.route("/", methods=["GET", "POST"])
def manage():
    """Publish an announcement, and the announcements in scope with their read counts."""
    form = _form()
    if form.validate_on_submit():
        org = org_in_scope(g.scope, form.union.data)
        publish_announcement(current_user, org, title=form.title.data, body=form.body.data)
        flash(_("Published to the members of %(union)s and the unions below it.", union=org.name), "success")
        return redirect_to("announcement_admin.manage")
    return render("announcement_admin/index.html", form=form, lines=announcements_in_scope(g.scope))


@admin_bp.post("/<id:announcement_id>/withdraw")
def withdraw(announcement_id: int):
    """Take an announcement off members' pages."""
    withdraw_announcement(current_user, announcement_in_scope(g.scope, announcement_id))
    flash(_("Withdrawn."), "success")
    return redirect_to("announcement_admin.manage")
