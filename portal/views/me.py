"""The personal center (个人中心): profile, membership, applications and notifications."""

from __future__ import annotations

from flask import Blueprint, flash, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.extensions import db
from portal.forms.auth import LogoutForm, ProfileForm
from portal.htmx import render
from portal.models.membership import ApplicationStatus
from portal.services.accounts import complete_profile, masked_id_number
from portal.services.errors import DomainError
from portal.services.membership import (
    active_membership,
    latest_application,
    membership_history,
    pending_application,
)
from portal.services.notifications import list_notifications, mark_all_read
from portal.services.permissions import is_admin
from portal.views.helpers import redirect_next, show_domain_error

bp = Blueprint("me", __name__, url_prefix="/me")


@bp.get("/")
@login_required
def index():
    """The member's own page: profile, membership and applications, and admin work for admins."""
    latest = latest_application(current_user)
    return render(
        "me/index.html",
        masked_id=masked_id_number(current_user),
        membership=active_membership(current_user),
        pending=pending_application(current_user),
        rejected=latest if latest and latest.status is ApplicationStatus.REJECTED else None,
        history=membership_history(current_user),
        show_admin=is_admin(current_user),
        logout_form=LogoutForm(),
    )


@bp.get("/notifications")
@login_required
def notifications():
    """The member's notifications, newest first; opening the list marks them read."""
    items = list_notifications(current_user.id)
    unread_ids = {item.id for item in items if item.read_at is None}
    mark_all_read(current_user.id)
    db.session.commit()
    return render("me/notifications.html", items=items, unread_ids=unread_ids, unread_notifications=0)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Fill in the real-name profile once; afterwards it is shown, masked."""
    form = ProfileForm(next=request.args.get("next"))
    if not current_user.has_profile and form.validate_on_submit():
        try:
            complete_profile(current_user, form.real_name.data, form.id_number.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your real-name profile is saved."), "success")
            return redirect_next(form.next.data, "me.index")
    return render("me/profile.html", form=form, masked_id=masked_id_number(current_user))
