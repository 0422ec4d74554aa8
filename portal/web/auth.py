"""Registering, signing in and out, SMS codes and password reset (rules §2)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, request, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.common.errors import DomainError
from portal.common.phones import mask_phone
from portal.extensions import csrf, limiter
from portal.identity.accounts import (
    authenticate_with_code,
    authenticate_with_password,
    end_sessions,
    register_user,
    reset_password,
)
from portal.identity.sms_codes import issue_code
from portal.models.identity import SmsPurpose
from portal.web.forms.auth import (
    CodeLoginForm,
    LogoutForm,
    PasswordLoginForm,
    RegisterForm,
    ResetPasswordForm,
    SendCodeForm,
)
from portal.web.helpers import (
    config_value,
    per_phone_key,
    posted_phone,
    redirect_next,
    redirect_to,
    refused,
    show_domain_error,
    sign_in,
)
from portal.web.htmx import render

bp = Blueprint("auth", __name__, url_prefix="/auth")

# The page each SMS purpose belongs to: sending a code re-renders it with everything typed so far.
SMS_PAGES = {
    SmsPurpose.REGISTER: ("auth/register.html", RegisterForm),
    SmsPurpose.LOGIN: ("auth/login_code.html", CodeLoginForm),
    SmsPurpose.RESET_PASSWORD: ("auth/reset.html", ResetPasswordForm),
}


def _no_valid_phone() -> bool:
    return posted_phone() is None


def _failed(response) -> bool:
    """A sign-in, registration or reset that did not succeed: only these count toward the limits (a
    success answers with a redirect), so a member signing in often is never locked out."""
    return response.status_code != 303


# Failures per number *and* address: ten wrong passwords from elsewhere do not lock the owner out of
# their own phone's sign-in, and the SMS code route has limits of its own. Failures per address bound a
# guesser who tries many numbers.
verify_limits = [
    limiter.limit(
        config_value("RATELIMIT_VERIFY_PER_PHONE"),
        key_func=per_phone_key("verify", with_address=True),
        methods=["POST"],
        exempt_when=_no_valid_phone,
        deduct_when=_failed,
    ),
    limiter.limit(config_value("RATELIMIT_VERIFY_PER_IP"), methods=["POST"], deduct_when=_failed),
]


def with_verify_limits(view):
    for decorate in verify_limits:
        view = decorate(view)
    return view


@bp.post("/code/<purpose>")
@limiter.limit(
    config_value("RATELIMIT_SMS_SEND_PER_PHONE"), key_func=per_phone_key("sms"), exempt_when=_no_valid_phone
)
@limiter.limit(config_value("RATELIMIT_SMS_SEND_PER_IP"))
def send_code(purpose: str):
    """Send a one-time code; htmx gets the status box, a plain form gets its page back, filled in."""
    try:
        sms_purpose = SmsPurpose(purpose)
        template, page_form_class = SMS_PAGES[sms_purpose]
    except (ValueError, KeyError):
        abort(404)
    send_form = SendCodeForm()
    status: dict[str, str] = {}
    if send_form.validate():
        try:
            issued = issue_code(send_form.phone.data, sms_purpose)
        except DomainError as error:
            status["error"] = refused(error)
        else:
            # The same words whether or not the number could use the code: nobody learns from this form
            # whether a number is registered.
            status["message"] = _(
                "If %(phone)s can be used here, a code was sent to it. It is valid for 5 minutes.",
                phone=mask_phone(issued.phone),
            )
            if current_app.config["DEMO"] and issued.code:
                status["demo_code"] = issued.code
    else:
        status["error"] = send_form.phone.errors[0] if send_form.phone.errors else _("Please try again.")
    return render(template, block="sms_status", form=page_form_class(), sms=status)


@bp.route("/register", methods=["GET", "POST"])
@with_verify_limits
def register():
    """Create an account with a mobile number, an SMS code and a password."""
    if current_user.is_authenticated:
        return redirect_to("me.index")
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = register_user(form.phone.data, form.code.data, form.password.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            sign_in(user)
            flash(_("Welcome! Complete your real-name profile to join a union and take part."), "success")
            return redirect_to("me.profile")
    return render("auth/register.html", form=form, sms={})


def _sign_in_with(form, authenticate, template: str, **context):
    """The shared body of both sign-in pages: ``authenticate(form)`` returns the user or raises."""
    if current_user.is_authenticated:
        return redirect_next(form.next.data, "me.index")
    if form.validate_on_submit():
        try:
            user = authenticate(form)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            sign_in(user, remember=form.remember.data)
            return redirect_next(form.next.data, "me.index")
    return render(template, form=form, **context)


@bp.route("/login", methods=["GET", "POST"])
@with_verify_limits
def login():
    """Sign in with the mobile number and password."""
    return _sign_in_with(
        PasswordLoginForm(next=request.args.get("next")),
        lambda form: authenticate_with_password(form.phone.data, form.password.data),
        "auth/login.html",
    )


@bp.route("/login/code", methods=["GET", "POST"])
@with_verify_limits
def login_code():
    """Sign in with the mobile number and a one-time SMS code."""
    return _sign_in_with(
        CodeLoginForm(next=request.args.get("next")),
        lambda form: authenticate_with_code(form.phone.data, form.code.data),
        "auth/login_code.html",
        sms={},
    )


@bp.route("/reset", methods=["GET", "POST"])
@with_verify_limits
def reset():
    """Set a new password after proving the number with an SMS code."""
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = reset_password(form.phone.data, form.code.data, form.password.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            sign_in(user)
            flash(_("Your password was changed. You are signed in."), "success")
            return redirect_to("me.index")
    return render("auth/reset.html", form=form, sms={})


@bp.route("/logout", methods=["GET", "POST"])
@csrf.exempt  # the form checks its token itself: a sign-out without one gets the page with the button
def logout():
    """End the member's sessions on the server: the account's session nonce changes, so this cookie, a
    copy of it and every remember-me cookie stop working, on every device. Without a valid token (an old
    page, a link, another site's form) the page asks with a button instead of answering 400."""
    form = LogoutForm()
    if request.method == "POST" and form.validate_on_submit():
        if current_user.is_authenticated:
            end_sessions(current_user)
        logout_user()
        session.clear()
        flash(_("You are signed out."), "success")
        return redirect_to("main.index")
    return render("auth/logout.html", form=form)
