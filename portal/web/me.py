"""The personal center (个人中心): profile, membership, applications and notifications."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.campaigns.participation import enrolled_campaigns
from portal.campaigns.tokens import issue_personal_token, list_personal_tokens, revoke_token
from portal.common.errors import DomainError
from portal.identity.accounts import complete_profile, masked_id_number, set_hidden_from_boards
from portal.identity.notifications import list_notifications, mark_all_read
from portal.membership.announcements import announcements_for
from portal.membership.applications import (
    active_membership,
    latest_application,
    membership_history,
    pending_application,
)
from portal.models.membership import ApplicationStatus
from portal.orgs.scope import is_admin
from portal.rewards.earning import rewards_of_user
from portal.web.forms.auth import LogoutForm, ProfileForm, TokenForm
from portal.web.helpers import redirect_next, redirect_to, show_domain_error
from portal.web.htmx import render

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
        rewards=rewards_of_user(current_user.id),
        logout_form=LogoutForm(),
        announcements=announcements_for(current_user),
    )


@bp.post("/boards")
@login_required
def boards():
    """Hide or show one's name on public boards."""
    set_hidden_from_boards(current_user, request.form.get("hide") == "y")
    flash(
        _("Your name is hidden from public boards.")
        if current_user.hide_from_boards
        else _("Your masked name is shown on public boards."),
        "success",
    )
    return redirect_to("me.index", _anchor="boards")


@bp.get("/notifications")
@login_required
def notifications():
    """The member's notifications, newest first; opening the list marks them read."""
    items = list_notifications(current_user.id)
    unread_ids = {item.id for item in items if item.read_at is None}
    mark_all_read(current_user.id)
    return render("me/notifications.html", items=items, unread_ids=unread_ids, unread_notifications=lambda: 0)


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
            flash(_("Your real-name profile is saved."), "success")
            return redirect_next(form.next.data, "me.index")
    return render("me/profile.html", form=form, masked_id=masked_id_number(current_user))


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """Personal API tokens: make one (shown once), see and revoke the others."""
    form = TokenForm()
    if form.validate_on_submit():
        # Post/redirect/get, so a reload cannot make a second token; the secret is shown on the next page
        # view only (it rides in the signed, HttpOnly session cookie for that one request).
        session["new_token"] = issue_personal_token(current_user, form.name.data).secret
        return redirect_to("me.tokens")
    secret = session.pop("new_token", None) if request.method == "GET" else None
    return render("me/tokens.html", form=form, tokens=list_personal_tokens(current_user), secret=secret)


@bp.get("/tokens/shortcut")
@login_required
def shortcut_guide():
    """How to report steps every evening from an iPhone's Shortcuts app, with the member's own campaign
    numbers and this portal's address filled in (docs/api.md has the same for developers)."""
    return render(
        "me/shortcut_guide.html",
        campaigns=enrolled_campaigns(current_user),
        steps_url=url_for("api.post_steps", _external=True),
    )


@bp.post("/tokens/<id:token_id>/revoke")
@login_required
def revoke(token_id: int):
    """Revoke one of one's own tokens."""
    token = next((token for token in list_personal_tokens(current_user) if token.id == token_id), None)
    if token is None:
        abort(404)
    revoke_token(token)
    flash(_("The token was revoked."), "success")
    return redirect_to("me.tokens")
