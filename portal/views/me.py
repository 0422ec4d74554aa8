"""The personal center (个人中心): profile and memberships."""

from __future__ import annotations

from flask import Blueprint, flash, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.extensions import db
from portal.forms.auth import LogoutForm, ProfileForm
from portal.htmx import render
from portal.services.accounts import complete_profile, masked_id_number
from portal.services.errors import DomainError
from portal.services.permissions import is_admin
from portal.views.helpers import redirect_next, show_domain_error

bp = Blueprint("me", __name__, url_prefix="/me")


@bp.get("/")
@login_required
def index():
    """The member's own page: profile, membership, and the way to admin work for admins."""
    return render(
        "me/index.html",
        masked_id=masked_id_number(current_user),
        show_admin=is_admin(current_user),
        logout_form=LogoutForm(),
    )


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
